"""`lambdaslim analyze` as a user runs it: formats, exit codes, messages."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from lambdaslim.cli import main

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "original_13_lambdas"
BOOKING = ROOT / "tests" / "fixtures" / "apps" / "ticket_booking"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_json_document_follows_the_v1_schema() -> None:
    code, out, _ = run("analyze", str(SAMPLE), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["schema"] == "lambdaslim/analysis/v1"
    assert doc["summary"] == {"functions": 13, "replace": 11, "keep": 2}
    for function in doc["functions"]:
        assert set(function) >= {"id", "source", "handler", "verdict", "category",
                                 "resources", "reasons"}
        assert function["verdict"] in ("replace", "keep")
        assert function["reasons"], function["id"]
        for reason in function["reasons"]:
            assert set(reason) == {"message", "file", "line"}
    (machine,) = doc["state_machines"]
    assert machine["becomes"] == "EXPRESS (synchronous)"
    assert len(machine["tasks"]) == 10


def test_output_is_byte_identical_across_runs() -> None:
    first = run("analyze", str(BOOKING), "--format", "json")[1]
    assert first == run("analyze", str(BOOKING), "--format", "json")[1]


def test_fail_on_replace_gates_ci() -> None:
    assert run("analyze", str(BOOKING), "--fail-on", "replace")[0] == 1
    assert run("analyze", str(BOOKING))[0] == 0


def test_human_output_has_a_table_per_machine_and_api_and_a_summary() -> None:
    code, out, _ = run("analyze", str(BOOKING))
    assert code == 0
    assert "State machine BookingWorkflow (STANDARD)" in out
    assert "REST API BookingsApi" in out and "WEBSOCKET API ClientSocket" in out
    # SAM cannot put mapping templates on an implicit Api event: the entry stays, and with it
    # the WebSocket channel; only the seat reservation is replaced.
    assert out.rstrip().endswith("5 functions: 1 replace, 4 keep")


def test_a_single_handler_file_with_a_function_name() -> None:
    handler = BOOKING / "functions" / "reserve_seat" / "handler.py"
    code, out, _ = run("analyze", f"{handler}:main", "--format", "json")
    assert code == 0
    (function,) = json.loads(out)["functions"]
    assert function["resources"] == ["arn:aws:states:::dynamodb:updateItem"]


def test_bad_input_is_one_message_with_file_and_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text("Resources:\n  Queue:\n    Type: a: b\n")
    code, out, err = run("analyze", str(tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert "template.yaml:3" in err and "Traceback" not in err


def test_missing_path_is_exit_2() -> None:
    code, _, err = run("analyze", "/no/such/app")
    assert code == 2 and "/no/such/app" in err
