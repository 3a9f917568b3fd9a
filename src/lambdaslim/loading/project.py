"""Safe access to the files of the application being loaded.

Every file is read through :class:`Project`, which refuses what must not be loaded: files outside
the project (directly or through a symlink), symlink loops, huge files, binary or non-UTF-8 text.
"""

from __future__ import annotations

from pathlib import Path

from lambdaslim.errors import LoadError

MAX_FILE_BYTES = 10 * 1024 * 1024


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
    ``relative()`` gives the root-relative POSIX form kept in model locations.
    """

    def __init__(self, root: Path, display_root: str | None = None):
        self.root = resolve_strictly(root, str(root))
        self.display_root = display_root if display_root is not None else str(root)

    def relative(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def display(self, path: Path) -> str:
        relative = self.relative(path)
        if relative == ".":
            return self.display_root
        if Path(relative).is_absolute() or self.display_root in ("", "."):
            return relative
        return f"{self.display_root.rstrip('/')}/{relative}"

    def contains(self, path: Path) -> bool:
        return path == self.root or self.root in path.parents

    def inside(self, path: Path, culprit: str, file: Path | None = None, line: int | None = None):
        """Resolve ``path`` and insist it stays in the project; errors name ``file``:``line``."""
        where = self.display(file) if file is not None else self.display(path)
        try:
            resolved = path.resolve(strict=True)
        except FileNotFoundError:
            raise LoadError(f"{culprit}: {path} does not exist", where, line) from None
        except (RuntimeError, OSError) as error:
            raise LoadError(f"{culprit}: cannot resolve {path} ({error})", where, line) from None
        if not self.contains(resolved):
            raise LoadError(
                f"{culprit}: {path} points outside the project {self.root}", where, line
            )
        return resolved

    def read_text(self, path: Path) -> str:
        """The UTF-8 text of a project file (at most 10 MB, no NUL bytes)."""
        shown = self.display(path)
        resolved = self.inside(path, "file")
        size = resolved.stat().st_size
        if size > MAX_FILE_BYTES:
            raise LoadError(
                f"file is {size // (1024 * 1024)} MB, larger than the 10 MB lambdaslim loads", shown
            )
        data = resolved.read_bytes()
        if b"\0" in data:
            raise LoadError("binary file, expected UTF-8 text", shown)
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            raise LoadError("not a UTF-8 text file", shown, line) from None
