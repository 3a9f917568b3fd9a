"""Parallel analysis and the content-addressed summary cache."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest
from app_copies import FIXTURES
from click.testing import CliRunner

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import analyze_application
from lambdaslim.cli import main
from lambdaslim.handler_summaries import (
    PARALLEL_THRESHOLD,
    HandlerRequest,
    SummaryCache,
    summaries_in_background,
    summarize_handlers,
)
from lambdaslim.loading import load_application

CATALOG = load_catalog()
HANDLER = FIXTURES / "ticket_booking" / "functions" / "reserve_seat" / "handler.py"


def rows(cache: SummaryCache) -> dict[str, dict]:
    """The stored entries by key, read with SQLite itself (not through the cache)."""
    with sqlite3.connect(cache.path) as db:
        return {key: json.loads(entry) for key, entry in db.execute(
            "SELECT key, entry FROM summaries")}


def write_row(cache: SummaryCache, key: str, entry: str) -> None:
    with sqlite3.connect(cache.path) as db:
        db.execute("UPDATE summaries SET entry = ? WHERE key = ?", (entry, key))


def requests(tmp_path: Path, count: int) -> list[HandlerRequest]:
    """`count` distinct handler files (distinct content, so distinct cache keys)."""
    made = []
    for index in range(count):
        path = tmp_path / f"h{index}.py"
        path.write_text(HANDLER.read_text() + f"\n\nVERSION = {index}\n")
        made.append(HandlerRequest(path, "main", f"h{index}.py"))
    return made


def test_parallel_results_equal_serial_results_in_order(tmp_path: Path) -> None:
    work = requests(tmp_path, PARALLEL_THRESHOLD + 3)
    serial = summarize_handlers(work, jobs=1, cache=None)
    parallel = summarize_handlers(work, jobs=2, cache=None)
    assert parallel == serial
    assert [s.file for s in serial] == [r.shown for r in work]


def test_warm_cache_gives_the_same_summaries_without_parsing(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "cache" / "summaries.sqlite3", salt=CATALOG.digest)
    work = requests(tmp_path, 3)
    cold = summarize_handlers(work, jobs=1, cache=cache)
    stored = rows(cache)
    assert len(stored) == 3
    for key, data in stored.items():  # make any re-parse detectable: the cache must be read
        data["summary"]["decorators"] = ["from-cache"]
        write_row(cache, key, json.dumps(data))
    warm = summarize_handlers(work, jobs=1, cache=cache)
    assert [s.decorators for s in warm] == [("from-cache",)] * 3
    assert [s.steps for s in warm] == [s.steps for s in cold]


def test_corrupt_or_foreign_entries_are_ignored_and_rewritten(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt="catalog-a")
    work = requests(tmp_path, 2)
    expected = summarize_handlers(work, jobs=1, cache=None)
    summarize_handlers(work, jobs=1, cache=cache)
    (first, _), (second, foreign) = sorted(rows(cache).items())
    write_row(cache, first, "{not json")
    foreign["key"] = "0" * 64
    write_row(cache, second, json.dumps(foreign))
    assert summarize_handlers(work, jobs=1, cache=cache) == expected
    assert {key: data["key"] for key, data in rows(cache).items()} == {
        first: first, second: second}


@pytest.mark.parametrize("content", [
    b"",  # truncated to nothing
    b"not a database " * 40,
    b"SQLite format 3\x00" + b"\xff" * 500,  # a damaged header
])
def test_a_damaged_database_is_replaced(tmp_path: Path, content: bytes) -> None:
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt="catalog-a")
    cache.path.write_bytes(content)
    work = requests(tmp_path, 2)
    assert summarize_handlers(work, jobs=1, cache=cache) == summarize_handlers(
        work, jobs=1, cache=None)
    assert len(rows(cache)) == 2


def test_an_unwritable_cache_only_costs_speed(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    cache = SummaryCache(blocker / "summaries.sqlite3", salt="catalog-a")
    work = requests(tmp_path, 2)
    assert summarize_handlers(work, jobs=1, cache=cache) == summarize_handlers(
        work, jobs=1, cache=None)


def test_the_catalog_digest_and_content_are_part_of_the_key(tmp_path: Path) -> None:
    a = SummaryCache(tmp_path, salt="a")
    b = SummaryCache(tmp_path, salt="b")
    assert a.key(b"x", "main") != b.key(b"x", "main")
    assert a.key(b"x", "main") != a.key(b"y", "main")
    assert a.key(b"x", "main") != a.key(b"x", "handler")


def test_application_verdicts_do_not_depend_on_jobs_or_cache(tmp_path: Path) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "ticket_booking", root)
    app = load_application(root)
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt=CATALOG.digest)
    baseline = analyze_application(app, CATALOG, jobs=1, cache=None)
    for _ in range(2):  # cold, then warm
        again = analyze_application(app, CATALOG, jobs=2, cache=cache)
        assert again.functions == baseline.functions


def test_workers_write_the_cache_entries(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt=CATALOG.digest)
    work = requests(tmp_path, PARALLEL_THRESHOLD + 1)
    summarize_handlers(work, jobs=2, cache=cache)
    source_keys = {cache.key(r.path.read_bytes(), r.function) for r in work}
    assert set(rows(cache)) == source_keys


@pytest.mark.parametrize("jobs", [1, 2])
def test_summaries_made_while_loading_equal_the_usual_ones(tmp_path: Path, jobs: int) -> None:
    root = tmp_path / "app"
    shutil.copytree(FIXTURES / "ticket_booking", root)
    baseline = analyze_application(load_application(root), CATALOG, jobs=1, cache=None)
    for _ in range(2):  # cold, then warm: cached summaries are taken while loading
        cache = SummaryCache(tmp_path / "summaries.sqlite3", salt=CATALOG.digest)
        with summaries_in_background(jobs, cache) as background:
            app = load_application(root, on_handler=background.submit)
            again = analyze_application(app, CATALOG, jobs=jobs, cache=cache)
        assert again.functions == baseline.functions
        assert [v.handler_verdict for v in again.functions] == [
            v.handler_verdict for v in baseline.functions
        ]


def test_a_cache_sent_to_a_worker_is_one_object_per_process(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt="catalog-a")
    first, second = pickle.loads(pickle.dumps(cache)), pickle.loads(pickle.dumps(cache))
    assert first is second is not cache  # one connection per worker, not one per task
    assert (first.path, first.salt) == (cache.path, cache.salt)


def test_a_row_nested_too_deeply_to_decode_is_a_miss(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt="catalog-a")
    work = requests(tmp_path, 1)
    expected = summarize_handlers(work, jobs=1, cache=cache)
    (key, _), = rows(cache).items()
    write_row(cache, key, "[" * 100_000 + "]" * 100_000)
    assert summarize_handlers(work, jobs=1, cache=cache) == expected


def test_a_function_name_that_is_not_unicode_still_has_a_key(tmp_path: Path) -> None:
    cache = SummaryCache(tmp_path / "summaries.sqlite3", salt="catalog-a")
    assert cache.key(b"x", "main\ud800") != cache.key(b"x", "main")


def test_a_call_runs_in_a_worker_and_its_errors_are_raised_here(tmp_path: Path) -> None:
    """``call`` gives the worker's result; when the worker raised, the function runs again
    here and its own error (type and message) reaches the caller."""
    with summaries_in_background(2, None) as background:
        pid = background.call("os:getpid")
        missing = background.call("os:stat", tmp_path / "absent")
        assert pid() != os.getpid()
        with pytest.raises(FileNotFoundError, match="absent"):
            missing()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_broken_rule_file_is_reported_whichever_process_loads_the_catalog(
    tmp_path: Path, jobs: str
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "LS900_broken.yaml").write_text("id: LS900\nname: [unclosed\n")
    result = CliRunner().invoke(main, ["analyze", str(FIXTURES / "ticket_booking"), "--rules",
                                       str(rules), "--jobs", jobs, "--format", "json"])
    assert result.exit_code == 2
    assert "LS900_broken.yaml" in result.stderr
    assert "Traceback" not in result.stderr
