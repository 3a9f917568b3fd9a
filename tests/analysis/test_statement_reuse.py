"""Module-level lines parsed in earlier handlers are reused: the summaries, line numbers
included, and the statements' trees are those of a parse of each module on its own."""

from __future__ import annotations

import ast

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaslim.analysis import statement_reuse, summarize_handler
from lambdaslim.analysis.parsing import parse_module
from lambdaslim.analysis.statement_reuse import parse_reusing
from lambdaslim.analysis.unused_definitions import blank_unused

# Module-level lines as handler files of one repository repeat them.
HEADER_LINES = (
    '"""Store an order in DynamoDB."""',
    "import json",
    "import os",
    "import boto3",
    "from shared.config import load_settings",
    "from aws_lambda_powertools import Logger",
    "logger = Logger()",
    "SETTINGS = load_settings()",
    'QUEUE_URL = os.environ["QUEUE_URL"]',
    'sqs = boto3.client("sqs")',
    'table = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])',
    "RETRIES = {\n    \"attempts\": 3,\n    \"mode\": SETTINGS[\"retry_mode\"],\n}",
    "import os; import json",
    "PREFIX = os.environ.get(\"PREFIX\", \\\n    \"orders/\")",
    "import sys \\",
    "import functools",
    "# the queue is created by the platform stack",
    "",
    'def _key(event):\n    """The table key of an order."""\n    return {"id": event["id"]}',
    "class NotFound(Exception):\n    pass",
    "@functools.lru_cache\ndef _settings():\n    return load_settings()",
    'if os.environ.get("DEBUG"):\n    logger.setLevel("DEBUG")',
    "def handler(event, context):\n    return None",
)

HANDLER = '''

def handler(event, context):
    sqs.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(event["order"]))
    table.put_item(Item={**_key(event), "mode": _settings()["mode"]})
    if "id" not in event:
        raise NotFound(event)
    logger.info("stored")
    return {"retries": RETRIES, "prefix": PREFIX}
'''


def module_text(header: list[tuple[str, bool]], crlf: bool) -> str:
    """The header's lines, each ending as the module's lines do unless its flag says the other
    way, then the handler."""
    lines = []
    for line, other in header:
        ending = "\r\n" if crlf != other else "\n"
        lines.append(line.replace("\n", ending) + ending)
    return "".join(lines) + (HANDLER.replace("\n", "\r\n") if crlf else HANDLER)


def written(*lines: str) -> list[tuple[str, bool]]:
    return [(line, False) for line in lines]


def summaries_one_by_one(texts: list[str]) -> list[object]:
    """Each module summarised with nothing kept from the others."""
    summaries = []
    for text in texts:
        statement_reuse._kept.clear()
        summaries.append(summarize_handler(text.encode(), "app.py", "handler"))
    return summaries


def top_level(module: cst.Module) -> list[cst.CSTNode]:
    """The module's statements without the comments and empty lines above them."""
    return [statement.with_changes(leading_lines=())
            if isinstance(statement, cst.SimpleStatementLine | cst.BaseCompoundStatement)
            else statement for statement in module.body]


@pytest.fixture(autouse=True)
def nothing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statement_reuse, "_kept", statement_reuse._Kept())


HEADERS = st.lists(st.tuples(st.sampled_from(HEADER_LINES), st.sampled_from([False] * 6 + [True])),
                   max_size=14)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(HEADERS, st.booleans()), min_size=2, max_size=5))
def test_summaries_with_reused_lines_equal_summaries_of_each_module_alone(
    modules: list[tuple[list[tuple[str, bool]], bool]]
) -> None:
    texts = [module_text(header, crlf) for header, crlf in modules]
    alone = summaries_one_by_one(texts)
    statement_reuse._kept.clear()
    together = [summarize_handler(text.encode(), "app.py", "handler") for text in texts]
    assert together == alone


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(HEADERS, st.booleans()), min_size=2, max_size=5))
def test_the_statements_are_those_of_a_parse_of_the_module_alone(
    modules: list[tuple[list[tuple[str, bool]], bool]]
) -> None:
    statement_reuse._kept.clear()
    for header, crlf in modules:
        text, tree = blank_unused(module_text(header, crlf), "handler")
        if tree is None:
            continue  # not Python ("import sys \\" before a statement): parsed whole
        module = parse_reusing(text, tree, "handler")
        statements = module.body
        assert len({id(statement) for statement in statements}) == len(statements)
        expected = top_level(parse_module(text))
        reused = top_level(module)
        assert len(reused) == len(expected)
        for got, want in zip(reused, expected, strict=True):
            assert got.deep_equals(want), cst.Module([]).code_for_node(want)


def test_a_line_seen_before_is_reused_and_reports_its_own_line() -> None:
    first = ("import os\nfrom shared.config import load_settings\n\n# read once per container\n"
             "SETTINGS = load_settings()\n")
    second = ("import os\n# settings come from the shared layer\n\n\n"
              "from shared.config import load_settings\n\n\n\nSETTINGS = load_settings()\n")
    handler = "\n\ndef handler(event, context):\n    return SETTINGS['mode']\n"
    summarize_handler((first + handler).encode(), "a.py", "handler")
    kept = dict(statement_reuse._kept.trees)
    assert {key.strip() for key in kept} == {"import os", "SETTINGS = load_settings()",
                                             "from shared.config import load_settings"}

    text, tree = blank_unused(second + handler, "handler")
    module = parse_reusing(text, tree, "handler")
    assert sum(any(statement is node for node in kept.values())
               for statement in module.body) == 3
    assert "container" not in "".join(module.code_for_node(node) for node in kept.values())
    summary = summarize_handler((second + handler).encode(), "b.py", "handler")
    assert [unknown.line for unknown in summary.unknowns] == [9]


def test_a_line_continued_by_a_backslash_is_parsed_in_place() -> None:
    first = module_text(written("import sys \\", ""), crlf=False)
    second = module_text(written("import sys \\", "# platform modules"), crlf=False)
    texts = [first, second]
    assert summaries_one_by_one(texts) == summaries_one_by_one(texts)
    statement_reuse._kept.clear()
    for text in texts:
        blanked, tree = blank_unused(text, "handler")
        module = parse_reusing(blanked, tree, "handler")
        assert top_level(module)[0].deep_equals(top_level(parse_module(blanked))[0])


def test_a_line_ending_otherwise_than_its_module_s_lines_is_not_mistaken() -> None:
    crlf = module_text([("import os", False), ("import json", False)], crlf=True)
    mixed = module_text([("import os", False), ("import json", True)], crlf=False)
    for text in (crlf, mixed):
        blanked, tree = blank_unused(text, "handler")
        module = parse_reusing(blanked, tree, "handler")
        for got, want in zip(top_level(module), top_level(parse_module(blanked)), strict=True):
            assert got.deep_equals(want)


def test_a_line_twice_in_one_module_and_shared_lines_are_parsed_in_place() -> None:
    text = "import os\nimport os\nA = 1; B = 2\nC = (1,\n     2); D = 3\nE = os.environ['E']\n"
    tree = ast.parse(text)
    parse_reusing(text, tree, "handler")
    assert [key.strip() for key in statement_reuse._kept.trees] == ["E = os.environ['E']"]
    module = parse_reusing(text, tree, "handler")
    assert module.body[0] is not module.body[1]
    assert [module.code_for_node(node).strip() for node in module.body[2:4]] == [
        "A = 1; B = 2", "C = (1,\n     2); D = 3"]


def test_without_python_s_tree_the_module_is_parsed_whole() -> None:
    text = "import os\n"
    parse_reusing(text, ast.parse(text), "handler")
    module = parse_reusing(text, None, "handler")
    assert module.body[0] is not next(iter(statement_reuse._kept.trees.values()))


def test_statements_that_do_not_pair_up_are_not_merged() -> None:
    """libcst and ``ast`` disagreeing on the statements makes the whole text parsed instead."""
    known_line = parse_module("import os\n").body[0]
    assert isinstance(known_line, cst.SimpleStatementLine)
    shared = parse_module("A = 1; B = 2\n").body
    two = ast.parse("A = 1\nB = 2\n").body
    assert statement_reuse._merged(shared, two, {}) == (list(shared), [0, 0])
    assert statement_reuse._merged(shared, two, {1: known_line}) is None  # B inside a line
    three = ast.parse("A = 1\nimport os\nB = 2\n").body
    assert statement_reuse._merged(shared, three, {1: known_line}) is None  # between A and B
    assert statement_reuse._merged([*shared, *shared], two, {}) is None  # one line too many
    assert statement_reuse._merged([], two, {}) is None  # one line too few


def test_when_libcst_refuses_the_rest_the_whole_text_is_parsed(
    monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "import os\nQUEUE = os.environ['QUEUE']\n"
    tree = ast.parse(text)
    parse_reusing(text, tree, "handler")
    parsed: list[str] = []

    def only_the_whole_text(source: str) -> cst.Module:
        parsed.append(source)
        if source != text:
            raise cst.ParserSyntaxError("refused", lines=[source], raw_line=1, raw_column=0)
        return parse_module(source)

    monkeypatch.setattr(statement_reuse, "parse_module", only_the_whole_text)
    module = parse_reusing(text, tree, "handler")
    assert len(parsed) == 2 and parsed[1] == text
    assert module.code == text


def test_helpers_and_classes_are_reused_but_not_the_handler() -> None:
    header = written("import json", 'def _key(event):\n    return {"id": event["id"]}',
                     "class NotFound(Exception):\n    pass")
    texts = [module_text(header, crlf=False), module_text([("", False), *header], crlf=False)]
    modules = []
    for text in texts:
        blanked, tree = blank_unused(text, "handler")
        modules.append(parse_reusing(blanked, tree, "handler"))
    first, second = ({type(node).__name__ + getattr(getattr(node, "name", None), "value", ""):
                      node for node in module.body} for module in modules)
    assert second["FunctionDef_key"] is first["FunctionDef_key"]
    assert second["ClassDefNotFound"] is first["ClassDefNotFound"]
    assert second["FunctionDefhandler"] is not first["FunctionDefhandler"]
    assert not any("def handler" in key for key in statement_reuse._kept.trees)
    assert summaries_one_by_one(texts) == [
        summarize_handler(text.encode(), "app.py", "handler") for text in texts]


def test_the_trees_kept_are_bounded_by_their_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(statement_reuse, "MAX_KEPT_LINES", 3)
    text = 'import os\ndef _key(event):\n    return {"id": event["id"]}\nimport json\nimport re\n'
    parse_reusing(text, ast.parse(text), "handler")
    assert [key.strip() for key in statement_reuse._kept.trees] == [
        "import os", 'def _key(event):\n    return {"id": event["id"]}']
    assert statement_reuse._kept.lines == 3
