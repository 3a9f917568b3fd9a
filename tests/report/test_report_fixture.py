"""The report of an application other than the sample: ticket booking (an API starts a
workflow that reserves a seat and tells the browser over a WebSocket)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lambdaslim.cli import main

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "ticket_booking"


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("report")
    result = CliRunner().invoke(main, [
        "rewrite", str(FIXTURE), "--out", str(folder / "out"), "--report",
        str(folder / "REPORT.md"),
    ])
    assert result.exit_code == 0, result.output
    return (folder / "REPORT.md").read_text(encoding="utf-8")


def sections(text: str) -> list[str]:
    return re.findall(r"^## (.+)$", text, flags=re.MULTILINE)


def test_the_report_has_every_section_in_order(report: str) -> None:
    assert report.startswith("# lambdaslim rewrite report: `ticket_booking`\n")
    assert sections(report) == ["Summary", "Diagrams", "Analysis", "Changes", "Diffs",
                                "Verification", "Cost and latency (a model)"]


def test_the_summary_counts_functions_code_and_changes(report: str) -> None:
    assert "| Lambda functions | 5 | **0** |" in report
    assert re.search(r"\| Handler source removed \| \| \d+ non-blank lines in 5 files \|", report)
    assert "| API routes rewired | | `BookingsApi POST /bookings` |" in report
    assert "| `BookingWorkflow` | STANDARD: exactly-once" in report
    assert "| API `BookingsApi` (new role for POST /bookings) | `!Ref BookingWorkflow` " \
           "| states:StartSyncExecution |  |" in report


def test_one_section_per_change_with_the_replacing_states(report: str) -> None:
    for function, rule in [("ReserveSeatFunction", "LS103"), ("NotifyClientFunction", "LS501"),
                           ("StartBookingFunction", "LS401"), ("OnConnectFunction", "LS501"),
                           ("OnDisconnectFunction", "LS501")]:
        assert re.search(rf"^### `{function}`: \[{rule} [a-z-]+\]\(https://lambdaslim.dev/rules/"
                         rf"{rule}\)$", report, flags=re.MULTILINE), function
    block = report.split("### `ReserveSeatFunction`")[1].split("### ")[0]
    states = json.loads(block.split("```json\n")[1].split("\n```")[0])
    assert states["Reserve seat"]["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    assert "table.update_item(" in block and "- [ ] Check that" in block
    assert "#set($body = $input.json('$').trim())" in report
    assert "No function was declined by the rewrite" in report


def test_without_verify_the_report_says_how_to_run_it(report: str) -> None:
    verification = report.split("## Verification")[1].split("## ")[0]
    assert "Not run." in verification and "lambdaslim verify" in verification


def test_cost_uses_the_happy_path_and_shows_its_inputs(report: str) -> None:
    cost = report.split("## Cost and latency (a model)")[1]
    assert "Work per execution: counted on the happy path of the definition." in cost
    assert "| Step Functions | Standard: 2,000,000 transitions | $50.00 |" in cost
    assert "| `ReserveSeatFunction` | 256 MB | 100 ms (assumed) | x86_64 | 1 | 0 |" in cost


def test_prices_override_part_of_the_model(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"lambda": {"duration_ms": {"ReserveSeatFunction": 850}}}))
    result = CliRunner().invoke(main, [
        "rewrite", str(FIXTURE), "--report", str(tmp_path / "R.md"), "--prices", str(prices),
    ])
    assert result.exit_code == 0, result.output
    text = (tmp_path / "R.md").read_text(encoding="utf-8")
    assert "| `ReserveSeatFunction` | 256 MB | 850 ms (given) |" in text
    assert "| `NotifyClientFunction` | 256 MB | 100 ms (assumed) |" in text


def test_verify_needs_an_output_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [
        "rewrite", str(FIXTURE), "--report", str(tmp_path / "R.md"), "--verify"])
    assert result.exit_code == 2
    assert "--verify" in result.output
    assert not (tmp_path / "R.md").exists()
