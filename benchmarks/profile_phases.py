"""Where does ``lambdaslim analyze`` spend its time? Wall-clock time per phase, no profiler.

Runs ``lambdaslim analyze`` in this process with timers wrapped around the pipeline's internal
functions (start-up imports, catalog, template/YAML/JSON loading, handler summaries, libcst
parse, cache reads and writes, classification, JSON rendering). Internal names may move as the
code changes: a function that is not found is reported as such, not an error.

``parse_module`` is only counted in this process, so it reads 0 with ``--jobs`` > 1 (workers).

Usage::

    python benchmarks/profile_phases.py REPO [lambdaslim analyze options...]
    python benchmarks/profile_phases.py /tmp/mono --jobs 1 --no-cache
    python benchmarks/profile_phases.py /tmp/mono --cprofile /tmp/analyze.prof --jobs 1
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import contextlib  # noqa: E402
import functools  # noqa: E402
import importlib  # noqa: E402
import io  # noqa: E402
import sys  # noqa: E402
from collections import defaultdict  # noqa: E402
from typing import Any  # noqa: E402

TOTALS: dict[str, float] = defaultdict(float)
CALLS: dict[str, int] = defaultdict(int)
_ACTIVE: set[str] = set()

# (label, module, attribute path): wrapped where the pipeline looks the name up.
PHASES = [
    ("load_catalog", "lambdaslim.catalog", "load_catalog"),
    ("load_application", "lambdaslim.loading", "load_application"),
    ("  parse YAML (libyaml)", "lambdaslim.loading.documents", "parse_yaml"),
    ("  parse JSON", "lambdaslim.loading.documents", "parse_json"),
    ("  to_plain", "lambdaslim.loading.documents", "to_plain"),
    ("analyze_application", "lambdaslim.classification", "analyze_application"),
    ("  read handler files", "lambdaslim.handler_summaries", "_read"),
    ("  cache key (sha256)", "lambdaslim.handler_summaries", "SummaryCache.key"),
    ("  cache get", "lambdaslim.handler_summaries", "SummaryCache.get"),
    ("  cache put", "lambdaslim.handler_summaries", "SummaryCache.put"),
    ("  summarize (parse + analysis)", "lambdaslim.handler_summaries", "_summarize_one"),
    ("    libcst.parse_module", "libcst", "parse_module"),
    ("    _summarize_module (analysis)", "lambdaslim.analysis.handler", "_summarize_module"),
    ("  classify_handler", "lambdaslim.classification", "classify_handler"),
    ("  context (_Context.run)", "lambdaslim.classification", "_Context.run"),
    ("plan_analysis (planner)", "lambdaslim.pipeline", "plan_analysis"),
    ("render_json", "lambdaslim.output.analysis_json", "render_json"),
]


def _timed(label: str, func: Any) -> Any:
    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if label in _ACTIVE:  # recursion: count the outermost call only
            return func(*args, **kwargs)
        _ACTIVE.add(label)
        start = time.perf_counter()
        try:
            return func(*args, **kwargs)
        finally:
            TOTALS[label] += time.perf_counter() - start
            CALLS[label] += 1
            _ACTIVE.discard(label)

    return wrapper


def install() -> list[str]:
    missing = []
    for label, module_name, path in PHASES:
        try:
            owner: Any = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent)
            setattr(owner, name, _timed(label, getattr(owner, name)))
        except (ImportError, AttributeError):
            missing.append(label.strip())
    return missing


def main() -> int:
    argv = sys.argv[1:]
    profile_out = None
    if "--cprofile" in argv:
        at = argv.index("--cprofile")
        profile_out = argv[at + 1]
        del argv[at:at + 2]
    from lambdaslim.cli import main as cli
    from lambdaslim.cli import tune_garbage_collector

    imported = time.perf_counter()
    # Imports the commands do lazily, done now so that they count as start-up, not as a phase.
    for name in ("lambdaslim.catalog", "lambdaslim.classification", "lambdaslim.loading",
                 "lambdaslim.handler_summaries", "lambdaslim.output.analysis_json",
                 "lambdaslim.progress"):
        importlib.import_module(name)
    lazy = time.perf_counter()
    tune_garbage_collector()  # as the console script does
    missing = install()
    out = io.StringIO()
    profiler = None
    if profile_out:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out):
        cli(["analyze", *argv, "--format", "json"], standalone_mode=False)
    end = time.perf_counter()
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile_out)
    print(f"analyze {' '.join(argv)}: {len(out.getvalue()) / 1e6:.1f} MB of JSON")
    print(f"{'phase':36} {'seconds':>9} {'calls':>7}")
    print(f"{'interpreter + import lambdaslim.cli':36} {imported - STARTED:9.2f}")
    print(f"{'lazy imports (catalog, loading...)':36} {lazy - imported:9.2f}")
    for label, _, _ in PHASES:
        if label.strip() in missing:
            print(f"{label:36} {'(not found)':>9}")
        else:
            print(f"{label:36} {TOTALS[label]:9.2f} {CALLS[label]:7d}")
    print(f"{'analyze command, total':36} {end - start:9.2f}")
    print(f"{'process, total':36} {end - STARTED:9.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
