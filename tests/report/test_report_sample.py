"""`samples/optimized_REPORT.md` is exactly what the documented command writes.

The sample is copied under a temporary ``samples/`` folder, so the report's relative links and
title are those of the committed one while nothing in the repository is written: this also
proves the report does not depend on where the application lives.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from lambdaslim.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = ROOT / "samples" / "optimized_REPORT.md"


def test_regenerating_the_sample_report_gives_the_committed_bytes(tmp_path: Path) -> None:
    samples = tmp_path / "samples"
    shutil.copytree(ROOT / "samples" / "original_13_lambdas", samples / "original_13_lambdas",
                    ignore=shutil.ignore_patterns("__pycache__"))
    report = samples / "optimized_REPORT.md"
    result = CliRunner().invoke(main, [
        "rewrite", str(samples / "original_13_lambdas"), "--out", str(tmp_path / "out"),
        "--report", str(report), "--verify",
    ])
    assert result.exit_code == 0, result.output
    assert "wrote report" in result.output and "7 of 7 cases equivalent" in result.output
    assert report.read_bytes() == COMMITTED.read_bytes()


def test_the_committed_report_shows_what_a_reviewer_needs() -> None:
    text = COMMITTED.read_text(encoding="utf-8")
    assert "| Lambda functions | 13 | **2** |" in text
    assert text.count("```mermaid") == 4
    assert "subgraph s0 [\"Input checks<br/><i>Parallel</i>\"]" in text
    assert "class s1,s5,s6,s7,s8,s10,s11,s13,s14 replaced" in text
    assert "**EXPRESS (synchronous)**: at-most-once execution" in text
    assert "| state machine `AccountCreationStateMachine` | `!GetAtt UsersTable.Arn` " \
           "| dynamodb:PutItem |  |" in text
    assert "### `CreateUserFunction`: [LS101 dynamodb-put-item-transport]" \
           "(https://lambdaslim.dev/rules/LS101)" in text
    assert "[functions/create_user/app.py:43](original_13_lambdas/functions/create_user/" \
           "app.py#L43)" in text
    assert '<details><summary><code>template.yaml</code>' in text
    assert "- `functions/create_user/` (2 files)" in text
    assert "**7 of 7 cases equivalent.**" in text
    assert "## Cost and latency (a model)" in text
    assert "Prices for us-east-1, read on 2026-11-26" in text
    assert "| Lambda hops on the critical path | 6 | 1 |" in text
    assert "/tmp" not in text and str(ROOT) not in text
