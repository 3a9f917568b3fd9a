"""Line numbers for the few nodes the analysis reports, without ``PositionProvider``.

Measured on a typical 40-line handler module (300 parses, libcst 1.9): parse 3.1 ms;
``PositionProvider`` 2.5x the parse; full-module codegen 0.4x; this index, for the handler
function, 0.2x. ``PositionProvider`` records
start and end positions of every node of the module. We only need the start line of the nodes
inside the functions we actually analyse (the handler and the helpers it calls), so we regenerate
code for those functions alone with a codegen state that counts newlines instead of building
strings, and anchor each function on its ``def`` line found by a regular expression over the
source. Module-level statements are located lazily by searching for their first line of code.
When a search finds its text more than once (a ``def handler`` inside a string, a line repeated
in a function), the positions of Python's own parser (``ast``) decide.
"""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

import libcst as cst
from libcst._nodes.internal import CodegenState

from lambdaslim.analysis.parsing import python_ast

_NULL_CONTEXT: AbstractContextManager[None] = nullcontext()


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


class LineIndex:
    """Start lines of nodes of one parsed module, computed per function on demand."""

    def __init__(self, module: cst.Module, source: str):
        self._module = module
        self._source = source
        self._functions: dict[int, tuple[int, dict[int, int]]] = {}
        self._module_lines: dict[int, int] = {}
        self._statements: dict[cst.CSTNode, tuple[int, int]] | None = None

    def def_line(self, func: cst.FunctionDef) -> int:
        return self._function(func)[0]

    def line(self, node: cst.CSTNode, func: cst.FunctionDef | None) -> int | None:
        """The first line of ``node``, which lies inside ``func`` (None: a module statement).

        None when the node has no recorded position (whitespace, operators).
        """
        if func is None:
            if isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement):
                return self._module_statement_line(node)
            return None
        return self._function(func)[1].get(id(node))

    def _function(self, func: cst.FunctionDef) -> tuple[int, dict[int, int]]:
        cached = self._functions.get(id(func))
        if cached is not None:
            return cached
        counter = _LineCounter(
            default_indent=self._module.default_indent,
            default_newline=self._module.default_newline,
        )
        func._codegen(counter)
        anchor = self._find_def(func.name.value)
        offset = 0 if anchor is None else anchor - counter.starts[id(func)]
        starts = {key: value + offset for key, value in counter.starts.items()}
        result = (starts[id(func)], starts)
        self._functions[id(func)] = result
        return result

    def _find_def(self, name: str) -> int | None:
        """The line of the last ``def name`` at column 0 (the one Python binds)."""
        pattern = re.compile(rf"^(?:async[ \t]+)?def[ \t]+{re.escape(name)}\b", re.M)
        starts = [match.start() for match in pattern.finditer(self._source)]
        if len(starts) > 1:  # one may sit in a string: ask Python's parser which is code
            lines = [def_line for statement, (_, def_line) in self._statement_lines().items()
                     if isinstance(statement, cst.FunctionDef) and statement.name.value == name]
            if lines:
                return lines[-1]
        return self._source.count("\n", 0, starts[-1]) + 1 if starts else None

    def _module_statement_line(self, node: cst.CSTNode) -> int:
        cached = self._module_lines.get(id(node))
        if cached is not None:
            return cached
        original = node
        if isinstance(node, cst.SimpleStatementLine | cst.BaseCompoundStatement):
            node = node.with_changes(leading_lines=())
        first = self._module.code_for_node(node).lstrip("\n").split("\n", 1)[0].strip()
        index = self._source.find(first) if first else -1
        line = 1 if index < 0 else self._source.count("\n", 0, index) + 1
        if index >= 0 and self._source.find(first, index + 1) >= 0:  # the text is not unique
            line = self._statement_lines().get(original, (line, line))[0]
        self._module_lines[id(original)] = line
        return line

    def _statement_lines(self) -> dict[cst.CSTNode, tuple[int, int]]:
        """Per statement of the module body, its first line (a decorator's, if any) and the line
        of its keyword, from Python's own parser (``ast``, in C): only asked when a text search
        is ambiguous. Empty when ``ast`` cannot parse the text, or its statements do not pair
        up with libcst's."""
        if self._statements is None:
            self._statements = _statement_lines(self._module, self._source)
        return self._statements


def _statement_lines(module: cst.Module, source: str) -> dict[cst.CSTNode, tuple[int, int]]:
    parsed_module = python_ast(source)
    if parsed_module is None:
        return {}
    body = parsed_module.body
    lines: dict[cst.CSTNode, tuple[int, int]] = {}
    position = 0
    for statement in module.body:
        count = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        parsed = body[position:position + count]
        if len(parsed) != count:
            return {}
        decorators = getattr(parsed[0], "decorator_list", [])
        first = min([parsed[0].lineno, *(decorator.lineno for decorator in decorators)])
        lines[statement] = (first, parsed[0].lineno)
        position += count
    return lines if position == len(body) else {}
