"""Links from the report to the application's files, relative to where the report is read.

``base`` is the application root as seen from the report's folder (``original_13_lambdas``
for ``samples/optimized_REPORT.md``), so the links work on GitHub and in a checkout alike, and
do not depend on the folder the command ran from.
"""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from lambdaslim.report.markdown import cell


@dataclass(frozen=True)
class Links:
    base: str

    @classmethod
    def from_report(cls, root: Path, report: Path) -> Links:
        relative = os.path.relpath(root.resolve(), report.resolve().parent)
        return cls(Path(relative).as_posix())

    def path(self, file: str) -> str:
        return posixpath.normpath(posixpath.join(self.base, file)) if self.base else file

    def location(self, file: str | None, line: int | None = None, end: int | None = None) -> str:
        """``[file:line](base/file#Lline)``, ``[file:line-end](base/file#Lline-Lend)`` for
        several lines, or an empty string without a file."""
        if not file:
            return ""
        lines = f"{line}-{end}" if line and end and end != line else f"{line}" if line else ""
        shown = f"{file}:{lines}" if lines else file
        anchor = "#L" + lines.replace("-", "-L") if lines else ""
        target = self.path(file).replace(" ", "%20")
        return f"[{cell(shown)}]({target}{anchor})"
