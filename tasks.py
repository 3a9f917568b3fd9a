"""Set up the project and run its main jobs with nothing but Python 3.11 and pip.

    python3 tasks.py demo   # create .venv, install lambdaslim, run it on the bundled sample
    python3 tasks.py test   # create .venv, install lambdaslim with its dev tools, lint and test

Each command creates (or reuses) ``.venv`` next to this file, so it works alone on a fresh clone.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
SAMPLE = ROOT / "samples" / "original_13_lambdas"


def run(*args: str | Path) -> None:
    print("+", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True)


def ensure_venv() -> None:
    """Create the virtual environment and (re)install when pyproject.toml changed."""
    if not (BIN / "python").exists():
        run(sys.executable, "-m", "venv", VENV)
    stamp = VENV / ".lambdaslim-installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == wanted:
        return
    run(BIN / "python", "-m", "pip", "install", "-q", "--upgrade", "pip")
    run(BIN / "python", "-m", "pip", "install", "-q", "-e", ".[dev]")
    stamp.write_text(wanted)


def demo() -> None:
    """Analyze the sample, rewrite it into a temporary folder, and verify the rewrite."""
    ensure_venv()
    run(BIN / "lambdaslim", "analyze", SAMPLE)
    with tempfile.TemporaryDirectory(prefix="lambdaslim-demo-") as scratch:
        optimized = Path(scratch) / "optimized"
        run(BIN / "lambdaslim", "rewrite", SAMPLE, "--out", optimized)
        run(BIN / "lambdaslim", "verify", SAMPLE, optimized)


def test() -> None:
    ensure_venv()
    run(BIN / "ruff", "check", ".")
    run(BIN / "mypy")
    run(BIN / "python", "-m", "pytest")


def main() -> int:
    jobs = {"demo": demo, "test": test}
    if len(sys.argv) != 2 or sys.argv[1] not in jobs:
        print(f"usage: python3 tasks.py {{{'|'.join(jobs)}}}", file=sys.stderr)
        return 2
    try:
        jobs[sys.argv[1]]()
    except subprocess.CalledProcessError as exc:
        return exc.returncode or 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
