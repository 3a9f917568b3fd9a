"""Where a modelled thing came from, and the non-fatal findings made while loading."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Location:
    """A file (relative to the application root, POSIX separators) and a 1-based line if known."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return self.file if self.line is None else f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Warning:
    """Something suspicious but loadable (e.g. a Choice state without ``Default``)."""

    message: str
    location: Location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"
