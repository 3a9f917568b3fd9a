"""The project's own error type.

Every problem with the user's input surfaces as a ``LambdaslimError`` carrying the file (and line
when known) it is about. The CLI turns it into one message and exit code 2; nothing else is
allowed to escape the pipeline on bad input.
"""

from __future__ import annotations

from pathlib import Path


class LambdaslimError(Exception):
    """A problem with the user's input or invocation, reported as ``file:line: message``."""

    def __init__(self, message: str, file: str | Path | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line

    def __str__(self) -> str:
        where = ""
        if self.file:
            where = self.file if self.line is None else f"{self.file}:{self.line}"
            where += ": "
        return f"{where}{self.message}"


class LoadError(LambdaslimError):
    """An input file that cannot be loaded or modelled (syntax, missing reference, bad path)."""
