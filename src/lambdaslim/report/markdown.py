"""The jinja2 environment of the Markdown reports, and the filters that keep them valid Markdown.

Templates live in ``lambdaslim/templates/report_*.md.j2``. Text from the application (messages,
state names, code) goes through a filter that fits where it lands: ``cell`` in a table,
``code`` inline, ``fence`` for a block (with a fence longer than any run of backticks inside).
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jinja2

_BACKTICKS = re.compile(r"`+")


def text(value: Any) -> str:
    """Plain text (a message, a reason) as Markdown: ``<Error>`` must not read as HTML."""
    return str(value).replace("<", "&lt;").replace(">", "&gt;")


def cell(value: Any) -> str:
    """Text for one table cell: no line break, no unescaped ``|``."""
    return " ".join(str(value).split()).replace("|", "\\|")


def number(value: float) -> str:
    """``1``, ``0.67``: at most two decimals, none when the value is whole."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def code(value: Any) -> str:
    """Inline code that survives backticks inside."""
    text = str(value)
    ticks = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(value: Any, language: str = "") -> str:
    """A fenced code block whatever the text holds."""
    text = str(value).rstrip("\n")
    longest = max((len(run) for run in _BACKTICKS.findall(text)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{text}\n{ticks}"


def usd(value: float) -> str:
    return f"${value:,.2f}"


def milliseconds(value: float) -> str:
    return f"{value:,.0f} ms"


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("lambdaslim", "templates"),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters.update(cell=cell, code=code, fence=fence, pretty_json=pretty_json, usd=usd,
                       ms=milliseconds, text=text, number=number)
    return env


def render(template: str, **context: Any) -> str:
    """Render ``template``; the text ends with exactly one newline."""
    return environment().get_template(template).render(**context).rstrip("\n") + "\n"
