"""``libcst.parse_module`` without re-validating the nodes the parser builds.

Every libcst node validates itself when it is constructed (``CSTNode.__post_init__`` calls
``_validate``). That is useful when code builds nodes by hand; on the parser's own output it
re-checks what the grammar already guaranteed, and it costs 12-19 % of a parse (measured on the
benchmark's handlers, libcst 1.9). libcst says as much next to ``__post_init__`` ("PERF: ...
avoid validating the tree when parsing a file"). So the analysis parses with validation off
for the duration of the parse only; nodes built later (``with_changes``) validate as usual.

Handlers are parsed in one thread per process (worker processes, or the main one), so switching
the class attribute for the duration of the call does not leak into other work.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import libcst as cst
from libcst._nodes.base import CSTNode


def _skip_validation(self: CSTNode) -> None:
    """Stands in for ``CSTNode.__post_init__`` while the parser builds the tree."""


@contextmanager
def unvalidated() -> Iterator[None]:
    """Nodes made inside the block are not validated (for nodes known to be valid)."""
    validate = CSTNode.__dict__["__post_init__"]
    CSTNode.__post_init__ = _skip_validation  # type: ignore[method-assign]
    try:
        yield
    finally:
        CSTNode.__post_init__ = validate  # type: ignore[method-assign]


def parse_module(text: str) -> cst.Module:
    """The module of ``text``, as ``libcst.parse_module`` gives it (it raises the same errors)."""
    with unvalidated():
        return cst.parse_module(text)


def python_ast(text: str) -> ast.Module | None:
    """``text`` as Python's own parser (``ast``, in C) reads it, or None when it cannot: syntax
    it does not know, or nesting too deep. Its warnings (invalid escapes) are not shown: the
    analysis reports what it finds itself."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
