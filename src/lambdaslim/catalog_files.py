"""Which files the rules catalog is read from, and the digest that keys every cache.

Kept apart from :mod:`lambdaslim.catalog`, which parses rules with ruamel and answers SDK
questions from botocore's service models: ``analyze`` computes the digest before it forks its
workers, and the imports that parsing needs (about 0.1 s) would delay every worker's first
handler. Only botocore's top-level package is imported here, for its version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import botocore

from lambdaslim.errors import LambdaslimError


def catalog_digest(extra_dirs: Sequence[Path] = ()) -> str:
    """What :func:`lambdaslim.catalog.load_catalog` would answer from, without parsing a rule:
    every rule file read (name and bytes) and the botocore version, because ``match_sdk_call``
    answers from botocore's service models. Cheap enough to key caches before deciding to do
    any work.

    It also covers lambdaslim's own code (:func:`code_files`), so that the caches keyed on it
    never answer from what an earlier analyser made, whatever the version number says."""
    return digest(rule_sources(extra_dirs))


def rule_sources(extra_dirs: Sequence[Path]) -> list[list[tuple[Path, bytes]]]:
    """The rule files of each folder (packaged first), with their bytes."""
    sources = []
    for directory in (_packaged_dir(), *extra_dirs):
        if not directory.is_dir():
            raise LambdaslimError("rules directory does not exist or is not a directory", directory)
        sources.append([(path, path.read_bytes()) for path in _rule_files(directory)])
    return sources


def digest(sources: list[list[tuple[Path, bytes]]]) -> str:
    """The digest of ``sources`` (from :func:`rule_sources`), lambdaslim's code and botocore."""
    hashed = hashlib.sha256(f"botocore {botocore.__version__}\n".encode())
    package = Path(__file__).parent
    for path in code_files():
        raw = path.read_bytes()
        hashed.update(f"{path.relative_to(package)}\0{len(raw)}\0".encode() + raw)
    for files in sources:
        for path, raw in files:
            hashed.update(f"{path.name}\0{len(raw)}\0".encode() + raw)
    return hashed.hexdigest()


def code_files() -> list[Path]:
    """lambdaslim's modules, templates and data files, in a stable order."""
    package = Path(__file__).parent
    return sorted(path for path in package.rglob("*")
                  if path.suffix in (".py", ".j2", ".json") and "__pycache__" not in path.parts)


def _rule_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _packaged_dir() -> Path:
    return Path(str(resources.files("lambdaslim") / "rules"))
