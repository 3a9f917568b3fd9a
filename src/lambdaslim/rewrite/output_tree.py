"""Writing the rewritten application: a faithful copy of the input with the changes applied.

The input is never modified. :func:`list_tree` reads the whole input tree first and refuses what
cannot be copied safely (a symlink leaving the project, a symlink loop, a special file) before
anything is written. :func:`staged_folder` gives a temporary folder next to ``--out`` and renames
it into place only when everything in it was written, so an error or Ctrl-C leaves nothing
behind. Paths in :class:`Entry` and in the changes are relative to the application root, POSIX.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lambdaslim.errors import LambdaslimError

# Version control, build output, caches and lambdaslim's own plan folder (regenerated) are never
# part of the output. A folder holding ``pyvenv.cfg`` is a virtual environment: its symlinks
# point at the system's Python, and it is not part of what SAM deploys.
SKIPPED_NAMES = frozenset(
    {".git", ".aws-sam", "__pycache__", ".lambdaslim", ".mypy_cache", ".pytest_cache",
     ".ruff_cache", ".tox"}
)
VENV_MARKER = "pyvenv.cfg"

FOLDER = "folder"
FILE = "file"
LINK = "link"


@dataclass(frozen=True)
class Entry:
    """One thing the output copies: a folder, a regular file, or a symlink (``link`` is the
    text it is written with; it always points inside the copy)."""

    path: str
    kind: str
    link: str = ""


def shown(root_shown: str, relative: str) -> str:
    """A path under the root as messages show it: under the root as the user named it."""
    if relative == ".":
        return root_shown
    if root_shown in ("", "."):
        return relative
    return f"{root_shown.rstrip('/')}/{relative}"


def check_out(root: Path, out: Path, *, force: bool, out_shown: str) -> None:
    """Refuse an output folder that would modify the input or overwrite something unasked.

    ``root`` and ``out`` are resolved. The output may lie inside the input (it is then left out
    of everything rewrite reads), but it may be neither the input itself nor contain it.
    """
    if out == root:
        raise LambdaslimError("the output folder is the application folder itself", out_shown)
    if out in root.parents:
        raise LambdaslimError(f"the output folder contains the application folder {root}",
                              out_shown)
    if not out.exists():
        return
    if not out.is_dir():
        raise LambdaslimError("the output exists and is not a folder", out_shown)
    if not force and any(out.iterdir()):
        raise LambdaslimError("the output folder is not empty (--force replaces it)", out_shown)


def list_tree(root: Path, *, exclude: Path | None, root_shown: str) -> list[Entry]:
    """Every folder, file and symlink under ``root`` (resolved) that the output copies.

    Sorted, each folder before its content. ``exclude`` (resolved) and the skipped folders are
    left out; symlinked folders are copied as links, never followed.
    """
    entries: list[Entry] = []

    def walk(folder: Path) -> None:
        try:
            children = sorted(os.scandir(folder), key=lambda child: child.name)
        except OSError as error:
            raise LambdaslimError(f"cannot read the folder ({error.strerror})",
                                  shown(root_shown, _relative(root, folder))) from None
        for child in children:
            path = Path(child.path)
            relative = _relative(root, path)
            if child.name in SKIPPED_NAMES or path == exclude:
                continue
            if child.is_symlink():
                entries.append(Entry(relative, LINK, _link_text(root, path, root_shown)))
            elif child.is_dir():
                if (path / VENV_MARKER).exists():
                    continue
                entries.append(Entry(relative, FOLDER))
                walk(path)
            elif child.is_file():
                entries.append(Entry(relative, FILE))
            else:
                raise LambdaslimError("not a regular file, folder or symlink: cannot copy it",
                                      shown(root_shown, relative))

    walk(root)
    return _without_output_holders(root, entries, exclude)


def _without_output_holders(root: Path, entries: list[Entry], exclude: Path | None) -> list[Entry]:
    """Leave out the folders above an ``--out`` inside the input that hold nothing else: they
    exist only for the output, and copying them would make a rerun differ from the first run."""
    if exclude is None or not exclude.is_relative_to(root):
        return entries
    ancestors = {_relative(root, parent) for parent in exclude.parents if parent != root
                 and parent.is_relative_to(root)}
    paths = [entry.path for entry in entries]

    def holds_something(folder: str) -> bool:
        return any(other.startswith(folder + "/") for other in paths)

    return [entry for entry in entries
            if not (entry.path in ancestors and entry.kind == FOLDER
                    and not holds_something(entry.path))]


def _relative(root: Path, path: Path) -> str:
    return path.relative_to(root).as_posix()


def _link_text(root: Path, link: Path, root_shown: str) -> str:
    """The text to recreate ``link`` with: as it is when it is relative and stays inside the
    project, otherwise made relative, so the copy never points back into the input."""
    where = shown(root_shown, _relative(root, link))
    try:
        target = link.resolve()
    except (RuntimeError, OSError):
        raise LambdaslimError("symlink loop", where) from None
    if target != root and root not in target.parents:
        raise LambdaslimError(f"symlink points outside the project, to {target}", where)
    text = os.readlink(link)
    depth = len(link.relative_to(root).parts) - 1
    if not os.path.isabs(text) and _stays_inside(text, depth):
        return text
    return os.path.relpath(target, link.parent)


def _stays_inside(text: str, depth: int) -> bool:
    """Whether a relative link text, followed from ``depth`` folders below the root, never
    climbs above it (``../../app/x`` from ``app/functions`` leaves and comes back: it would
    point into the input from a copy)."""
    for part in PurePosixPath(text).parts:
        depth += -1 if part == ".." else 1
        if depth < 0:
            return False
    return True


def check_changes(
    root: Path, files: Iterable[str], deleted: Iterable[str], *, root_shown: str
) -> None:
    """Every changed path stays inside the application; every deleted one exists in it."""
    for relative in [*files, *deleted]:
        parts = PurePosixPath(relative).parts
        if not parts or PurePosixPath(relative).is_absolute() or ".." in parts:
            raise LambdaslimError("rewrite produced a path outside the application", relative)
    for relative in deleted:
        if not os.path.lexists(root / relative):
            raise LambdaslimError("rewrite deletes a path that does not exist",
                                  shown(root_shown, relative))


def differs(root: Path, relative: str, text: str) -> bool:
    """Whether writing ``text`` at ``relative`` changes the input file (or adds a new one)."""
    path = root / relative
    return not path.is_file() or path.read_bytes() != text.encode("utf-8")


def write_output(
    root: Path,
    entries: Sequence[Entry],
    destination: Path,
    *,
    files: Mapping[str, str],
    deleted: Iterable[str],
    root_shown: str,
) -> None:
    """Copy ``entries`` from ``root`` into the empty ``destination``, delete ``deleted``, then
    write ``files`` (UTF-8, exactly the text; a changed file keeps its mode).

    Folder modes are copied last, so a read-only folder of the input can still be filled.
    """
    for entry in entries:
        source, target = root / entry.path, destination / entry.path
        try:
            if entry.kind == FOLDER:
                target.mkdir()
            elif entry.kind == LINK:
                os.symlink(entry.link, target)
            else:
                shutil.copy2(source, target)
        except OSError as error:
            raise LambdaslimError(f"cannot copy ({error.strerror})",
                                  shown(root_shown, entry.path)) from None
    for relative in sorted(deleted):
        _delete(destination / relative)
    for relative, text in sorted(files.items()):
        try:
            _write(destination / relative, text)
        except OSError as error:
            raise LambdaslimError(f"cannot write ({error.strerror})",
                                  shown(root_shown, relative)) from None
    for entry in reversed(entries):
        if entry.kind == FOLDER and (destination / entry.path).is_dir():
            shutil.copymode(root / entry.path, destination / entry.path)
    shutil.copymode(root, destination)


def _delete(path: Path) -> None:
    """Remove a copied file, link or folder; one already gone with its folder is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
    elif os.path.lexists(path):
        path.unlink()


def _write(path: Path, text: str) -> None:
    """Write a new regular file in place of whatever is there, keeping that file's mode."""
    mode = path.stat().st_mode if path.exists() else None
    if os.path.lexists(path):
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as stream:
        stream.write(text)
    if mode is not None:
        os.chmod(path, mode)


@contextmanager
def staged_folder(out: Path, *, out_shown: str) -> Iterator[Path]:
    """A temporary folder next to ``out`` (resolved) that becomes ``out`` when the block ends.

    On any exception, Ctrl-C included, the temporary folder and any parent folder created for
    ``out`` are removed and an existing ``out`` is left as it was. An existing ``out`` is moved
    aside and removed only after the new one is in place.
    """
    created = _make_parents(out.parent, out_shown)
    staging: Path | None = None
    done = False
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.lambdaslim-", dir=out.parent))
        yield staging
        _swap_in(staging, out)
        done = True
    except OSError as error:
        raise LambdaslimError(f"cannot write the output ({error.strerror})", out_shown) from None
    finally:
        if not done:
            if staging is not None:
                shutil.rmtree(staging, ignore_errors=True)
            for folder in reversed(created):
                with suppress(OSError):
                    folder.rmdir()


def _make_parents(folder: Path, out_shown: str) -> list[Path]:
    """Create ``folder`` and its missing parents; the folders created, outermost first."""
    missing = [path for path in [folder, *folder.parents] if not path.exists()][::-1]
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise LambdaslimError(f"cannot create the output folder ({error.strerror})",
                              out_shown) from None
    return missing


def _swap_in(staging: Path, out: Path) -> None:
    aside = staging.with_name(f"{staging.name}.old")
    if os.path.lexists(out):
        os.rename(out, aside)
    try:
        os.rename(staging, out)
    except BaseException:
        if os.path.lexists(aside):
            os.rename(aside, out)
        raise
    shutil.rmtree(aside, ignore_errors=True)
