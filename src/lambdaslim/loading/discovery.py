"""Finding what to load inside a folder: a template, else one definition, else one handler."""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from pathlib import Path

from lambdaslim.errors import LoadError
from lambdaslim.loading.project import Project

TEMPLATE_NAMES = ("template.yaml", "template.yml", "template.json")
DEFINITION_SUFFIXES = (".asl.json", ".asl.yaml", ".asl.yml")
SKIPPED_FOLDERS = frozenset(
    {".aws-sam", ".git", ".venv", "venv", "node_modules", "__pycache__", ".tox", ".mypy_cache"}
)


def is_definition_file(path: Path) -> bool:
    return path.name.lower().endswith(DEFINITION_SUFFIXES)


def discover(project: Project, exclude: Sequence[Path]) -> tuple[str, Path]:
    """``(kind, file)`` of what the project folder holds; kind is template/definition/handler.

    Templates are looked for at the top (``template.*``, ``cdk.out/*.template.json``) then in
    subfolders, nearest first. Symlinked folders are not followed; excluded folders are skipped.
    """
    shown = project.display(project.root)
    at_root = _templates_at_root(project)
    if at_root:  # the usual SAM layout: no need to walk a large monorepo
        return "template", _only(project, at_root, "templates")
    excluded = {path.resolve() for path in exclude}
    files = _walk(project, excluded)
    if not files:
        raise LoadError("empty folder: nothing to load", shown)
    templates = [
        path
        for path in files
        if path.name in TEMPLATE_NAMES
        or (path.parent.name == "cdk.out" and path.name.endswith(".template.json"))
    ]
    if templates:
        nearest = min(len(path.relative_to(project.root).parts) for path in templates)
        chosen = [
            path for path in templates if len(path.relative_to(project.root).parts) == nearest
        ]
        return "template", _only(project, chosen, "templates")
    definitions = [path for path in files if is_definition_file(path)]
    if definitions:
        return "definition", _only(project, definitions, "state machine definitions")
    handlers = [path for path in files if path.suffix == ".py"]
    if len(handlers) == 1:
        return "handler", handlers[0]
    raise LoadError(
        "no SAM/CloudFormation template, state machine definition (*.asl.json) or single "
        "Python handler found",
        shown,
    )


def _only(project: Project, candidates: list[Path], what: str) -> Path:
    if len(candidates) == 1:
        return candidates[0]
    names = ", ".join(project.relative(path) for path in sorted(candidates))
    raise LoadError(
        f"several {what} found ({names}): pass the one to load", project.display(project.root)
    )


def _templates_at_root(project: Project) -> list[Path]:
    """``template.yaml|yml|json`` directly in the root: what the walk would find nearest."""
    found = []
    try:
        with os.scandir(project.root) as entries:
            for entry in entries:
                path = Path(entry.path)
                if (
                    entry.name in TEMPLATE_NAMES
                    and (not entry.is_symlink() or _safe_link(project, path))
                    and not entry.is_dir()
                ):
                    found.append(path)
    except OSError:
        return []
    return sorted(found)


def _walk(project: Project, excluded: set[Path]) -> list[Path]:
    """Files under the root, folder by folder (sorted); symlinked folders are not followed.

    Every folder reached is canonical (the root is resolved and no symlink is followed), so
    excluded folders compare without resolving, and ``DirEntry`` answers the symlink questions
    without a system call per file.
    """
    found: list[Path] = []

    def visit(folder: Path) -> None:
        try:
            with os.scandir(folder) as iterator:
                entries = sorted(iterator, key=lambda entry: entry.name)
        except OSError:
            return
        subfolders = []
        for entry in entries:
            link = entry.is_symlink()
            if link and not _safe_link(project, folder / entry.name):
                continue  # dangling, a loop, or leaving the project
            if entry.is_dir():  # follows symlinks, as os.walk sorts entries
                if (
                    entry.name not in SKIPPED_FOLDERS
                    and not link
                    and folder / entry.name not in excluded
                ):
                    subfolders.append(folder / entry.name)
            else:
                found.append(folder / entry.name)
        for subfolder in subfolders:
            visit(subfolder)

    visit(project.root)
    return found


def _safe_link(project: Project, path: Path) -> bool:
    """A symlink counts only if it resolves inside the project.

    A ``template.*`` that is a symlink loop is an error naming it: skipped, it would leave the
    folder looking empty (or another template would be loaded in its place).
    """
    try:
        return project.contains(path.resolve(strict=True))
    except (OSError, RuntimeError) as error:
        loop = isinstance(error, RuntimeError) or error.errno == errno.ELOOP
        if loop and path.name in TEMPLATE_NAMES:
            shown = project.display(path)
            raise LoadError("symlink loop: the template cannot be read", shown) from None
        return False
