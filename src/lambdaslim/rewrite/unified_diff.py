"""The rewrite as a patch a reviewer reads: ``lambdaslim rewrite --diff``.

One unified diff per changed file (``a/`` and ``b/`` prefixes relative to the application root,
3 lines of context, an added file from ``/dev/null``, a deleted file to it), files in sorted
order. A deleted folder is one ``deleted: path/`` line instead of every line of every file.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

CONTEXT_LINES = 3
NO_NEWLINE = "\\ No newline at end of file\n"


def render_diff(root: Path, files: Mapping[str, str], deleted: Iterable[str]) -> str:
    """The patch from the input at ``root`` to the input with ``files`` written (relative path
    -> new text, only files that differ) and ``deleted`` removed."""
    blocks: dict[str, str] = {}
    for relative, text in files.items():
        blocks[relative] = _file_diff(relative, _text(root / relative), text)
    for relative in deleted:
        path = root / relative
        if path.is_symlink():
            blocks[relative] = f"deleted: {relative}\n"
        elif path.is_dir():
            blocks[relative] = f"deleted: {relative.rstrip('/')}/\n"
        else:
            blocks[relative] = _file_diff(relative, _text(path), None)
    return "".join(blocks[relative] for relative in sorted(blocks))


def _text(path: Path) -> str | None:
    if not os.path.lexists(path):
        return None
    return path.read_bytes().decode("utf-8", errors="replace")


def _file_diff(relative: str, before: str | None, after: str | None) -> str:
    lines = difflib.unified_diff(
        _lines(before),
        _lines(after),
        f"a/{relative}" if before is not None else "/dev/null",
        f"b/{relative}" if after is not None else "/dev/null",
        n=CONTEXT_LINES,
    )
    return "".join(line if line.endswith("\n") else f"{line}\n{NO_NEWLINE}" for line in lines)


def _lines(text: str | None) -> list[str]:
    """Lines split on ``\\n`` only, each keeping it (``\\r\\n`` stays whole)."""
    if not text:
        return []
    parts = text.split("\n")
    return [f"{part}\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])
