"""The patch, one collapsible block per changed file; deleted folders are listed, not dumped."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lambdaslim.rewrite.output_tree import SKIPPED_NAMES
from lambdaslim.rewrite.unified_diff import render_diff


def file_diffs(root: Path, changed: Mapping[str, str], deleted: Sequence[str]) -> dict[str, Any]:
    files = []
    for relative in sorted(changed):
        files.append(_block(relative, render_diff(root, {relative: changed[relative]}, ())))
    folders = []
    for relative in sorted(deleted):
        path = root / relative
        if path.is_dir() and not path.is_symlink():
            count = 0
            for _, dirs, names in os.walk(path):
                dirs[:] = [d for d in dirs if d not in SKIPPED_NAMES]
                count += len(names)
            folders.append({"path": relative.rstrip("/") + "/", "files": count})
        else:
            files.append(_block(relative, render_diff(root, {}, (relative,))))
    files.sort(key=lambda block: block["path"])
    return {"files": files, "folders": folders}


def _block(relative: str, patch: str) -> dict[str, Any]:
    lines = patch.splitlines()
    added = sum(1 for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    return {"path": relative, "added": added, "removed": removed, "patch": patch}
