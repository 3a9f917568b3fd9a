"""Summarise many handlers: in parallel across processes, through a content-addressed cache.

Parsing with libcst is the expensive part of an analysis, and the only part that grows with the
size of a repository. Each (source file, handler function) pair is summarised once per content:
the cache key is the SHA-256 of the file's bytes, the function name, the lambdaslim version and
the rules catalog's digest. An entry that does not parse, or whose key does not match, is
ignored and rewritten: the cache is never trusted blindly.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from lambdaslim import __version__
from lambdaslim.analysis import HandlerSummary, summarize_handler
from lambdaslim.analysis.ir import Unknown

# Below this many uncached handlers, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 16


@dataclass(frozen=True)
class HandlerRequest:
    """One handler to summarise. ``shown`` is the path messages use."""

    path: Path
    function: str
    shown: str


class SummaryCache:
    """Summaries on disk, one JSON file per key, written atomically."""

    def __init__(self, directory: Path, salt: str):
        self.directory = directory
        self.salt = salt

    @classmethod
    def default(cls, salt: str) -> SummaryCache:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        return cls(Path(base) / "lambdaslim" / "summaries", salt)

    def key(self, source: bytes, function: str) -> str:
        digest = hashlib.sha256()
        for part in (__version__.encode(), self.salt.encode(), function.encode(), source):
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        return digest.hexdigest()

    def get(self, key: str) -> HandlerSummary | None:
        try:
            entry = json.loads((self.directory / key[:2] / f"{key}.json").read_text("utf-8"))
            if entry.get("key") != key:
                return None
            return HandlerSummary.from_dict(entry["summary"])
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

    def put(self, key: str, summary: HandlerSummary) -> None:
        folder = self.directory / key[:2]
        try:
            folder.mkdir(parents=True, exist_ok=True)
            text = json.dumps({"key": key, "summary": summary.to_dict()})
            with tempfile.NamedTemporaryFile(
                "w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8"
            ) as handle:
                handle.write(text)
            os.replace(handle.name, folder / f"{key}.json")
        except OSError:
            return  # a read-only or full disk only costs the next run its speed


def summarize_handlers(
    requests: Sequence[HandlerRequest],
    *,
    jobs: int,
    cache: SummaryCache | None,
    advance: Callable[[int], None] = lambda _: None,
) -> list[HandlerSummary]:
    """Summaries in the order of ``requests``, whatever ``jobs`` is."""
    results: list[HandlerSummary | None] = [None] * len(requests)
    pending: list[tuple[int, bytes, str | None]] = []
    for index, request in enumerate(requests):
        source = _read(request.path)
        if source is None:
            unreadable = Unknown("the handler file cannot be read", 1)
            results[index] = HandlerSummary(request.shown, request.function, 1,
                                            unknowns=(unreadable,))
            advance(1)
            continue
        key = cache.key(source, request.function) if cache else None
        cached = cache.get(key) if cache and key else None
        if cached is not None:
            results[index] = replace(cached, file=request.shown)
            advance(1)
        else:
            pending.append((index, source, key))
    work = [(source, requests[i].shown, requests[i].function) for i, source, _ in pending]
    for (index, _, key), summary in zip(pending, _summarize_all(work, jobs, advance), strict=True):
        results[index] = summary
        if cache and key:
            cache.put(key, summary)
    return [summary for summary in results if summary is not None]


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _summarize_one(item: tuple[bytes, str, str]) -> HandlerSummary:
    return summarize_handler(*item)


def _summarize_all(
    work: list[tuple[bytes, str, str]], jobs: int, advance: Callable[[int], None]
) -> list[HandlerSummary]:
    if jobs <= 1 or len(work) < PARALLEL_THRESHOLD:
        out = []
        for item in work:
            out.append(_summarize_one(item))
            advance(1)
        return out
    chunk = max(1, len(work) // (jobs * 8))
    out = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for summary in pool.map(_summarize_one, work, chunksize=chunk):
            out.append(summary)
            advance(1)
    return out
