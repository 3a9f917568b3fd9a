"""Line numbers for the nodes the analysis reports, without ``PositionProvider``.

``PositionProvider`` costs 2.5x the parse: it records both ends of every node. We need the first
line of statements (nearly every report names one) and of a few expressions (a call's line).

Statements come from the source text: a cheap scan finds the first line of every *logical*
line (outside brackets, strings and backslash continuations, skipping blank and comment lines),
and a walk over the module's statements, in source order, takes one logical line per
statement header (a decorator, ``elif``, ``else:``, ``except``, ``finally:`` and ``case`` each
have their own). Every line taken is checked against what the statement must start with (its
keyword, or no compound keyword for a simple statement), and every logical line must be
taken. When anything disagrees (source the scan misreads), the index falls back to libcst's
code generation over the whole module with a state that counts newlines, which is exact and
about a third of a parse.

An expression's line is found by code generation over the statement that holds it, started at
that statement's line; a node outside the statement given falls back to the whole module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

_NULL_CONTEXT: AbstractContextManager[None] = nullcontext()

# What splits source into logical lines: strings (which may hold newlines, quotes and '#'),
# comments, brackets, backslash continuations and newlines.
_TOKENS = re.compile(
    r"""(?P<string>'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"
                  |'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*")
      |(?P<comment>\#[^\n]*)
      |(?P<open>[(\[{])
      |(?P<close>[)\]}])
      |(?P<continuation>\\\r?\n)
      |(?P<newline>\n)""",
    re.VERBOSE | re.DOTALL,
)
_FIRST_WORD = re.compile(r"[ \t\f]*(@|[A-Za-z_][A-Za-z0-9_]*)")
_COMPOUND = frozenset({"if", "elif", "else", "for", "while", "try", "except", "finally", "with",
                       "def", "class", "async", "@"})
_SIMPLE_KEYWORDS: dict[type[cst.CSTNode], str] = {
    cst.Return: "return", cst.Raise: "raise", cst.Pass: "pass", cst.Break: "break",
    cst.Continue: "continue", cst.Import: "import", cst.ImportFrom: "from",
    cst.Global: "global", cst.Nonlocal: "nonlocal", cst.Del: "del", cst.Assert: "assert",
}


@dataclass
class _LineCounter(CodegenState):
    """A codegen state that keeps only the current line and each node's first line."""

    line: int = 1
    starts: dict[int, int] = field(default_factory=dict)

    def add_token(self, value: str) -> None:
        if "\n" in value:
            self.line += value.count("\n")

    def add_indent_tokens(self) -> None:
        """Indentation never holds a newline."""

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> AbstractContextManager[None]:
        """Record the start line now; a shared null context is cheaper than a generator."""
        self.starts.setdefault(id(node), self.line)
        return _NULL_CONTEXT


class _Mismatch(Exception):
    """The logical lines and the statements do not line up."""


class LineIndex:
    """Start lines of the statements of one parsed module, and of expressions on demand."""

    def __init__(self, module: cst.Module, source: str):
        self._module = module
        self._statements: dict[int, int] = {}
        self._expressions: dict[int, dict[int, int]] = {}  # per statement
        self._whole: dict[int, int] | None = None
        #: Whether the scan located the statements (False: code generation did).
        self.scanned = True
        try:
            _StatementLines(source, self._statements).module(module)
        except _Mismatch:
            self.scanned = False
            self._statements = self._codegen(module)

    def def_line(self, func: cst.FunctionDef) -> int:
        """The line of ``def`` (after any decorators)."""
        return self._statements[id(func)]

    def line(self, node: cst.CSTNode, within: cst.CSTNode | None = None) -> int | None:
        """The first line of ``node``: a statement, a decorator, or a node inside the statement
        ``within``. None when the node has no position of its own (whitespace, operators)."""
        found = self._statements.get(id(node))
        if found is not None:
            return found
        start = None if within is None else self._statements.get(id(within))
        if within is not None and start is not None:
            inside = self._expressions.get(id(within))
            if inside is None:
                inside = self._expressions[id(within)] = self._codegen(within, start)
            found = inside.get(id(node))
            if found is not None:
                return found
        if self._whole is None:
            self._whole = self._codegen(self._module)
        return self._whole.get(id(node))

    def _codegen(self, node: cst.CSTNode, start: int | None = None) -> dict[int, int]:
        """First lines of ``node`` and everything in it: from line 1 for the module, else
        with ``node`` itself on line ``start`` (empty when ``node`` records no position)."""
        counter = _LineCounter(
            default_indent=self._module.default_indent,
            default_newline=self._module.default_newline,
        )
        node._codegen(counter)
        if start is None:
            return counter.starts
        own = counter.starts.get(id(node))
        if own is None:
            return {}
        offset = start - own
        return {key: value + offset for key, value in counter.starts.items()}


class _StatementLines:
    """Assigns logical lines to the module's statements, in source order, checking each."""

    def __init__(self, source: str, lines: dict[int, int]):
        self._source = source
        self._logical: Iterator[tuple[int, str]] = iter(_logical_lines(source))
        self._lines = lines

    def module(self, module: cst.Module) -> None:
        self._statements(module.body)
        if next(self._logical, None) is not None:
            raise _Mismatch

    def _take(self, node: cst.CSTNode, *expected: str) -> int:
        """The next logical line, for ``node``; its first word must be one of ``expected``
        (a simple statement expects ``""``: any first word but a compound keyword)."""
        taken = next(self._logical, None)
        if taken is None:
            raise _Mismatch
        line, word = taken
        if expected != ("",) and word not in expected:
            raise _Mismatch
        if expected == ("",) and word in _COMPOUND:
            raise _Mismatch
        self._lines[id(node)] = line
        return line

    def _statements(self, body: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> None:
        for statement in body:
            self._statement(statement)

    def _suite(self, suite: cst.BaseSuite, header: int) -> None:
        if isinstance(suite, cst.SimpleStatementSuite):
            for small in suite.body:
                self._lines[id(small)] = header
        else:
            self._statements(suite.body)

    def _statement(self, node: cst.BaseStatement | cst.BaseSmallStatement) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            first = node.body[0] if node.body else None
            keyword = _SIMPLE_KEYWORDS.get(type(first), "") if first is not None else ""
            line = self._take(node, keyword)
            for small in node.body:
                self._lines[id(small)] = line
        elif isinstance(node, cst.FunctionDef | cst.ClassDef):
            for decorator in node.decorators:
                self._take(decorator, "@")
            keyword = "class" if isinstance(node, cst.ClassDef) else "def"
            self._suite(node.body, self._take(node, keyword, "async"))
        elif isinstance(node, cst.If):
            self._if(node, "if")
        elif isinstance(node, cst.For | cst.While):
            keyword = "for" if isinstance(node, cst.For) else "while"
            self._suite(node.body, self._take(node, keyword, "async"))
            self._else(node.orelse)
        elif isinstance(node, cst.With):
            self._suite(node.body, self._take(node, "with", "async"))
        elif isinstance(node, cst.Try | cst.TryStar):
            self._suite(node.body, self._take(node, "try"))
            for handler in node.handlers:
                self._suite(handler.body, self._take(handler, "except"))
            self._else(node.orelse)
            if node.finalbody is not None:
                self._suite(node.finalbody.body, self._take(node.finalbody, "finally"))
        elif isinstance(node, cst.Match):
            self._take(node, "match")
            for case in node.cases:
                self._suite(case.body, self._take(case, "case"))
        else:
            raise _Mismatch  # a statement kind this walk does not know

    def _if(self, node: cst.If, keyword: str) -> None:
        self._suite(node.body, self._take(node, keyword))
        if isinstance(node.orelse, cst.If):
            self._if(node.orelse, "elif")
        else:
            self._else(node.orelse)

    def _else(self, orelse: cst.Else | None) -> None:
        if orelse is not None:
            self._suite(orelse.body, self._take(orelse, "else"))


def _logical_lines(source: str) -> list[tuple[int, str]]:
    """(line, first word) of every logical line that holds code, in order."""
    # Lines that continue a logical line: inside brackets or strings, or after a backslash.
    continued: set[int] = set()
    depth = 0
    line = 1
    for match in _TOKENS.finditer(source):
        kind = match.lastgroup
        if kind == "newline":
            line += 1
            if depth > 0:
                continued.add(line)
        elif kind == "string":
            newlines = match.group().count("\n")
            continued.update(range(line + 1, line + newlines + 1))
            line += newlines
        elif kind == "open":
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "continuation":
            line += 1
            continued.add(line)
    found = []
    for number, text in enumerate(source.split("\n"), start=1):
        if number in continued:
            continue
        word = _FIRST_WORD.match(text)
        if word is not None:
            found.append((number, word.group(1)))
        elif text.strip(" \t\f\r") and not text.lstrip(" \t\f\r").startswith("#"):
            found.append((number, ""))  # code that starts with neither a name nor '@'
    return found
