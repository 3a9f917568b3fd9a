"""Handlers' variables leave ``os.environ`` while other threads read it (see the runtime)."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from lambdaslim.verify.lambda_runtime import environ_items_snapshotted

KEY = "LAMBDASLIM_TEST_REMOVED_MID_ITERATION"


@pytest.fixture
def planted() -> Iterator[None]:
    os.environ[KEY] = "set by a handler that is still running"
    yield
    os.environ.pop(KEY, None)


def iterate_while_the_handler_finishes() -> dict[str, str]:
    """Iterate the items, and remove the handler's variable after the first one is read (what
    the handler's thread does in the middle of botocore's proxy lookup)."""
    seen = {}
    for index, (key, value) in enumerate(os.environ.items()):
        if index == 0:
            os.environ.pop(KEY, None)
        seen[key] = value
    return seen


@pytest.mark.usefixtures("planted")
def test_without_the_snapshot_the_removed_key_breaks_the_iteration() -> None:
    if next(iter(os.environ)) == KEY:
        pytest.skip("the planted key came first")
    with pytest.raises(KeyError):
        iterate_while_the_handler_finishes()


@pytest.mark.usefixtures("planted")
def test_with_the_snapshot_the_iteration_sees_the_environment_as_it_was() -> None:
    with environ_items_snapshotted():
        seen = iterate_while_the_handler_finishes()
    assert seen[KEY] == "set by a handler that is still running"
    assert KEY not in os.environ
