"""A cache of whole runs: the output of ``analyze`` reused while none of its inputs changed.

The key is the lambdaslim version, the rules catalog's digest, the output options, the path as
typed and the folder it resolves to. The entry records every file the run read (the template,
state machine definitions, handler sources) with its size, ``mtime_ns`` and SHA-256, which
template files the root holds (what discovery chose from), the output and the exit code. A
lookup re-hashes every recorded file: a warm run costs hashing the inputs, not loading and
analysing them. An entry that does not parse, names another key or lists a changed, missing
or unreadable file is ignored (and rewritten by the run that follows): it is never trusted
blindly and never an error.

Only applications found without walking the tree are cached (a ``template.*`` at the root, or a
file named directly): a new file deep in a folder cannot change what such a run reads. What is
not seen: a symlink changed to point at a file of identical content.

This module imports nothing heavy, so that a warm run starts quickly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdaslim import __version__

FORMAT = 1
TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")  # as discovery.py


@dataclass(frozen=True)
class CachedRun:
    output: str
    exit_code: int


class RunCache:
    """One entry per (version, catalog, options, target); see the module docstring."""

    def __init__(self, directory: Path, target: str, catalog_digest: str,
                 options: Mapping[str, Any]):
        self.target = target
        try:
            self.resolved = str(Path(target).resolve())
        except (OSError, RuntimeError):
            self.resolved = os.path.abspath(target)
        parts = {
            "format": FORMAT,
            "version": __version__,
            "catalog": catalog_digest,
            "options": dict(options),
            "target": target,
            "resolved": self.resolved,
        }
        self.key = hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()
        self.path = directory / f"{self.key}.json"

    @classmethod
    def default(cls, target: str, catalog_digest: str, options: Mapping[str, Any]) -> RunCache:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return cls(Path(base) / "lambdaslim" / "runs", target, catalog_digest, options)

    def lookup(self) -> CachedRun | None:
        """The stored run when every input is unchanged, else None (never raises)."""
        try:
            entry = json.loads(self.path.read_text("utf-8"))
            if entry["key"] != self.key or entry["roots"] != self._root_templates():
                return None
            for name, size, mtime_ns, digest in entry["inputs"]:
                if not _unchanged(name, size, mtime_ns, digest):
                    return None
            output, exit_code = entry["output"], entry["exit_code"]
            if isinstance(output, str) and isinstance(exit_code, int):
                return CachedRun(output, exit_code)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            pass
        return None

    @staticmethod
    def fingerprints(inputs: Iterable[Path]) -> list[list[Any]] | None:
        """What :meth:`store` records of the files a run read: taken once they are read, while
        the handlers are still being analysed. None when one cannot be read (no entry then)."""
        try:
            return [_fingerprint(path) for path in sorted(set(inputs))]
        except OSError:
            return None

    def store(self, fingerprints: list[list[Any]] | None, output: str, exit_code: int) -> None:
        """Record a run (a read-only or full disk, or a walked tree, only skip the cache)."""
        roots = self._root_templates()
        if roots is not None and not roots:
            return  # found by walking the tree: any new file could change the result
        if fingerprints is None:
            return
        temporary = self.path.with_name(f".{self.key}.{os.getpid()}.tmp")
        try:
            entry = {"key": self.key, "roots": roots, "inputs": fingerprints, "output": output,
                     "exit_code": exit_code}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps(entry), "utf-8")
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink()

    def _root_templates(self) -> list[str] | None:
        """``template.*`` files in the target folder (None when the target is a file)."""
        if not os.path.isdir(self.resolved):
            return None
        return [name for name in TEMPLATE_NAMES if os.path.lexists(os.path.join(self.resolved,
                                                                                name))]


def _fingerprint(path: Path) -> list[Any]:
    data = path.read_bytes()
    status = path.stat()
    return [str(path), status.st_size, status.st_mtime_ns, hashlib.sha256(data).hexdigest()]


def _unchanged(name: str, size: int, mtime_ns: int, digest: str) -> bool:
    """Same size and same content (the hash decides: an mtime alone proves nothing)."""
    with open(name, "rb") as handle:
        status = os.fstat(handle.fileno())
        if status.st_size != size:
            return False
        return hashlib.sha256(handle.read()).hexdigest() == digest
