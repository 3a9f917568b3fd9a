"""Safe access to the files of the application being loaded.

Every file is read through :class:`Project`, which refuses what must not be loaded: files outside
the project (directly or through a symlink), symlink loops, huge files, binary or non-UTF-8 text.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from pathlib import Path

from lambdaslim.errors import LoadError

MAX_FILE_BYTES = 10 * 1024 * 1024  # templates, definitions and handlers alike

# Called with (handler source file, function, root-relative path) as soon as one is located.
HandlerHook = Callable[[Path, str, str], None]


def oversize(size: int) -> str | None:
    """``"52.4 MB, above the 10 MB limit"`` for a file of ``size`` bytes not to read; else None."""
    if size <= MAX_FILE_BYTES:
        return None
    return f"{size / (1024 * 1024):.1f} MB, above the {MAX_FILE_BYTES // (1024 * 1024)} MB limit"


def resolve_strictly(path: Path, shown: str) -> Path:
    """``path`` with every symlink resolved; a loop or a missing target is a LoadError."""
    try:
        return path.resolve(strict=True)
    except (RuntimeError, OSError) as error:
        if isinstance(error, FileNotFoundError):
            raise LoadError("no such file or folder", shown) from None
        raise LoadError(f"cannot resolve path ({error})", shown) from None


class Project:
    """The application root and the display form of its paths.

    ``display_root`` is the root as the user named it, so messages read ``apps/shop/template.yaml``;
    ``relative()`` gives the root-relative POSIX form kept in model locations. ``inputs``, when
    given, receives every file read (for a cache of whole runs); ``on_handler`` is told of each
    Python handler located (to summarise it in the background while loading goes on).

    The root is resolved once. Other paths resolve through a memo of resolved folders, so that a
    file in an already seen folder costs one ``lstat`` (a template with 2,000 functions asks for
    some 6,000 resolutions of paths in 2,000 folders).
    """

    def __init__(
        self,
        root: Path,
        display_root: str | None = None,
        *,
        on_handler: HandlerHook | None = None,
        inputs: list[Path] | None = None,
    ):
        self.root = resolve_strictly(root, str(root))
        self.on_handler = on_handler
        self.inputs = inputs
        self.display_root = display_root if display_root is not None else str(root)
        self._root_text = str(self.root)
        self._folders: dict[Path, Path] = {self.root: self.root}
        self._relative: dict[Path, str] = {}

    def resolve(self, path: Path) -> Path:
        """``path.resolve(strict=True)``, memoised by folder: same result, same exceptions."""
        try:
            return self._resolve(path if path.is_absolute() else Path.cwd() / path)
        except (OSError, RuntimeError):
            return path.resolve(strict=True)  # the exact error (or a result after a race)

    def _resolve(self, path: Path) -> Path:
        name = path.name
        if name in ("", ".", "..") or ".." in path.parts:
            return path.resolve(strict=True)
        candidate = self._folder(path.parent) / name
        if stat.S_ISLNK(os.lstat(candidate).st_mode):  # FileNotFoundError when missing
            return candidate.resolve(strict=True)
        return candidate

    def _folder(self, folder: Path) -> Path:
        resolved = self._folders.get(folder)
        if resolved is None:
            resolved = self._resolve(folder) if folder.parent != folder else folder
            if not stat.S_ISDIR(os.stat(resolved).st_mode):
                raise NotADirectoryError(resolved)
            self._folders[folder] = resolved
        return resolved

    def relative(self, path: Path) -> str:
        known = self._relative.get(path)
        if known is not None:
            return known
        try:
            resolved = self.resolve(path)
        except (OSError, RuntimeError):
            try:
                resolved = path.resolve()
            except RuntimeError:  # a symlink loop: named as written
                resolved = path.parent.resolve() / path.name
        try:
            relative = resolved.relative_to(self.root).as_posix()
        except ValueError:
            relative = str(path)
        self._relative[path] = relative
        return relative

    def display(self, path: Path) -> str:
        relative = self.relative(path)
        if relative == ".":
            return self.display_root
        if Path(relative).is_absolute() or self.display_root in ("", "."):
            return relative
        return f"{self.display_root.rstrip('/')}/{relative}"

    def contains(self, path: Path) -> bool:
        text = str(path)
        root = self._root_text
        return text == root or text.startswith(root if root.endswith(os.sep) else root + os.sep)

    def inside(self, path: Path, culprit: str, file: Path | None = None, line: int | None = None):
        """Resolve ``path`` and insist it stays in the project; errors name ``file``:``line``."""

        def where() -> str:
            return self.display(file) if file is not None else self.display(path)

        try:
            resolved = self.resolve(path)
        except FileNotFoundError:
            raise LoadError(f"{culprit}: {path} does not exist", where(), line) from None
        except (RuntimeError, OSError) as error:
            raise LoadError(f"{culprit}: cannot resolve {path} ({error})", where(), line) from None
        if not self.contains(resolved):
            raise LoadError(
                f"{culprit}: {path} points outside the project {self.root}", where(), line
            )
        return resolved

    def read_text(self, path: Path) -> str:
        """The UTF-8 text of a project file (at most 10 MB, no NUL bytes)."""
        shown = self.display(path)
        resolved = self.inside(path, "file")
        too_large = oversize(resolved.stat().st_size)
        if too_large is not None:
            raise LoadError(f"file is {too_large}", shown)
        data = resolved.read_bytes()
        if self.inputs is not None:
            self.inputs.append(resolved)
        if b"\0" in data:
            raise LoadError("binary file, expected UTF-8 text", shown)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise LoadError("not a UTF-8 text file", shown, line) from None
