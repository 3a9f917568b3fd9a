"""Parsing without node validation gives libcst's own tree, and leaves validation on after."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from analysis_support import FIXTURES

from lambdaslim.analysis.parsing import parse_module

ROOT = Path(__file__).resolve().parents[2]


def _sources() -> list[Path]:
    return sorted(FIXTURES.glob("*.py")) + sorted(
        (ROOT / "samples" / "original_13_lambdas" / "functions").rglob("*.py"))


@pytest.mark.parametrize("path", _sources(), ids=lambda path: path.name)
def test_same_tree_as_libcst(path: Path) -> None:
    text = path.read_text("utf-8", errors="replace")
    try:
        expected = cst.parse_module(text)
    except cst.ParserSyntaxError:
        with pytest.raises(cst.ParserSyntaxError):
            parse_module(text)
        return
    parsed = parse_module(text)
    assert parsed.deep_equals(expected)
    assert parsed.code == text


def test_validation_is_back_after_a_parse_and_after_a_syntax_error() -> None:
    parse_module("x = 1\n")
    with pytest.raises(cst.ParserSyntaxError):
        parse_module("def (:\n")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")
