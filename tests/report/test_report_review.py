"""The report on applications that differ from the sample where the report is easy to get wrong:
state names holding Markdown and Mermaid syntax, handler folders with spaces, ``--verify`` on an
application without cases, the entry function whose route turns the workflow synchronous, and a
divergence shown as ``lambdaslim verify`` shows it.

Each application is the ticket booking fixture (an API starts a workflow that reserves a seat and
tells the browser over a WebSocket), copied and edited the way a real team's would differ.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from lambdaslim.cli import main
from lambdaslim.loading.state_graph import DefinitionSource, build_state_graph
from lambdaslim.report.links import Links
from lambdaslim.report.markdown import code
from lambdaslim.report.mermaid import state_diagram
from lambdaslim.report.verification import verification_rows
from lambdaslim.verify.compare import compare_runs
from lambdaslim.verify.observation import RunObservation
from lambdaslim.verify.report_table import CaseResult, difference_text, verify_document

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "report" / "ticket_booking"
DEFINITION = Path("statemachine") / "booking.asl.json"


def booking_app(
    tmp_path: Path, reserve: str = "Reserve seat", tell: str = "Tell the client"
) -> Path:
    """The ticket booking application with its two states renamed."""
    app = tmp_path / "ticket_booking"
    shutil.copytree(FIXTURE, app)
    path = app / DEFINITION
    definition = json.loads(path.read_text(encoding="utf-8"))
    states = definition["States"]
    reserve_state, tell_state = states.pop("Reserve seat"), states.pop("Tell the client")
    reserve_state["Next"] = tell
    definition["StartAt"] = reserve
    definition["States"] = {reserve: reserve_state, tell: tell_state}
    path.write_text(json.dumps(definition, indent=2), encoding="utf-8")
    return app


def rewrite(app: Path, tmp_path: Path, *options: str) -> tuple[str, str]:
    """The report's text and the command's output."""
    report = tmp_path / "REPORT.md"
    result = CliRunner().invoke(main, [
        "rewrite", str(app), "--out", str(tmp_path / "out"), "--report", str(report), *options,
    ])
    assert result.exit_code == 0, result.output
    return report.read_text(encoding="utf-8"), result.output


def section(report: str, heading: str) -> str:
    return report.split(heading, 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]


# -- state names ----------------------------------------------------------------------------------


def test_state_names_with_backticks_stay_inline_code(tmp_path: Path) -> None:
    reserve = "Reserve `seat` | row A"
    report, _ = rewrite(booking_app(tmp_path, reserve=reserve), tmp_path)
    changes = section(report, "### `ReserveSeatFunction`")
    assert f"In `BookingWorkflow`, state {code(reserve)} becomes:" in changes
    assert code(reserve) == "``Reserve `seat` | row A``"


def test_a_removed_state_stays_inline_code(tmp_path: Path) -> None:
    tell = "Tell the `client`"
    report, _ = rewrite(booking_app(tmp_path, tell=tell), tmp_path)
    changes = section(report, "### `NotifyClientFunction`")
    assert f"In `BookingWorkflow`, state {code(tell)} is removed." in changes


def test_mermaid_labels_escape_entity_codes_in_state_names() -> None:
    """Mermaid reads ``#<name>;`` in a label as an entity code (``#quot;``, ``#9829;``): a ``#``
    of the state name must itself be written as one, or ``Seat #12;`` shows a control
    character."""
    definition = {
        "StartAt": "Hold seat #12; aisle",
        "States": {
            "Hold seat #12; aisle": {"Type": "Task", "Resource": "x", "Next": 'Say "booked"'},
            'Say "booked"': {"Type": "Pass", "End": True},
        },
    }
    graph = build_state_graph(definition, DefinitionSource("t", "t", lambda _: None), [])
    text = state_diagram(graph, ("Hold seat #12; aisle",), {}, {})
    assert 's0["Hold seat #35;12; aisle<br/><i>Task</i>"]' in text
    assert 's1("Say #quot;booked#quot;<br/><i>Pass</i>")' in text
    assert "#12;" not in text


# -- links ----------------------------------------------------------------------------------------


def test_quoted_lines_link_to_folders_with_spaces(tmp_path: Path) -> None:
    """A multi-line quote links like a one-line location: spaces encoded, so the link works."""
    app = booking_app(tmp_path)
    (app / "functions" / "reserve_seat").rename(app / "functions" / "reserve seat")
    template = app / "template.yaml"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "CodeUri: functions/reserve_seat/", 'CodeUri: "functions/reserve seat/"'), encoding="utf-8")
    report, _ = rewrite(app, tmp_path)
    changes = section(report, "### `ReserveSeatFunction`")
    assert ("[functions/reserve seat/handler.py:9-13](ticket_booking/functions/reserve%20seat/"
            "handler.py#L9-L13)") in changes
    links = Links("app")
    assert links.location("src/book seat/app.py", 4, 7) == \
        "[src/book seat/app.py:4-7](app/src/book%20seat/app.py#L4-L7)"
    assert links.location("src/book seat/app.py", 4, 4) == links.location("src/book seat/app.py", 4)


# -- declarations ---------------------------------------------------------------------------------


def test_the_entry_function_lists_what_its_route_changes_for_the_workflow(tmp_path: Path) -> None:
    """The route edit is what turns the workflow into a synchronous Express one: the change of
    the entry function declares it and asks the reviewer to check it."""
    report, _ = rewrite(booking_app(tmp_path), tmp_path)
    entry = section(report, "### `StartBookingFunction`")
    assert "**Declared differences**" in entry
    assert "- `delivery_semantics`: the workflow becomes a synchronous Express workflow" in entry
    assert "- [ ] Check that the workflow tolerates its new delivery semantics." in entry
    reserve = section(report, "### `ReserveSeatFunction`")
    assert "delivery_semantics" not in reserve


# -- verification ---------------------------------------------------------------------------------


def test_verify_without_cases_says_so_instead_of_asking_for_verify(tmp_path: Path) -> None:
    report, output = rewrite(booking_app(tmp_path), tmp_path, "--verify")
    verification = section(report, "## Verification")
    assert "write this report with `--verify`" not in verification
    assert "no `cases/` folder" in verification
    assert "no cases/ folder" in output


def test_without_verify_the_report_still_says_how_to_run_it(tmp_path: Path) -> None:
    report, output = rewrite(booking_app(tmp_path), tmp_path)
    verification = section(report, "## Verification")
    assert "or write this report with `--verify`." in verification
    assert "cases/" not in output


def booking_run(status: str = "SUCCEEDED", **fields) -> RunObservation:
    return RunObservation(case="seat_taken", state_machine="BookingWorkflow", status=status,
                          **fields)


def test_a_divergence_reads_as_lambdaslim_verify_prints_it() -> None:
    """The report's first difference is the text of ``lambdaslim verify``, in a table cell where
    ``<`` and ``|`` of the values cannot become HTML or columns."""
    original = booking_run(
        "FAILED", error="SeatTaken", cause={"errorMessage": "seat <A1> | taken", "errorType": "X"},
        tables={"SeatsTable": [{"seatId": "A1", "bookedBy": "ada"}]},
    )
    optimized = booking_run(
        "FAILED", error="States.Runtime", cause="no <seatId>",
        tables={"SeatsTable": [{"seatId": "A1", "bookedBy": "bob"}]},
    )
    comparison = compare_runs(original, optimized, (), {"SeatsTable": ("seatId",)})
    result = CaseResult("seat_taken", "BookingWorkflow", original, optimized, comparison)
    [row] = verification_rows(verify_document([result]))
    first = difference_text(comparison.differences[0])
    assert first == "error: SeatTaken != States.Runtime"
    assert row["first"] == f"{first} (+{len(comparison.differences) - 1} more)"

    only_row = compare_runs(booking_run(tables={"SeatsTable": [{"seatId": "A1", "n": "<1>|"}]}),
                            booking_run(tables={"SeatsTable": [{"seatId": "A1", "n": "2"}]}),
                            (), {"SeatsTable": ("seatId",)})
    result = CaseResult("seat_taken", "BookingWorkflow", booking_run(), booking_run(), only_row)
    [row] = verification_rows(verify_document([result]))
    assert row["first"] == \
        'table SeatsTable row {seatId: "A1"} attribute n: "&lt;1&gt;\\|" != "2"'
