"""The cheap line index agrees with libcst's PositionProvider on every node it locates."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from analysis_support import FIXTURES
from libcst.metadata import MetadataWrapper, PositionProvider

from lambdaslim.analysis.lines import LineIndex

ROOT = Path(__file__).resolve().parents[2]

# Source the logical-line scan must read right: strings holding quotes, '#', brackets and
# newlines; comments holding quotes and brackets; continuations; one-line suites; every header.
TRICKY = '''\
"""Module docstring with 'quotes', # no comment, (no bracket
and a second line: if x:
"""
import os, json  # a comment with "quotes" and (brackets
from typing import (
    Any,
    Dict,
)

TABLE = os.environ["TABLE"]; OTHER = 1
PATTERN = r"\\d+\\\\"  # raw string ending in a backslash pair
TEXT = 'it\\'s' + "say \\"hi\\"" + \'\'\'a
b\'\'\' + """c"""


@decorator(
    option=True,
)
@other
def handler(event: Dict[str, Any], context: Any) -> Any:
    # leading comment
    value = (event["a"]
             + event["b"])
    total = event["c"] \\
        + 1
    if value: raise ValueError("inline")
    if total > 1:
        pass
    elif total < 0:  # elif
        return {"x": [
            1,
            2,
        ]}
    else:
        total = 2
    for item in event["items"]:
        continue
    else:
        pass
    while False: break
    try:
        x = json.loads(
            event["body"])
    except (KeyError,
            ValueError) as exc:
        raise RuntimeError(f"bad {exc!r} {{literal}} #") from exc
    else:
        pass
    finally:
        pass
    try:
        pass
    except* TypeError:
        pass
    with open("f") as a, \\
            open("g") as b:
        pass
    match event:
        case {"kind": "a"}:
            pass
        case _:
            pass

    class Inner:
        """Doc."""

        @staticmethod
        def method() -> None: return None

    async def inner() -> None:
        async for i in source():
            await i
        async with lock:
            pass
    return [value,
            total]


match = 1
case = 2
'''

# A Python 3.12 f-string that nests the same quotes around a bracket: the scan misreads it,
# and the index must notice and still be right.
NESTED_FSTRING = (
    'x = f"{d["a("]}"\n\n\ndef f(event):\n    if event:\n        return 1\n    return 2\n'
)


def _sources() -> list[tuple[str, str]]:
    sources = []
    files = sorted(FIXTURES.glob("*.py")) + sorted(
        (ROOT / "samples" / "original_13_lambdas").rglob("*.py"))
    for path in files:
        try:
            text = path.read_text("utf-8")
            cst.parse_module(text)
        except (UnicodeDecodeError, cst.ParserSyntaxError):
            continue
        sources.append((path.name, text))
    return [("tricky", TRICKY), ("nested-fstring", NESTED_FSTRING), *sources]


class _Check(cst.CSTVisitor):
    """Every statement, small statement and decorator by itself; every call and subscript
    both inside its statement and with no statement given."""

    def __init__(self, index: LineIndex, positions: dict[cst.CSTNode, object]):
        super().__init__()
        self.index = index
        self.positions = positions
        self.statements: list[cst.CSTNode] = []
        self.checked = 0

    def _expected(self, node: cst.CSTNode) -> int:
        return self.positions[node].start.line  # type: ignore[attr-defined]

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.BaseStatement | cst.BaseSmallStatement | cst.Decorator):
            assert self.index.line(node) == self._expected(node), cst.Module([]).code_for_node(
                node)
            self.checked += 1
        if isinstance(node, cst.BaseStatement):
            self.statements.append(node)
        if isinstance(node, cst.Call | cst.Subscript) and self.statements:
            assert self.index.line(node, self.statements[-1]) == self._expected(node)
            assert self.index.line(node) == self._expected(node)
            self.checked += 1
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.BaseStatement):
            self.statements.pop()


@pytest.mark.parametrize(("name", "text"), _sources(), ids=lambda value: value[:40])
def test_lines_match_position_provider(name: str, text: str) -> None:
    _check_source(text)


def test_benchmark_monorepo_handlers(tmp_path: Path) -> None:
    """Every handler style of the benchmark's generator (the 2,000-function monorepo)."""
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate_monorepo.py"),
                    "--functions", "60", "--out", str(tmp_path / "mono")],
                   check=True, capture_output=True)
    handlers = sorted((tmp_path / "mono" / "functions").glob("*/app.py"))
    assert len(handlers) == 60
    for path in handlers:
        text = path.read_text("utf-8")
        _check_source(text)
        assert LineIndex(cst.parse_module(text), text).scanned, path


def _check_source(text: str) -> None:
    module = cst.parse_module(text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    index = LineIndex(module, text)
    check = _Check(index, dict(positions))
    module.visit(check)
    assert check.checked > 0
    functions = [node for node in positions if isinstance(node, cst.FunctionDef)]
    for func in functions:
        assert index.def_line(func) == positions[func].start.line


def test_tricky_source_is_located_without_falling_back() -> None:
    """The scan reads every construct of TRICKY itself (a fallback would hide its bugs)."""
    module = cst.parse_module(TRICKY)
    index = LineIndex(module, TRICKY)
    assert index.scanned


def test_a_misread_source_falls_back_to_code_generation() -> None:
    module = cst.parse_module(NESTED_FSTRING)
    assert not LineIndex(module, NESTED_FSTRING).scanned


def test_windows_line_endings() -> None:
    text = TRICKY.replace("\n", "\r\n")
    module = cst.parse_module(text)
    index = LineIndex(module, text)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    assert index.scanned
    for node, position in positions.items():
        if isinstance(node, cst.BaseStatement):
            assert index.line(node) == position.start.line
