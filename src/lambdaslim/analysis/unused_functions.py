"""Blank out the module-level functions a handler cannot reach, before libcst parses the module.

Handler files often hold more than the handler: helpers nobody calls any more, or the other
handlers of a module that serves several functions (``Handler: app.create``, ``app.get``...).
The analysis of one handler runs the module's top level and then the handler, so a plain
``def`` whose name is never used anywhere else cannot change its summary: it only binds a name.
Parsing it with libcst is the dominant cost of an analysis, so such a ``def`` is replaced by
empty lines first (line and column numbers of everything else stay as they are). The module is
located with Python's own parser (``ast``, written in C: a small fraction of a libcst parse).

What stays, so that nothing the handler can reach is lost:

- the handler itself, decorated functions (a decorator runs at import and may register the
  function somewhere), dunder functions (a module ``__getattr__``), classes and every other
  statement;
- any function whose name occurs anywhere else in the text as a word, comments and strings
  included;
- every function when the module looks names up by string (``globals()``, ``getattr``,
  ``eval``...), when ``ast`` cannot parse it, or when it uses lone carriage returns as line
  breaks (where line counting could differ).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from typing import NamedTuple

from lambdaslim.analysis.parsing import python_ast

# Ways a module can reach a function without writing its name as a word.
_DYNAMIC_LOOKUPS = ("globals", "locals", "vars", "eval", "exec", "getattr", "__dict__",
                    "sys.modules", "import_module", "__import__", "inspect")


class Blanked(NamedTuple):
    """The text to parse, and ``ast``'s tree of it when it was parsed here (the blanked
    functions taken out of its body), for :class:`lambdaslim.analysis.lines.LineIndex`."""

    text: str
    tree: ast.Module | None


def blank_unused_functions(text: str, function: str) -> Blanked:
    """``text`` with the lines of every unreachable module-level function made empty."""
    if text.count("def ") < 2 or "\r" in text.replace("\r\n", ""):
        return Blanked(text, None)
    words = text if text.isascii() else unicodedata.normalize("NFKC", text)  # as Python reads
    if any(lookup in words for lookup in _DYNAMIC_LOOKUPS):
        return Blanked(text, None)
    module = python_ast(text)
    if module is None:
        return Blanked(text, None)  # libcst parses the whole text and reports what it finds
    lines = text.split("\n")
    unused = [
        statement for statement in module.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
        and not statement.decorator_list
        and _unused(statement, function, words, lines)
    ]
    if not unused:
        return Blanked(text, module)
    for statement in unused:
        assert statement.end_lineno is not None
        for index in range(statement.lineno - 1, statement.end_lineno):
            lines[index] = "\r" if lines[index].endswith("\r") else ""
    module.body = [statement for statement in module.body if statement not in unused]
    return Blanked("\n".join(lines), module)


def _unused(statement: ast.FunctionDef | ast.AsyncFunctionDef, handler: str, words: str,
            lines: list[str]) -> bool:
    """Whether the function's name occurs nowhere but in its own definition."""
    name = statement.name
    dunder = name.startswith("__") and name.endswith("__")
    if dunder or name == unicodedata.normalize("NFKC", handler):
        return False
    assert statement.end_lineno is not None
    own = "\n".join(lines[statement.lineno - 1:statement.end_lineno])
    if not own.isascii():
        own = unicodedata.normalize("NFKC", own)
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    return len(pattern.findall(words)) == len(pattern.findall(own))
