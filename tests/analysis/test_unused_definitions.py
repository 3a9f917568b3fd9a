"""Unreachable module-level functions and unused constants are blanked before parsing;
nothing reachable is."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest

from lambdaslim.analysis import summarize_handler
from lambdaslim.analysis.handler import _summarize_module
from lambdaslim.analysis.lines import LineIndex
from lambdaslim.analysis.parsing import parse_module
from lambdaslim.analysis.unused_definitions import blank_unused

ORDERS = '''\
"""Orders service: one module, three Lambda handlers."""

import json
import os

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["ORDERS_TABLE"])


def _key(event):
    return {"orderId": event["orderId"]}


def get_order(event, context):
    return TABLE.get_item(Key=_key(event)).get("Item")


def cancel_order(event, context):
    TABLE.delete_item(Key=_key(event))
    return {"cancelled": True}


def _legacy_audit(payload):
    """Kept for the runbook; no handler calls it any more."""
    print(json.dumps(payload))
    return payload
'''


def defined(text: str) -> set[str]:
    return {s.name for s in ast.parse(text).body if isinstance(s, ast.FunctionDef)}


def test_other_handlers_and_dead_helpers_are_blanked_but_lines_stay() -> None:
    blanked = blank_unused(ORDERS, "get_order").text
    assert defined(blanked) == {"_key", "get_order"}
    assert blanked.count("\n") == ORDERS.count("\n")
    for original, kept in zip(ORDERS.split("\n"), blanked.split("\n"), strict=True):
        assert kept in ("", original)


def test_a_helper_reached_only_through_another_kept_function_stays() -> None:
    text = ORDERS.replace("def _key(event):\n    return",
                          "def _key(event):\n    return _id(event) and")
    text += "\n\ndef _id(event):\n    return event.get('orderId')\n"
    assert "_id" in defined(blank_unused(text, "cancel_order").text)


@pytest.mark.parametrize("lookup", [
    'HANDLERS = {name: globals()[name] for name in ("get_order",)}\n',
    'ROUTE = getattr(__import__(__name__), os.environ["ROUTE"])\n',
])
def test_nothing_is_blanked_when_names_are_looked_up_by_string(lookup: str) -> None:
    text = ORDERS + "\n" + lookup
    assert blank_unused(text, "get_order").text == text


def test_decorated_dunder_and_mentioned_functions_stay() -> None:
    text = ORDERS + '''

@app.route("/orders")
def list_orders():
    return []


def __dir__():
    return ["get_order", "cancel_order"]


def _mentioned_in_a_string():
    return 1


DOC = "see _mentioned_in_a_string"
'''
    kept = defined(blank_unused(text, "get_order").text)
    assert {"list_orders", "__dir__", "_mentioned_in_a_string"} <= kept
    assert "_legacy_audit" not in kept


CONSTANTS = ORDERS + '''

DEFAULT_STATUS = "open"  # read by no one
RETRIES = (1, 2, -3)
AUDIT_FIELDS = {"id": None, "at": [1.5, True]}
PAGE_SIZE = 25


def _page(items):
    return items[:PAGE_SIZE]


TABLE_NAME = os.environ["ORDERS_TABLE"]
COUNT = len(ORDER_KINDS := ["a"])
__version__ = "1.0"
A = 1; B = 2
LABEL = "cancelled"
STATUS = f"{LABEL}"
'''


def assigned(text: str) -> set[str]:
    return {target.id for s in ast.parse(text).body if isinstance(s, ast.Assign)
            for target in s.targets if isinstance(target, ast.Name)}


def test_unused_constants_go_and_those_only_dead_functions_read_go_with_them() -> None:
    blanked = blank_unused(CONSTANTS, "get_order")
    assert "_page" not in defined(blanked.text)
    assert assigned(CONSTANTS) - assigned(blanked.text) == {
        "DEFAULT_STATUS", "RETRIES", "AUDIT_FIELDS", "PAGE_SIZE"}
    assert blanked.text.count("\n") == CONSTANTS.count("\n")
    assert blanked.tree is not None
    assert ast.dump(blanked.tree) == ast.dump(ast.parse(blanked.text))


def test_constants_that_call_read_format_share_a_line_or_are_dunders_stay() -> None:
    kept = assigned(blank_unused(CONSTANTS, "get_order").text)
    assert {"TABLE_NAME", "COUNT", "__version__", "A", "B", "LABEL", "STATUS"} <= kept


def test_a_constant_a_kept_function_reads_stays() -> None:
    text = CONSTANTS.replace('return {"cancelled": True}', "return {DEFAULT_STATUS: PAGE_SIZE}")
    kept = assigned(blank_unused(text, "cancel_order").text)
    assert {"DEFAULT_STATUS", "PAGE_SIZE"} <= kept


@pytest.mark.parametrize("text", [
    ORDERS + "\ndef broken(:\n    pass\n",  # ast cannot parse it: libcst reports the error
    ORDERS.replace("\n", "\r"),  # old Mac line breaks
    "def get_order(event, context):\n    return event\n",  # the handler alone
])
def test_unusual_modules_are_left_whole(text: str) -> None:
    assert blank_unused(text, "get_order").text == text


def test_windows_line_endings_are_kept() -> None:
    text = ORDERS.replace("\n", "\r\n")
    blanked = blank_unused(text, "get_order").text
    assert "_legacy_audit" not in blanked
    assert blanked.count("\r\n") == text.count("\r\n")


def test_a_syntax_error_is_still_reported_at_its_line() -> None:
    text = ORDERS + "\ndef broken(:\n    pass\n"
    with pytest.raises(cst.ParserSyntaxError) as raised:
        cst.parse_module(text)
    summary = summarize_handler(text.encode(), "orders.py", "get_order")
    assert [u.line for u in summary.unknowns] == [raised.value.raw_line]


FIXTURE_FILES = sorted(
    path for root in ("tests/fixtures", "samples/original_13_lambdas")
    for path in (Path(__file__).parents[2] / root).rglob("*.py")
)


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_summaries_equal_those_of_the_whole_module(path: Path) -> None:
    """Every module-level function of every fixture, taken as the handler: the summary made
    from the blanked text equals the one made from the whole module."""
    try:
        text = path.read_text("utf-8")
        names = defined(text)
    except (UnicodeDecodeError, SyntaxError):
        pytest.skip("not UTF-8 Python 3.11: summarised before any blanking")
    for name in sorted(names):
        module = parse_module(text)
        whole = _summarize_module(LineIndex(module, text), module, str(path), name)
        assert summarize_handler(text.encode(), str(path), name) == whole, name
