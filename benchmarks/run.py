"""Benchmark ``lambdaslim analyze`` on a synthetic monorepo and check the scale targets.

Every measured command runs in a fresh ``python -c`` wrapper process that starts it, waits for
it and reports its wall time, its CPU time and its peak memory: the largest resident set of any
process in its tree (``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of the wrapper, which only ever has
that one child) and the peak of the whole tree's summed RSS (sampled from ``/proc`` every 20 ms,
which matters once ``--jobs`` starts worker processes).

Usage::

    python benchmarks/run.py                      # 2,000 functions in a temporary folder
    python benchmarks/run.py --functions 200      # quick check
    python benchmarks/run.py --repo /tmp/mono     # reuse (or create) a generated repo
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_monorepo import generate  # noqa: E402

# Runs argv[2:] with stdout to the file argv[1]; prints one JSON line of measurements.
WRAPPER = r"""
import json, os, resource, subprocess, sys, threading, time

def tree_rss(root):
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append((int(entry), int(fields[21])))
    total, stack = 0, [root]
    while stack:
        for pid, rss_pages in children.get(stack.pop(), []):
            total += rss_pages
            stack.append(pid)
    return total * os.sysconf("SC_PAGE_SIZE")

def busy_cpu_seconds():
    # All CPUs' non-idle time, system-wide (user nice system irq softirq steal).
    try:
        with open("/proc/stat") as handle:
            fields = [int(x) for x in handle.readline().split()[1:]]
    except OSError:
        return None
    return (sum(fields[:8]) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")

out = open(sys.argv[1], "wb")
busy_before = busy_cpu_seconds()
start = time.perf_counter()
child = subprocess.Popen(sys.argv[2:], stdout=out)
peak = [0]
done = threading.Event()

def sample():
    while not done.wait(0.02):
        try:
            peak[0] = max(peak[0], tree_rss(os.getpid()))
        except Exception:
            return

if os.path.isdir("/proc"):
    threading.Thread(target=sample, daemon=True).start()
code = child.wait()
wall = time.perf_counter() - start
done.set()
busy_after = busy_cpu_seconds()
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = usage.ru_utime + usage.ru_stime
# CPU that other processes of the machine used meanwhile, in cores (0 on a quiet machine).
others = None if busy_before is None else max(0.0, busy_after - busy_before - cpu) / wall
scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
print(json.dumps({"code": code, "wall": wall, "cpu": cpu, "max_rss": usage.ru_maxrss * scale,
                  "tree_rss": peak[0], "others": others}))
"""

# Read + libcst.parse_module every handler file, nothing else. Prints the loop's own time.
PARSE_ONLY = r"""
import sys, time
from pathlib import Path
start = time.perf_counter()
import libcst
imported = time.perf_counter()
files = sorted(Path(sys.argv[1]).glob("functions/*/app.py"))
for path in files:
    libcst.parse_module(path.read_bytes())
end = time.perf_counter()
print(f"{len(files)} {imported - start:.4f} {end - imported:.4f}", file=sys.stderr)
"""

MB = 1024 * 1024


@dataclass
class Measure:
    name: str
    wall: float
    cpu: float
    max_rss: int
    tree_rss: int
    stdout: Path
    stderr: str
    others: float | None  # cores busy with other processes during the run


def measure(name: str, argv: list[str], env: dict[str, str], work: Path, attempt: int,
            before: list[str] | None = None) -> Measure:
    """Run ``argv`` once in a fresh wrapper."""
    if before:  # e.g. empty the cache again before each cold run
        for folder in before:
            shutil.rmtree(folder, ignore_errors=True)
    stdout = work / f"{name.replace(' ', '_')}.{attempt}.out"
    proc = subprocess.run([sys.executable, "-c", WRAPPER, str(stdout), *argv], env=env,
                          capture_output=True, text=True, check=False)
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        sys.exit(f"{name}: the wrapper failed\n{proc.stdout}\n{proc.stderr}")
    if data["code"] != 0:
        sys.exit(f"{name}: exit code {data['code']}\n{proc.stderr[-3000:]}")
    result = Measure(name, data["wall"], data["cpu"], data["max_rss"], data["tree_rss"],
                     stdout, proc.stderr, data["others"])
    print(f"  {name:24} {result.wall:7.2f} s  cpu {result.cpu:7.2f} s  "
          f"max RSS {result.max_rss / MB:6.0f} MB  tree {result.tree_rss / MB:6.0f} MB  "
          f"other load {load(result)} cores",
          file=sys.stderr)
    return result


def in_rounds(runs: dict[str, tuple[list[str], list[str] | None]],
              env: dict[str, str], work: Path, repeat: int) -> list[dict[str, Measure]]:
    """Each run ``repeat`` times, in rounds (every run once per round).

    Rounds rather than one run's repeats back to back: a shared machine's speed drifts by tens
    of percent within minutes, and rounds spread that drift over every run alike.
    """
    return [{name: measure(name, argv, env, work, attempt, before)
             for name, (argv, before) in runs.items()} for attempt in range(repeat)]


def per_round(rounds: list[dict[str, Measure]], numerator: str, denominator: str) -> str:
    """The ratio of two runs within each round (neighbours in time), and their median."""
    ratios = [r[numerator].wall / r[denominator].wall for r in rounds]
    shown = " / ".join(f"{ratio:.2f}" for ratio in ratios)
    return f"{shown} (median {statistics.median(ratios):.2f})"


def load(m: Measure) -> str:
    return "?" if m.others is None else f"{m.others:.2f}"


def functions_of(path: Path) -> list:
    return json.loads(path.read_text("utf-8"))["functions"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--functions", type=int, default=2000,
                        help="functions to generate (multiple of 10; default 2000)")
    parser.add_argument("--repo", type=Path, default=None,
                        help="generated repo to reuse; generated there if it has no template")
    parser.add_argument("--seed", type=int, default=1234)
    parser.add_argument("--repeat", type=int, default=1,
                        help="rounds of all five runs; the fastest of each is kept (default 1)")
    parser.add_argument("--lambdaslim", default=None,
                        help="lambdaslim executable (default: the one next to this Python)")
    args = parser.parse_args(argv)

    exe = args.lambdaslim or shutil.which("lambdaslim", path=str(Path(sys.executable).parent))
    if not exe:
        sys.exit("lambdaslim not found next to this Python; pass --lambdaslim")
    command = [exe]
    with tempfile.TemporaryDirectory(prefix="lambdaslim-bench-") as tmp:
        work = Path(tmp)
        repo = args.repo or work / "monorepo"
        if not (repo / "template.yaml").exists():
            print(f"generating {args.functions} functions into {repo}", file=sys.stderr)
            generate(repo, args.functions, args.seed)
        n_functions = len(list(repo.glob("functions/*/app.py")))
        n_machines = len(list(repo.glob("statemachine/*.asl.json")))
        cache_home = work / "xdg-cache"
        env = {**os.environ, "XDG_CACHE_HOME": str(cache_home)}
        env.pop("LAMBDASLIM_JOBS", None)
        analyze = [*command, "analyze", str(repo), "--format", "json"]
        print(f"measuring on {n_functions} functions, {n_machines} state machines "
              f"({os.cpu_count()} CPUs)", file=sys.stderr)

        rounds = in_rounds({
            "parse-only": ([sys.executable, "-c", PARSE_ONLY, str(repo)], None),
            "cold": (analyze, [str(cache_home)]),
            "warm": (analyze, None),
            "jobs 1 no-cache": ([*analyze, "--jobs", "1", "--no-cache"], None),
            "jobs 2 no-cache": ([*analyze, "--jobs", "2", "--no-cache"], None),
        }, env, work, args.repeat)
        best = {name: min((r[name] for r in rounds), key=lambda m: m.wall) for name in rounds[0]}
        parse, cold, warm = best["parse-only"], best["cold"], best["warm"]
        jobs1, jobs2 = best["jobs 1 no-cache"], best["jobs 2 no-cache"]
        parsed, import_s, loop_s = parse.stderr.strip().splitlines()[-1].split()

        same = functions_of(cold.stdout) == functions_of(jobs1.stdout)
        warm_same = functions_of(warm.stdout) == functions_of(cold.stdout)
        summary = json.loads(cold.stdout.read_text("utf-8"))["summary"]
        peak = max(m.tree_rss or m.max_rss for m in (cold, warm, jobs1, jobs2))

        # (label, value of the fastest runs, passed, the ratio within each round)
        targets = [
            ("cold <= 1.0x parse-only", cold.wall / parse.wall, cold.wall <= parse.wall,
             per_round(rounds, "cold", "parse-only")),
            ("warm < 0.1x cold", warm.wall / cold.wall, warm.wall < 0.1 * cold.wall,
             per_round(rounds, "warm", "cold")),
            ("jobs 2 >= 1.5x faster than jobs 1", jobs1.wall / jobs2.wall,
             jobs1.wall >= 1.5 * jobs2.wall,
             per_round(rounds, "jobs 1 no-cache", "jobs 2 no-cache")),
            ("peak memory < 500 MB", peak / MB, peak < 500 * MB, "-"),
            ("same verdicts (cold default vs jobs 1 no-cache)", None, same, "-"),
        ]

    def row(m: Measure, ratio: str) -> str:
        return (f"| {m.name} | {m.wall:.2f} | {m.cpu:.2f} | {ratio} | {m.max_rss / MB:.0f} "
                f"| {m.tree_rss / MB:.0f} | {load(m)} |")

    today = datetime.date.today().isoformat()
    print(f"\n### lambdaslim analyze: {n_functions} functions, {n_machines} state "
          "machines\n")
    print(f"{today}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
          f"{platform.system()} {platform.machine()}; verdicts: {summary['replace']} replace, "
          f"{summary['keep']} keep; {parsed} files parsed in the floor run (import libcst "
          f"{float(import_s):.2f} s, read + parse loop {float(loop_s):.2f} s)\n")
    print("| run | wall s | CPU s | ratio | max RSS MB (largest process) | tree RSS MB (sum) "
          "| other load (cores) |")
    print("|---|---:|---:|---|---:|---:|---:|")
    print(row(parse, "1.00x (floor)"))
    print(row(cold, f"{cold.wall / parse.wall:.2f}x parse-only"))
    print(row(warm, f"{warm.wall / cold.wall:.3f}x cold"))
    print(row(jobs1, f"{jobs1.wall / parse.wall:.2f}x parse-only"))
    print(row(jobs2, f"jobs 1 / jobs 2 = {jobs1.wall / jobs2.wall:.2f}x"))
    print("\n| target | measured (fastest runs) | result | within each round |")
    print("|---|---:|---|---|")
    for label, value, ok, within_rounds in targets:
        shown = "-" if value is None else (f"{value:.0f} MB" if "MB" in label else f"{value:.2f}x")
        print(f"| {label} | {shown} | {'PASS' if ok else 'FAIL'} | {within_rounds} |")
    busiest = max((m.others or 0.0) for m in (parse, cold, warm, jobs1, jobs2))
    if busiest > 0.25:
        print(f"\nWARNING: other processes kept up to {busiest:.2f} cores busy during a run; "
              "the timings (above all jobs 1 vs jobs 2) are not representative. Re-run on an "
              "idle machine.")
    if not warm_same:
        print("\nnote: the warm run's functions differ from the cold run's")
    return 0 if all(ok for _, _, ok, _ in targets) else 1


if __name__ == "__main__":
    raise SystemExit(main())
