"""The cheap line index agrees with libcst's PositionProvider on every statement it locates."""

from __future__ import annotations

import libcst as cst
import pytest
from analysis_support import FIXTURES, summarize_text
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdaslim.analysis.lines import LineIndex


def _fixture_sources() -> list[str]:
    sources = []
    for path in sorted(FIXTURES.glob("*.py")):
        try:
            text = path.read_text("utf-8")
            cst.parse_module(text)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        sources.append(text)
    return sources


# Where a search of the text finds the wrong place: the same words inside a string, or the same
# first line in a function before the module-level statement.
AMBIGUOUS_TEXT = [
    '''import json


@json.loads
def handler(event, context):
    return {"ok": True}


def template():
    return """
def handler(event, context):
"""
''',
    '''import os


def setup():
    handler = lambda event, context: 1
    return handler


handler = lambda event, context: 1
TABLE = os.environ["TABLE"]


def main(event, context):
    TABLE = os.environ["TABLE"]
    return TABLE
''',
]


# Local functions, methods, decorators, elif/else/except/finally bodies and statements spread
# over several lines: the statement lists ast and libcst pair up must keep every line.
NESTED_TEXT = [
    '''"""Orders."""
import functools
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE"])


@functools.lru_cache(
    maxsize=1)
def client():
    return boto3.client("sqs")


class Store:
    @staticmethod
    def put(item):
        return table.put_item(
            Item=item,
        )


def handler(event, context):
    def put(item):
        for key in item:
            item[key] = str(item[key])
        return table.put_item(
            Item=item)

    if event.get("kind") == "a":
        result = put(event)
    elif event.get("kind") == "b":
        result = Store.put(
            event)
    else:
        try:
            result = client().send_message(QueueUrl=os.environ["QUEUE"],
                                           MessageBody="x")
        except (KeyError,
                ValueError):
            raise
        finally:
            pass
    while False:
        break
    else:
        pass
    with open(__file__) as f: f.read()
    match event:
        case {"x": 1}:
            return put(event)
        case _:
            pass
    return result
''',
]


def _functions(module: cst.Module) -> list[cst.FunctionDef]:
    found: list[cst.FunctionDef] = []

    class Collect(cst.CSTVisitor):
        def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
            found.append(node)

    module.visit(Collect())
    return found


@pytest.mark.parametrize("text", _fixture_sources() + AMBIGUOUS_TEXT + NESTED_TEXT)
def test_lines_inside_every_function_match_position_provider(text: str) -> None:
    """Local functions and methods included, each node located from its own function, from
    the statement that holds it (``within``), and from a statement that does not hold it."""
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    index = LineIndex(module, text)
    elsewhere = module.body[0]

    class Check(cst.CSTVisitor):
        def __init__(self, func: cst.FunctionDef):
            super().__init__()
            self.func = func
            self.statement: cst.CSTNode | None = None

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.SimpleStatementLine | cst.Decorator):
                self.statement = node
            if isinstance(node, cst.BaseStatement | cst.BaseSmallStatement | cst.Call
                          | cst.Decorator | cst.Subscript):
                expected = positions[node].start.line
                assert index.line(node, self.func, self.statement) == expected, node
                assert index.line(node, self.func, elsewhere) == expected, node
            return True

    for func in _functions(module):
        assert index.def_line(func) == positions[func].start.line
        func.visit(Check(func))


def test_lines_without_ast_come_from_codegen_and_the_text() -> None:
    """Text Python 3.11's own parser rejects (a ``type`` statement) still gets its lines."""
    text = NESTED_TEXT[0] + "\ntype Alias = int\n"
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    index = LineIndex(module, text)
    for func in _functions(module):
        if func.name.value == "handler":
            assert index.def_line(func) == positions[func].start.line
            for statement in func.body.body:
                assert index.line(statement, func) == positions[statement].start.line
    for statement in module.body:
        if isinstance(statement, cst.SimpleStatementLine):
            assert index.line(statement, None) == positions[statement].start.line


@pytest.mark.parametrize("text", _fixture_sources() + AMBIGUOUS_TEXT)
def test_statement_and_call_lines_match_position_provider(text: str) -> None:
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    index = LineIndex(module, text)
    class Check(cst.CSTVisitor):
        def __init__(self, func: cst.FunctionDef):
            super().__init__()
            self.func = func

        def on_visit(self, node: cst.CSTNode) -> bool:
            if isinstance(node, cst.BaseStatement | cst.BaseSmallStatement | cst.Call):
                assert index.line(node, self.func) == positions[node].start.line
            return True

    for func in (s for s in module.body if isinstance(s, cst.FunctionDef)):
        assert index.def_line(func) == positions[func].start.line
        func.visit(Check(func))
    for stmt in module.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            assert index.line(stmt, None) == positions[stmt].start.line


def test_a_local_function_reports_the_lines_of_its_own_statements() -> None:
    """The lines inside a function defined in the handler are the file's lines (they used to
    be counted from the local ``def``)."""
    text = '''import boto3

table = boto3.resource("dynamodb").Table("orders")


def handler(event, context):
    def store(items):
        for item in items:
            table.put_item(Item=item)

    store(event["items"])
    return {"ok": True}
'''
    summary = summarize_text(text)
    loop = next(u for u in summary.unknowns if "loop over data" in u.reason)
    assert loop.reason.endswith("at line 11")
    assert "(a loop over data at line 8)" in loop.reason
