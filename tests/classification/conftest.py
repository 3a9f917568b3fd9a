"""Fixtures: editable copies of fixture applications."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from app_copies import FIXTURES, SAMPLE, AppCopy


@pytest.fixture
def booking(tmp_path: Path) -> AppCopy:
    root = tmp_path / "ticket_booking"
    shutil.copytree(FIXTURES / "ticket_booking", root)
    return AppCopy(root)


@pytest.fixture
def sample_copy(tmp_path: Path) -> AppCopy:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("__pycache__"))
    return AppCopy(root)
