"""The cheap line index agrees with libcst's PositionProvider on every statement it locates."""

from __future__ import annotations

import libcst as cst
import pytest
from analysis_support import FIXTURES
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
