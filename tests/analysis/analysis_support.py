"""Helpers shared by the analysis tests: fixture handlers by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaslim.analysis import HandlerVerdict, analyze_handler_file, summarize_handler
from lambdaslim.analysis.ir import HandlerSummary

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "handlers"


def fixture_path(name: str) -> Path:
    return FIXTURES / f"{name}.py"


def summary_of(name: str, function: str = "handler") -> HandlerSummary:
    path = fixture_path(name)
    return summarize_handler(path.read_bytes(), str(path), function)


def verdict_of(catalog: Any, name: str, function: str = "handler", **kwargs: Any) -> HandlerVerdict:
    return analyze_handler_file(fixture_path(name), function, catalog, **kwargs)


def summarize_text(source: str, function: str = "handler") -> HandlerSummary:
    return summarize_handler(source.encode(), "inline.py", function)
