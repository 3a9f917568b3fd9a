"""The handler lines that decided, quoted from the source: each decisive line and the rest of
its statement (until the brackets it opens are closed, and the body of an ``if ...:`` guard),
at most ``MAX_LINES`` lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

MAX_LINES = 15
_OPEN, _CLOSE = "([{", ")]}"


@dataclass(frozen=True)
class Quote:
    file: str
    start: int
    end: int
    text: str


def quotes(root: Path, file: str, lines: Iterable[int]) -> list[Quote]:
    """Quotes of ``file`` (relative to ``root``) covering ``lines``; overlapping ones merge."""
    path = root / file
    if not path.is_file():
        return []
    source = path.read_text(encoding="utf-8", errors="replace").splitlines()
    spans: list[tuple[int, int]] = []
    for line in sorted(set(lines)):
        if not 1 <= line <= len(source):
            continue
        end = _statement_end(source, line)
        if spans and line <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        else:
            spans.append((line, end))
    return [Quote(file, start, end, "\n".join(source[start - 1:end])) for start, end in spans]


def _statement_end(source: list[str], line: int) -> int:
    last = min(len(source), line + MAX_LINES - 1)
    depth = 0
    for number in range(line, last + 1):
        text = source[number - 1].split("#", 1)[0]
        depth += sum(text.count(c) for c in _OPEN) - sum(text.count(c) for c in _CLOSE)
        if depth <= 0:
            return _body_end(source, line, number, last) if text.rstrip().endswith(":") else number
    return last


def _body_end(source: list[str], header: int, end: int, last: int) -> int:
    """The last line of the block a ``...:`` header opens (lines indented deeper)."""
    indent = len(source[header - 1]) - len(source[header - 1].lstrip())
    while end < last:
        following = source[end]
        if following.strip() and len(following) - len(following.lstrip()) <= indent:
            break
        end += 1
    while end > header and not source[end - 1].strip():
        end -= 1
    return end
