"""Copies of fixture applications that a test may edit (the fixtures live in conftest.py)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apps"
SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "original_13_lambdas"


class AppCopy:
    def __init__(self, root: Path):
        self.root = root

    def edit_text(self, relative: str, old: str, new: str) -> None:
        path = self.root / relative
        text = path.read_text()
        assert old in text, f"{old!r} not in {relative}"
        path.write_text(text.replace(old, new))

    def edit_json(self, relative: str, change: Callable[[Any], None]) -> None:
        path = self.root / relative
        data = json.loads(path.read_text())
        change(data)
        path.write_text(json.dumps(data, indent=2))

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
