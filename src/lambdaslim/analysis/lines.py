"""Line numbers for the few nodes the analysis reports, without ``PositionProvider``.

``PositionProvider`` records start and end positions of every node of the module: 2.5x the
parse on a typical 40-line handler module (libcst 1.9). The analysis only needs the start line
of the statements it runs and of a few nodes inside them (an SDK call, a decorator), so:

- Statements and decorators take their line from Python's own parser (``ast``, in C, about a
  tenth of a libcst parse; usually already parsed to blank unused functions): the statement
  lists of both trees are paired one to one, recursively through compound statements.
- Any other node is located by regenerating the code of the statement the analysis is running
  (which the caller passes as ``within``) up to that node, with a codegen state that counts
  newlines instead of building strings, anchored on that statement's line (the nodes asked for
  are mostly near the start of their statement: stopping there made the analysis of the
  benchmark's handlers 12-15 % cheaper). A node that is not inside it (or a
  module ``ast`` cannot read, or whose statements do not pair up) falls back to regenerating
  the whole function, anchored on its ``def`` line.

Measured on the benchmark's 2,000 handlers: regenerating every analysed function cost about a
quarter of the libcst parse; this index costs a small fraction of that.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from lambdaslim.analysis.parsing import python_ast

_NULL_CONTEXT: AbstractContextManager[None] = nullcontext()

# libcst compound statements and the ast classes that stand for them.
_COMPOUND: dict[type[cst.CSTNode], tuple[type[ast.stmt], ...]] = {
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.TryStar: (ast.TryStar,),
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.Match: (ast.Match,),
}

# Nodes small enough to regenerate on their own to locate a node inside them.
_SMALL = (cst.SimpleStatementLine, cst.BaseSmallStatement, cst.Decorator)


class _Mismatch(Exception):
    """The two parsers' statements do not pair up: use codegen alone."""


class _Reached(Exception):
    """The codegen of :class:`_LineCounter` reached the node it looks for."""


@dataclass
class _LineCounter(CodegenState):
    """A codegen state that keeps only the current line and each node's first line; with a
    ``target`` (a node's id), it stops at that node's start by raising :class:`_Reached`."""

    line: int = 1
    starts: dict[int, int] = field(default_factory=dict)
    target: int | None = None

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
        key = id(node)
        self.starts.setdefault(key, self.line)
        if key == self.target:
            raise _Reached
        return _NULL_CONTEXT


class LineIndex:
    """Start lines of nodes of one parsed module, computed on demand.

    ``tree`` is ``ast``'s reading of the same text, when the caller has it (None: parsed here
    when first needed).
    """

    def __init__(self, module: cst.Module, source: str, tree: ast.Module | None = None):
        self._module = module
        self._source = source
        self._tree = tree
        self._paired: _Paired | None = None
        self._functions: dict[int, tuple[int, dict[int, int]]] = {}

    def def_line(self, func: cst.FunctionDef) -> int:
        line = self._pairs().lines.get(id(func))
        return line if line is not None else self._function(func)[0]

    def line(self, node: cst.CSTNode, func: cst.FunctionDef | None,
             within: cst.CSTNode | None = None) -> int | None:
        """The first line of ``node``, which lies inside ``func`` (None: a module statement).

        ``within`` is the statement being run, when the caller knows it: a node inside it is
        located from it, a cheaper codegen than the whole function's. None when the node has
        no recorded position (whitespace, operators).
        """
        paired = self._pairs()
        if func is None:
            if isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement):
                first = paired.first_line(node)
                return first if first is not None else self._module_statement_line(node)
            return None
        known = paired.lines.get(id(node))
        if known is not None:
            return known
        if isinstance(within, _SMALL):
            anchor = paired.lines.get(id(within))
            if anchor is not None:
                offset = self._offset(node, within)
                if offset is not None:
                    return anchor + offset
        return self._function(func)[1].get(id(node))

    def _pairs(self) -> _Paired:
        if self._paired is None:
            tree = self._tree if self._tree is not None else python_ast(self._source)
            self._paired = _Paired(self._module, tree, self._source)
        return self._paired

    def _counter(self, target: cst.CSTNode | None = None) -> _LineCounter:
        return _LineCounter(default_indent=self._module.default_indent,
                            default_newline=self._module.default_newline,
                            target=None if target is None else id(target))

    def _offset(self, node: cst.CSTNode, within: cst.CSTNode) -> int | None:
        """Lines from the start of ``within`` to the start of ``node`` (None: not inside it).

        The code of ``within`` is generated only up to ``node``: the nodes the analysis asks
        for (an SDK call, a subscript) are mostly near the start of their statement."""
        counter = self._counter(node)
        try:
            within._codegen(counter)
        except _Reached:
            return counter.line - counter.starts[id(within)]
        return None

    def _function(self, func: cst.FunctionDef) -> tuple[int, dict[int, int]]:
        cached = self._functions.get(id(func))
        if cached is not None:
            return cached
        counter = self._counter()
        func._codegen(counter)
        starts = counter.starts
        anchor = self._pairs().lines.get(id(func)) or self._find_def(func.name.value)
        offset = 0 if anchor is None else anchor - starts[id(func)]
        shifted = {key: value + offset for key, value in starts.items()}
        result = (shifted[id(func)], shifted)
        self._functions[id(func)] = result
        return result

    def _find_def(self, name: str) -> int | None:
        """The line of the last ``def name`` at column 0 (the one Python binds)."""
        pattern = re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(name)}\b", re.M)
        starts = [match.start() for match in pattern.finditer(self._source)]
        return self._source.count("\n", 0, starts[-1]) + 1 if starts else None

    def _module_statement_line(self, node: cst.CSTNode) -> int:
        """The first line of code of a module statement, by searching the text for it (when
        ``ast`` could not pair the statements)."""
        if isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            node = node.with_changes(leading_lines=())
        first = self._module.code_for_node(node).lstrip("\n").split("\n", 1)[0].strip()
        index = self._source.find(first) if first else -1
        return 1 if index < 0 else self._source.count("\n", 0, index) + 1


class _Paired:
    """Lines of the statements and decorators of a libcst module, from ``ast``'s tree of the
    same text: ``lines`` has each statement's keyword line (a decorated function's ``def``
    line, as libcst's positions have it), each decorator's ``@`` line. Empty when the trees
    do not pair up."""

    def __init__(self, module: cst.Module, tree: ast.Module | None, source: str):
        self.lines: dict[int, int] = {}
        self._source_lines = source.split("\n")
        if tree is None:
            return
        try:
            self._body(module.body, tree.body)
        except _Mismatch:
            self.lines.clear()

    def first_line(self, statement: cst.CSTNode) -> int | None:
        """The first line of a statement's code: its first decorator's, if it has any."""
        decorators = getattr(statement, "decorators", ())
        return self.lines.get(id(decorators[0] if decorators else statement))

    def _body(self, statements: Sequence[cst.CSTNode], parsed: Sequence[ast.stmt]) -> None:
        position = 0
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                smalls: Sequence[cst.CSTNode] = statement.body
                self.lines[id(statement)] = _at(parsed, position).lineno
            elif isinstance(statement, cst.BaseSmallStatement):
                smalls = (statement,)
            else:
                self._compound(statement, _at(parsed, position))
                position += 1
                continue
            for small in smalls:
                self.lines[id(small)] = _at(parsed, position).lineno
                position += 1
        if position != len(parsed):
            raise _Mismatch

    def _compound(self, statement: cst.CSTNode, parsed: ast.stmt) -> None:
        if not isinstance(parsed, _COMPOUND.get(type(statement), ())):
            raise _Mismatch
        self.lines[id(statement)] = parsed.lineno
        if isinstance(statement, cst.If):
            assert isinstance(parsed, ast.If)
            self._suite(statement.body, parsed.body)
            if isinstance(statement.orelse, cst.If):  # elif
                if len(parsed.orelse) != 1:
                    raise _Mismatch
                self._compound(statement.orelse, parsed.orelse[0])
            else:
                self._suite(statement.orelse, parsed.orelse)
        elif isinstance(statement, cst.For | cst.While):
            assert isinstance(parsed, ast.For | ast.AsyncFor | ast.While)
            self._suite(statement.body, parsed.body)
            self._suite(statement.orelse, parsed.orelse)
        elif isinstance(statement, cst.Try | cst.TryStar):
            assert isinstance(parsed, ast.Try | ast.TryStar)
            self._suite(statement.body, parsed.body)
            if len(statement.handlers) != len(parsed.handlers):
                raise _Mismatch
            for handler, parsed_handler in zip(statement.handlers, parsed.handlers, strict=True):
                self._suite(handler, parsed_handler.body)
            self._suite(statement.orelse, parsed.orelse)
            self._suite(statement.finalbody, parsed.finalbody)
        elif isinstance(statement, cst.FunctionDef | cst.ClassDef):
            assert isinstance(parsed, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            self._decorators(statement.decorators, parsed.decorator_list)
            self._suite(statement, parsed.body)
        elif isinstance(statement, cst.Match):
            assert isinstance(parsed, ast.Match)
            if len(statement.cases) != len(parsed.cases):
                raise _Mismatch
            for case, parsed_case in zip(statement.cases, parsed.cases, strict=True):
                self._suite(case, parsed_case.body)
        else:
            assert isinstance(statement, cst.With)
            self._suite(statement, parsed.body)  # type: ignore[attr-defined]

    def _suite(self, owner: cst.CSTNode | None, parsed: Sequence[ast.stmt]) -> None:
        """Pair the statements of ``owner``'s body (an Else, a handler, a function...)."""
        if owner is None:
            if parsed:
                raise _Mismatch
            return
        body = getattr(owner, "body", None)
        if isinstance(body, cst.BaseSuite):
            body = body.body
        if not isinstance(body, Sequence):
            raise _Mismatch
        self._body(body, parsed)

    def _decorators(self, decorators: Sequence[cst.Decorator],
                    parsed: Sequence[ast.expr]) -> None:
        """A decorator's line is its ``@``'s: the line of its expression, which must begin
        with ``@`` (an expression continued from the ``@`` line with a backslash does not)."""
        if len(decorators) != len(parsed):
            raise _Mismatch
        for decorator, expression in zip(decorators, parsed, strict=True):
            line = expression.lineno
            if not self._source_lines[line - 1].lstrip().startswith("@"):
                raise _Mismatch
            self.lines[id(decorator)] = line


def _at(parsed: Sequence[ast.stmt], position: int) -> ast.stmt:
    if position >= len(parsed):
        raise _Mismatch
    return parsed[position]
