"""Summarise many handlers: in parallel across processes, through a content-addressed cache.

Parsing with libcst is the expensive part of an analysis, and the only part that grows with the
size of a repository. Each (source file, handler function) pair is summarised once per content:
the cache key is the SHA-256 of the file's bytes, the function name, the lambdaslim version and
the rules catalog's digest. An entry that does not parse, or whose key does not match, is
ignored and rewritten: the cache is never trusted blindly. Workers write the entries of what
they summarise, and :func:`summaries_in_background` starts them before the application loads.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import importlib
import json
import multiprocessing
import os
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from lambdaslim import __version__
from lambdaslim.analysis import HandlerSummary
from lambdaslim.analysis.ir import Unknown
from lambdaslim.loading.project import oversize

# Below this many uncached handlers, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class HandlerRequest:
    """One handler to summarise. ``shown`` is the path messages use."""

    path: Path
    function: str
    shown: str


class SummaryCache:
    """Summaries on disk in one SQLite database, a row per key, written by whichever process
    made the summary (worker processes write their own rows).

    One database rather than a file per summary: creating thousands of small files costs the
    kernel more than parsing saves on a first run (1.1-1.5 s of system time for 2,000 entries
    on ext4, measured with ``perf``), while 2,000 rows cost about 0.1 s. The database runs in
    WAL mode, so workers and other lambdaslim runs write concurrently. A row that does not
    parse or names another key is ignored and replaced; a database file that is not one
    (damaged, or something else) is deleted and made again. Anything else that fails (a
    read-only or full disk, a lock held too long) only costs speed: the cache is never an error.
    """

    def __init__(self, path: Path, salt: str):
        self.path = path
        self.salt = salt
        self._db: sqlite3.Connection | None = None  # opened by this process, at first use
        self._unusable = False

    def __reduce__(self) -> tuple[Any, ...]:
        return _cache_of_this_process, (self.path, self.salt)

    @classmethod
    def default(cls, salt: str) -> SummaryCache:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return cls(Path(base) / "lambdaslim" / "summaries.sqlite3", salt)

    def key(self, source: bytes, function: str) -> str:
        digest = hashlib.sha256()
        name = function.encode("utf-8", "surrogatepass")  # any str: a key never raises
        for part in (__version__.encode(), self.salt.encode(), name, source):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def get(self, key: str) -> HandlerSummary | None:
        row = self._run("SELECT entry FROM summaries WHERE key = ?", (key,))
        if row is None:
            return None
        try:
            entry = json.loads(row[0])
            if entry.get("key") != key:
                return None
            return HandlerSummary.from_dict(entry["summary"])
        except (ValueError, TypeError, KeyError, AttributeError, RecursionError):
            return None

    def put(self, key: str, summary: HandlerSummary) -> None:
        entry = json.dumps({"key": key, "summary": summary.to_dict()}, separators=(",", ":"))
        self._run("INSERT OR REPLACE INTO summaries (key, entry) VALUES (?, ?)", (key, entry))

    def close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = None

    def _run(self, statement: str, parameters: tuple[str, ...]) -> Any:
        """The first row of ``statement`` (None without one, or when the cache is unusable)."""
        for attempt in (1, 2):
            try:
                db = self._connect()
                return None if db is None else db.execute(statement, parameters).fetchone()
            except (sqlite3.DatabaseError, OSError) as error:
                self.close()
                if attempt == 1 and _damaged(error):
                    self._delete()  # and make it again
                    continue
                self._unusable = True  # read-only, full, locked: run on without the cache
        return None

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._unusable:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            try:
                db.execute("PRAGMA journal_mode = WAL")
                db.execute("PRAGMA synchronous = NORMAL")  # a cache: no fsync per write
                db.execute("CREATE TABLE IF NOT EXISTS summaries"
                           " (key TEXT PRIMARY KEY, entry TEXT NOT NULL) WITHOUT ROWID")
            except sqlite3.Error:
                db.close()
                raise
            self._db = db
        return self._db

    def _delete(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                os.unlink(f"{self.path}{suffix}")


_PROCESS_CACHES: dict[tuple[int, Path, str], SummaryCache] = {}


def _cache_of_this_process(path: Path, salt: str) -> SummaryCache:
    """What a pickled cache becomes in a worker: one object (and one connection) per process,
    however many tasks carry it. Keyed on the process id too: a forked worker inherits its
    parent's objects, and a connection must never cross a fork."""
    key = (os.getpid(), path, salt)
    if key not in _PROCESS_CACHES:
        _PROCESS_CACHES[key] = SummaryCache(path, salt)
    return _PROCESS_CACHES[key]


def _damaged(error: Exception) -> bool:
    """Whether SQLite says the file is damaged or not a database (not busy, not read-only)."""
    return getattr(error, "sqlite_errorcode", None) in (sqlite3.SQLITE_CORRUPT,
                                                         sqlite3.SQLITE_NOTADB)


# One unit of work for a worker: source, shown path, function, cache key, cache (or None).
_Work = tuple[bytes, str, str, str | None, SummaryCache | None]


class BackgroundSummaries:
    """Handlers summarised by worker processes while the rest of the application loads.

    Made by :func:`summaries_in_background` *before* the application is loaded, so the workers
    are forked from a small process (not one holding the whole model) and parse handlers while
    the main process still builds state graphs and APIs. The loader hands over each Python
    handler as soon as it is located (:meth:`submit`); :func:`iter_summaries` then takes the
    results. With ``jobs`` 1 nothing runs in the background.
    """

    CHUNK = 16  # handlers per task sent to a worker

    def __init__(self, jobs: int, cache: SummaryCache | None):
        self.jobs = jobs
        self.cache = cache
        self.pool = _new_pool(jobs) if jobs > 1 else None  # forked now, from a small process
        self._done: dict[tuple[Path, str], HandlerSummary] = {}
        self._futures: dict[tuple[Path, str], tuple[Future[list[HandlerSummary]], int]] = {}
        self._batch: list[tuple[tuple[Path, str], _Work]] = []

    def submit(self, path: Path, function: str, shown: str) -> None:
        """Start summarising ``function`` of ``path`` (or take it from the cache)."""
        if self.pool is None or (path, function) in self._done or (path, function) in self._futures:
            return
        source = _read(path)
        if not isinstance(source, bytes):
            return  # iter_summaries reports why it is not analysed
        key = self.cache.key(source, function) if self.cache else None
        cached = self.cache.get(key) if self.cache and key else None
        if cached is not None:
            self._done[(path, function)] = replace(cached, file=shown)
            return
        self._batch.append(((path, function), (source, shown, function, key, self.cache)))
        if len(self._batch) >= self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if not self._batch or self.pool is None:
            return
        future = self.pool.submit(_summarize_chunk, [work for _, work in self._batch])
        for index, (handler, _) in enumerate(self._batch):
            self._futures[handler] = (future, index)
        self._batch = []

    def call(self, name: str, *args: Any) -> Callable[[], Any]:
        """``module:function`` called with ``args``, started in a worker now; the function
        returned waits for its result.

        For work the main process needs later and a worker can do while it waits for its
        first handler (the main process is reading the template then). Named, not passed: the
        main process does not import the module before it needs it. When the worker gives no
        result (it raised: errors need not survive pickling), the function runs again in this
        process, so its errors are raised here, as if it had only ever run here.
        """
        if self.pool is None:
            return lambda: _function(name)(*args)
        future = self.pool.submit(_or_failed, name, *args)

        def result() -> Any:
            value = future.result()
            return _function(name)(*args) if isinstance(value, _Failed) else value

        return result

    def has(self, path: Path, function: str) -> bool:
        """Whether the handler was submitted (and so :meth:`take` gives its summary)."""
        return (path, function) in self._done or (path, function) in self._futures or any(
            handler == (path, function) for handler, _ in self._batch)

    def take(self, path: Path, function: str) -> HandlerSummary:
        """The summary made in the background (waiting for it); the handler was submitted."""
        self._flush()
        done = self._done.pop((path, function), None)
        if done is not None:
            return done
        future, index = self._futures.pop((path, function))
        return future.result()[index]

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None


_BACKGROUND: BackgroundSummaries | None = None


@contextmanager
def summaries_in_background(
    jobs: int, cache: SummaryCache | None
) -> Iterator[BackgroundSummaries]:
    """Start the workers now; :func:`iter_summaries` inside the block uses their results.

    Use it around loading *and* analysis::

        with summaries_in_background(jobs, cache) as background:
            app = load_application(path, on_handler=background.submit)
            analysis = analyze_application(app, catalog, jobs=jobs, cache=cache)
    """
    global _BACKGROUND
    background = BackgroundSummaries(jobs, cache)
    previous, _BACKGROUND = _BACKGROUND, background
    try:
        yield background
    finally:
        _BACKGROUND = previous
        background.close()


def summarize_handlers(
    requests: Sequence[HandlerRequest],
    *,
    jobs: int,
    cache: SummaryCache | None,
    advance: Callable[[int], None] = lambda _: None,
) -> list[HandlerSummary]:
    """Summaries in the order of ``requests``, whatever ``jobs`` is."""
    return list(iter_summaries(requests, jobs=jobs, cache=cache, advance=advance))


def iter_summaries(
    requests: Sequence[HandlerRequest],
    *,
    jobs: int,
    cache: SummaryCache | None,
    advance: Callable[[int], None] = lambda _: None,
) -> Iterator[HandlerSummary]:
    """Summaries in the order of ``requests``, each as soon as it and those before it are
    made: the caller classifies while the workers still parse (consume it to the end)."""
    background = _BACKGROUND
    # Per request: its summary now, or where it will come from.
    plan: list[HandlerSummary | Literal["background", "made"]] = []
    work: list[_Work] = []
    for request in requests:
        if background is not None and background.has(request.path, request.function):
            plan.append("background")
            continue
        source = _read(request.path)
        if not isinstance(source, bytes):
            plan.append(HandlerSummary(request.shown, request.function, 1, unknowns=(source,)))
            continue
        key = cache.key(source, request.function) if cache else None
        cached = cache.get(key) if cache and key else None
        if cached is not None:
            plan.append(replace(cached, file=request.shown))
        else:
            plan.append("made")
            work.append((source, request.shown, request.function, key, cache))
    if cache is not None:
        cache.close()  # SQLite connections must not cross a fork (a pool of its own forks now)
    made = _summarize_all(work, jobs, background.pool if background else None)
    for request, step in zip(requests, plan, strict=True):
        if step == "background":
            assert background is not None
            summary = replace(background.take(request.path, request.function), file=request.shown)
        elif step == "made":
            summary = next(made)
        else:
            summary = step
        advance(1)
        yield summary
    for _ in made:  # closes a pool of its own
        pass


def _read(path: Path) -> bytes | Unknown:
    """The handler's source, or why it is not analysed: unreadable, or over the size limit of
    every file lambdaslim loads (a 50 MB module would be parsed whole, gigabytes of memory)."""
    try:
        with open(path, "rb") as stream:
            too_large = oversize(os.fstat(stream.fileno()).st_size)
            if too_large is None:
                return stream.read()
    except OSError:
        return Unknown("the handler file cannot be read", 1)
    return Unknown(f"the handler file is {too_large}: not analysed", 1)


def _summarize_one(item: _Work) -> HandlerSummary:
    """Summarise one handler and write its cache entry (in whichever process runs it)."""
    from lambdaslim.analysis.handler import summarize_handler

    source, shown, function, key, cache = item
    summary = summarize_handler(source, shown, function)
    if cache is not None and key:
        cache.put(key, summary)
    return summary


class _Failed:
    """What :func:`_or_failed` returns when the function raised."""


def _function(name: str) -> Callable[..., Any]:
    module, function = name.split(":")
    return getattr(importlib.import_module(module), function)


def _or_failed(name: str, *args: Any) -> Any:
    try:
        return _function(name)(*args)
    except Exception:
        return _Failed()


def _summarize_chunk(items: list[_Work]) -> list[HandlerSummary]:
    return [_summarize_one(item) for item in items]


def _new_pool(jobs: int) -> ProcessPoolExecutor:
    """A pool whose workers are forked now (not at the first task), from the process as it is.

    Each worker imports the analysis (libcst: about 0.4 s) as it starts, in parallel with the
    others and with the main process, which loads the application meanwhile and never needs
    libcst itself.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork") if "fork" in methods else None
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start_worker)
    pool.submit(int)  # forks every worker now (all at once with "fork")
    return pool


def _start_worker() -> None:
    """Import the analysis before the first handler arrives, and exempt what it created from
    the garbage collector's scans (as :func:`lambdaslim.cli.tune_garbage_collector` does)."""
    import lambdaslim.analysis.handler  # noqa: F401

    gc.freeze()


def _summarize_all(
    work: list[_Work], jobs: int, pool: ProcessPoolExecutor | None = None
) -> Iterator[HandlerSummary]:
    """Summaries of ``work`` in order, lazily: in this process, or by ``pool`` (or by a pool of
    its own, shut down once the last summary is taken)."""
    if pool is None and (jobs <= 1 or len(work) < PARALLEL_THRESHOLD):
        for item in work:
            yield _summarize_one(item)
        return
    chunk = max(1, len(work) // (jobs * 8))
    own = pool is None
    executor = pool or _new_pool(jobs)
    try:
        yield from executor.map(_summarize_one, work, chunksize=chunk)
    finally:
        if own:
            executor.shutdown(wait=True)
