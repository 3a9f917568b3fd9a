"""Parse a handler module's statements, reusing libcst's trees of module-level statements seen
before.

The handler files of one repository repeat their module-level lines word for word: imports,
clients and resources (``s3 = boto3.client("s3")``), environment reads, logger set-up, and
copied helpers and exception classes. libcst's tree of such a statement depends only on its
text (the comments above it aside, which the analysis never reads) and its nodes are
immutable, so one tree can stand in every module that has the statement. A process keeps the
trees of the module-level statements it has parsed, keyed by their exact text, up to
:data:`MAX_KEPT_LINES` lines. The handler function itself is not kept: it differs from file to
file in real code and is the largest statement of its module. libcst then parses only the lines
of the module's other statements, without the comments and empty lines between them (each
empty line is three nodes; the lines of unused definitions blanked before are many), and the
known trees take their places in the module's body.

Line numbers are not libcst's: :class:`lambdaslim.analysis.lines.LineIndex` takes statement
lines from ``ast``'s tree of the whole text and counts lines inside a statement from its start.
A syntax error is reported by a parse of the whole text, at its line.

Only a statement alone on its lines is reused: not ``a = 1; b = 2``, nor a line continued with a
backslash (its tree holds the line after it). A text that occurs twice in one module is parsed
each time, so that no node appears twice in one tree (``LineIndex`` keys lines by node). The
trees come from parses of whole statements, so the body equals libcst's own parse of the text,
except where comments and empty lines between statements are kept and, in a module whose
blocks are indented in more than one way, which blocks spell out their indentation (libcst
leaves out the module's usual one, found in the text it parses). When the statements of the two
parsers do not pair up, or the rest does not parse, the whole text is parsed as it is (and its
errors raised).

Measured on the benchmark's handlers (2,000 files, each worker seeing half): nine in ten of the
module-level simple statements were seen before, and a worker's libcst parsing took 20-30 %
less time; leaving out the lines between statements saved 7-10 % more, reusing helpers and
classes (95 % of them copies) 5-15 % more.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Sequence

import libcst as cst

from lambdaslim.analysis.parsing import parse_module, unvalidated

# Lines of statements whose trees a process keeps (about 2 KB of tree per line): beyond, new
# statements are parsed but not kept. The benchmark's workers keep under 4,000 lines each.
MAX_KEPT_LINES = 20_000


class _Kept:
    """The trees a process keeps, by key (see :func:`_reusable`)."""

    def __init__(self) -> None:
        self.trees: dict[str, cst.BaseStatement] = {}
        self.lines = 0

    def add(self, key: str, node: cst.BaseStatement) -> None:
        lines = key.count("\n")  # the key begins with a line break
        if self.lines + lines <= MAX_KEPT_LINES:
            self.trees[key] = node
            self.lines += lines

    def clear(self) -> None:
        self.trees.clear()
        self.lines = 0


_kept = _Kept()


def parse_reusing(text: str, tree: ast.Module | None, handler: str) -> cst.Module:
    """libcst's module of ``text`` (``tree``: ``ast``'s reading of it, None when there is none),
    its statements parsed without what lies between them, with the trees of module-level
    statements parsed before reused; see the module docstring."""
    if tree is None:
        return parse_module(text)
    lines = text.split("\n")
    crlf = lines[0].endswith("\r")  # the module's default line break, as libcst detects it
    keys = _reusable(tree.body, lines, handler, crlf)
    trees = _kept.trees
    known = {index: trees[key] for index, key in keys.items() if key in trees}
    try:
        rest = parse_module(_statements_text(tree.body, lines, known, crlf))
    except Exception:  # the whole text decides what is raised
        return parse_module(text)
    merged = _merged(rest.body, tree.body, known)
    if merged is None:
        return parse_module(text)
    body, positions = merged
    _keep(keys, body, positions, known)
    if not known:
        return rest
    with unvalidated():
        return rest.with_changes(body=body)


def _statements_text(body: Sequence[ast.stmt], lines: list[str],
                     known: dict[int, cst.BaseStatement], crlf: bool) -> str:
    """The lines of the module's statements but the ``known`` ones, without the comments and
    empty lines between them (libcst builds three nodes for each empty line). The first line
    is empty and ends as the module's first line does: the module's default line break."""
    parts = ["\r" if crlf else ""]
    done = 0  # the last line taken
    for index, statement in enumerate(body):
        if index in known:
            continue
        first = _first_line(statement)
        last = statement.end_lineno
        assert last is not None
        if lines[last - 1].rstrip("\r").endswith("\\") and last < len(lines):
            last += 1  # continued onto an empty or comment line, which its tree holds
        parts.extend(lines[max(first, done + 1) - 1:last])
        done = max(done, last)
    parts.append("")
    return "\n".join(parts)


def _reusable(body: Sequence[ast.stmt], lines: list[str], handler: str,
              crlf: bool) -> dict[int, str]:
    """Position in ``body`` -> key, of each statement not continued with a backslash whose
    text occurs once in the module, but the ``handler`` function (statements sharing a line
    share its text, and :func:`_keep` keeps one-statement lines only). The key is the text after
    the module's default line break (libcst writes a line break only when it differs from it).
    """
    newline = "\r\n" if crlf else "\n"
    keys: dict[int, str] = {}
    for index, statement in enumerate(body):
        if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef) and \
                statement.name == handler:
            continue
        last = statement.end_lineno
        assert last is not None
        text = "\n".join(lines[_first_line(statement) - 1:last])
        if not text.rstrip("\r").endswith("\\"):
            keys[index] = newline + text
    counts = Counter(keys.values())
    return {index: key for index, key in keys.items() if counts[key] == 1}


def _first_line(statement: ast.stmt) -> int:
    """A statement's first line: its first decorator's, if it has any."""
    decorators = getattr(statement, "decorator_list", None)
    return min(statement.lineno, *(d.lineno for d in decorators)) if decorators else \
        statement.lineno


def _merged(parsed: Sequence[cst.BaseStatement], statements: Sequence[ast.stmt],
            known: dict[int, cst.BaseStatement]
            ) -> tuple[list[cst.BaseStatement], list[int]] | None:
    """The module's body: ``parsed`` (libcst's statements of the rest) with the ``known`` trees
    in their places, ``statements`` (``ast``'s) telling the order; and for each of ``ast``'s
    statements, the position in the body of the libcst line that holds it. None when they do
    not pair."""
    body: list[cst.BaseStatement] = []
    positions: list[int] = []
    rest = iter(parsed)
    left = 0  # small statements of the last libcst line not yet matched with ast's
    for index in range(len(statements)):
        reused = known.get(index)
        if reused is not None:
            if left:
                return None
            positions.append(len(body))
            body.append(reused)
            continue
        if not left:
            statement = next(rest, None)
            if statement is None:
                return None
            body.append(statement)
            left = len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
        positions.append(len(body) - 1)
        left -= 1
    if left or next(rest, None) is not None:
        return None
    return body, positions


def _keep(keys: dict[int, str], body: Sequence[cst.BaseStatement], positions: Sequence[int],
          known: dict[int, cst.BaseStatement]) -> None:
    """Keep the trees of this module's reusable statements not known yet (``positions``: where
    each of ``ast``'s statements is in ``body``), those alone on their lines."""
    for index, key in keys.items():
        if index in known or key in _kept.trees:
            continue
        node = body[positions[index]]
        if isinstance(node, cst.BaseCompoundStatement) or (
                isinstance(node, cst.SimpleStatementLine) and len(node.body) == 1):
            if node.leading_lines:
                with unvalidated():
                    node = node.with_changes(leading_lines=())
            _kept.add(key, node)
