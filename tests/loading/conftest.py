from pathlib import Path

import pytest

from lambdaslim.loading import load_application
from lambdaslim.model import Application

APPS = Path(__file__).resolve().parent.parent / "fixtures" / "apps"


@pytest.fixture(scope="session")
def apps_dir() -> Path:
    return APPS


@pytest.fixture(scope="module")
def load_app():
    """Load a fixture application by folder name (cached per test module)."""
    cache: dict[str, Application] = {}

    def load(name: str) -> Application:
        if name not in cache:
            cache[name] = load_application(APPS / name)
        return cache[name]

    return load


@pytest.fixture
def write(tmp_path: Path):
    """Write ``{relative path: text}`` under tmp_path and return tmp_path."""

    def write_files(files: dict[str, str | bytes]) -> Path:
        for name, content in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content)
        return tmp_path

    return write_files
