"""Copies of fixture applications that a test may edit (the fixtures live in conftest.py)."""

from __future__ import annotations

import json
import re
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

    def rename_everything(self, function_ids: list[str]) -> dict[str, str]:
        """Rename every function (logical id and code folder) and every state of the sample's
        layout; returns the function renames."""
        template = (self.root / "template.yaml").read_text()
        definition_path = self.root / "statemachine" / "account_creation.asl.json"
        definition = definition_path.read_text()
        renames = {fid: f"Fn{index:02d}Zq" for index, fid in enumerate(function_ids)}
        for old, new in renames.items():
            template = re.sub(rf"\b{old}(Arn)?\b", rf"{new}\1", template)
            definition = re.sub(rf"\b{old}(Arn)\b", rf"{new}\1", definition)
        for index, folder in enumerate(sorted((self.root / "functions").iterdir())):
            renamed = folder.with_name(f"h{index:02d}_code")
            folder.rename(renamed)
            template = template.replace(f"functions/{folder.name}/", f"functions/{renamed.name}/")
        states = sorted(set(re.findall(r'"([A-Z][a-zA-Z -]+)": \{\n\s+"Type"', definition)))
        for index, state in enumerate(states):
            definition = definition.replace(f'"{state}"', f'"S{index} x"')
        (self.root / "template.yaml").write_text(template)
        definition_path.write_text(definition)
        return renames

    def write(self, relative: str, text: str) -> None:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
