"""Blank out the module-level definitions a handler cannot reach, before libcst parses the module.

Handler files often hold more than the handler: helpers nobody calls any more, the other
handlers of a module that serves several functions (``Handler: app.create``, ``app.get``...),
constants left from older versions. The analysis of one handler runs the module's top level and
then the handler, so a plain ``def`` whose name is never used anywhere else, or a constant
nothing reads, cannot change its summary: it only binds a name. Parsing them with libcst is the
dominant cost of an analysis, so they are replaced by empty lines first (line and column numbers
of everything else stay as they are). The module is located with Python's own parser (``ast``,
written in C: a small fraction of a libcst parse); its tree, without the blanked statements,
also gives :class:`lambdaslim.analysis.lines.LineIndex` its lines.

Blanked:

- a module-level ``def`` without decorators (a decorator runs at import and may register the
  function somewhere), not a dunder (a module ``__getattr__``), not the handler, whose name
  occurs nowhere else in the text as a word, comments and strings included;
- then a module-level ``NAME = literal`` (strings, numbers, booleans, None, and tuples, lists,
  sets and dicts of them: nothing that calls, reads a name or formats), not a dunder, alone on
  its lines, whose name occurs nowhere else in what is left of the text.

Nothing is blanked when the module looks names up by string (``globals()``, ``getattr``,
``eval``...), when ``ast`` cannot parse it, or when it uses lone carriage returns as line
breaks (where line counting could differ).
"""

from __future__ import annotations

import ast
import re
import unicodedata
from collections import Counter
from collections.abc import Sequence
from typing import NamedTuple

from lambdaslim.analysis.parsing import python_ast

# A word as the name counts see it: a maximal run of word characters, so counting NAME among
# them counts NAME where no word character touches it.
_WORD = re.compile(r"\w+")

# Ways a module can reach a name without writing it as a word.
_DYNAMIC_LOOKUPS = ("globals", "locals", "vars", "eval", "exec", "getattr", "__dict__",
                    "sys.modules", "import_module", "__import__", "inspect")


class Blanked(NamedTuple):
    """The text to parse, and ``ast``'s tree of it when it was parsed here (the blanked
    statements taken out of its body), for :class:`lambdaslim.analysis.lines.LineIndex`."""

    text: str
    tree: ast.Module | None


def blank_unused(text: str, function: str) -> Blanked:
    """``text`` with the lines of every module-level definition ``function`` cannot reach made
    empty: unused functions first, then the constants only they used, or nothing used."""
    if "\r" in text.replace("\r\n", ""):
        return Blanked(text, None)
    words = _as_python_reads(text)
    if any(lookup in words for lookup in _DYNAMIC_LOOKUPS):
        return Blanked(text, None)
    module = python_ast(text)
    if module is None:
        return Blanked(text, None)  # libcst parses the whole text and reports what it finds
    lines = text.split("\n")
    counts = Counter(_WORD.findall(words))
    handler = unicodedata.normalize("NFKC", function)
    functions = [
        statement for statement in module.body
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef)
        and not statement.decorator_list and statement.name != handler
        and _unused(statement.name, statement, counts, lines)
    ]
    _blank(functions, lines)
    if functions:
        counts = Counter(_WORD.findall(_as_python_reads("\n".join(lines))))
    constants = [
        statement for index, statement in enumerate(module.body)
        if _constant(module.body, index) and _unused(_target(statement), statement, counts, lines)
    ]
    _blank(constants, lines)
    if not functions and not constants:
        return Blanked(text, module)
    gone = {id(statement) for statement in (*functions, *constants)}
    module.body = [statement for statement in module.body if id(statement) not in gone]
    return Blanked("\n".join(lines), module)


def _as_python_reads(text: str) -> str:
    """Identifiers as Python compares them (NFKC)."""
    return text if text.isascii() else unicodedata.normalize("NFKC", text)


def _unused(name: str, statement: ast.stmt, counts: Counter[str], lines: list[str]) -> bool:
    """Whether ``name`` occurs nowhere but in ``statement``'s own lines (``counts``: how often
    each word occurs in the text)."""
    if name.startswith("__") and name.endswith("__"):
        return False
    assert statement.end_lineno is not None
    own = _as_python_reads("\n".join(lines[statement.lineno - 1:statement.end_lineno]))
    return counts[name] == _WORD.findall(own).count(name)


def _blank(statements: Sequence[ast.stmt], lines: list[str]) -> None:
    for statement in statements:
        assert statement.end_lineno is not None
        for index in range(statement.lineno - 1, statement.end_lineno):
            lines[index] = "\r" if lines[index].endswith("\r") else ""


def _constant(body: Sequence[ast.stmt], index: int) -> bool:
    """``NAME = literal``, alone on its lines (``A = 1; B = f()`` shares one)."""
    statement = body[index]
    if not (isinstance(statement, ast.Assign) and len(statement.targets) == 1
            and isinstance(statement.targets[0], ast.Name) and _literal(statement.value)):
        return False
    before = body[index - 1].end_lineno if index else 0
    after = body[index + 1].lineno if index + 1 < len(body) else None
    assert before is not None and statement.end_lineno is not None
    return before < statement.lineno and (after is None or after > statement.end_lineno)


def _target(statement: ast.stmt) -> str:
    assert isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name)
    return statement.targets[0].id


def _literal(node: ast.expr) -> bool:
    """A value built from constants alone: evaluating it can run no code."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, ast.USub | ast.UAdd) and isinstance(node.operand, ast.Constant)
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return all(_literal(item) for item in node.elts)
    if isinstance(node, ast.Dict):
        return all(key is not None and _literal(key) for key in node.keys) and all(
            _literal(value) for value in node.values)
    return False
