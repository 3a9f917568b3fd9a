"""``run_verify`` on the orders pair: the hand-optimized copy is equivalent; planted bugs diverge.

``tests/fixtures/verify/orders/original`` runs every step in a Lambda function;
``optimized`` was rewritten by hand (Choice + Pass to the catcher, ``dynamodb:putItem``,
``sqs:sendMessage``, a JSONata variant, the API starting the workflow synchronously) with a
hand-written ``.lambdaslim/plan.json`` declaring the generated order id and timestamp, the
dropped WebSocket notification and the compact JSON. Each planted bug is one edit of a copy.
"""

import json
import shutil
from pathlib import Path

import pytest

from lambdaslim.errors import LambdaslimError
from lambdaslim.verify.command import run_verify

ORDERS = Path(__file__).parent.parent / "fixtures" / "verify" / "orders"
ORIGINAL = ORDERS / "original"
OPTIMIZED = ORDERS / "optimized"


def verify(optimized: Path, cases: Path | None = None, output_format: str = "json"):
    printed: list[str] = []
    code = run_verify(ORIGINAL, optimized, cases, output_format, printed.append)
    text = "\n".join(printed)
    return code, (json.loads(text) if output_format == "json" else text)


def only_cases(tmp_path: Path, *names: str) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir()
    for name in names:
        shutil.copy(ORIGINAL / "cases" / f"{name}.json", folder)
    return folder


def planted(tmp_path: Path, machine_file: str, edit) -> Path:
    """A copy of the optimized app whose ``statemachine/<machine_file>`` ``edit`` changed."""
    copy = tmp_path / "optimized"
    shutil.copytree(OPTIMIZED, copy)
    path = copy / "statemachine" / machine_file
    definition = json.loads(path.read_text())
    edit(definition["States"])
    path.write_text(json.dumps(definition))
    return copy


def first_difference(report: dict, case: str) -> dict:
    [result] = [c for c in report["cases"] if c["name"] == case]
    assert result["equivalent"] is False
    return result["differences"][0]


@pytest.fixture(scope="module")
def unplanted():
    return verify(OPTIMIZED)


def test_unplanted_pair_is_equivalent(unplanted):
    code, report = unplanted
    assert code == 0
    assert report["schema"] == "lambdaslim/verify/v1"
    assert report["summary"] == {"cases": 5, "equivalent": 5}
    small = next(c for c in report["cases"] if c["name"] == "small_order")
    assert small["original"]["lambda_invocations"] == 4
    assert small["optimized"]["lambda_invocations"] == 0
    assert small["original"]["state_transitions"] == 4
    assert small["differences"] == []


def test_declared_generated_id_is_tolerated_and_listed(unplanted):
    _code, report = unplanted
    small = next(c for c in report["cases"] if c["name"] == "small_order")
    declared = {(d["kind"], d["what"].split(" {")[0], d["path"]) for d in small["declared"]}
    assert declared == {
        ("generated", "output", "$.order.id"),
        ("generated", "table OrdersTable row", "$.id"),
        ("generated", "queue OrdersQueue message 0 body", "$.orderId"),
        ("callback_channel", "websocket post 0", None),
    }
    stamped = next(c for c in report["cases"] if c["name"] == "jsonata_order")
    assert {d["path"] for d in stamped["declared"]} == {"$.order.createdAt", "$.createdAt"}


def test_api_entry_is_checked_on_each_case_of_its_workflow(unplanted):
    _code, report = unplanted
    rejected = next(c for c in report["cases"] if c["name"] == "too_many_items")
    [api] = rejected["api"]
    assert api["route"] == "POST /orders"
    assert (
        json.loads(api["request"]["input"])["requestId"] == "0a9b8c7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"
    )
    assert api["response"]["status"] == 400
    assert "api" not in next(c for c in report["cases"] if c["name"] == "jsonata_order")


def test_without_the_plan_the_generated_id_diverges(tmp_path):
    copy = tmp_path / "optimized"
    shutil.copytree(OPTIMIZED, copy)
    (copy / ".lambdaslim" / "plan.json").unlink()

    code, report = verify(copy, only_cases(tmp_path, "small_order"))

    assert code == 1
    difference = first_difference(report, "small_order")
    assert (difference["what"], difference["path"]) == ("output", "$.order.id")


def test_swapped_item_attribute(tmp_path):
    def swap(states):
        item = states["Save order item"]["Parameters"]["Item"]
        item["customer"], item["email"] = item["email"], item["customer"]

    code, report = verify(
        planted(tmp_path, "order_flow.asl.json", swap), only_cases(tmp_path, "small_order")
    )

    assert code == 1
    difference = first_difference(report, "small_order")
    assert difference["what"].startswith("table OrdersTable row {id: ")
    assert difference["path"] == "$.customer"
    assert (difference["original"], difference["optimized"]) == ("Ada", "ada@example.com")


def test_changed_message_body(tmp_path):
    def stringify(states):
        body = states["Enqueue order"]["Parameters"]["MessageBody"]
        body["quantity.$"] = "States.Format('{}', $.quantity)"

    code, report = verify(
        planted(tmp_path, "order_flow.asl.json", stringify), only_cases(tmp_path, "small_order")
    )

    assert code == 1
    assert first_difference(report, "small_order") == {
        "what": "queue OrdersQueue message 0 body",
        "path": "$.quantity",
        "original": 3,
        "optimized": "3",
    }


def test_broken_choice_threshold(tmp_path):
    def off_by_one(states):
        rule = states["Check order"]["Choices"][0]
        rule["NumericGreaterThanEquals"] = rule.pop("NumericGreaterThan")

    code, report = verify(
        planted(tmp_path, "order_flow.asl.json", off_by_one),
        only_cases(tmp_path, "ten_items", "small_order"),
    )

    assert code == 1
    assert report["summary"] == {"cases": 2, "equivalent": 1}
    difference = first_difference(report, "ten_items")
    assert difference == {
        "what": "status",
        "path": None,
        "original": "SUCCEEDED",
        "optimized": "FAILED",
    }


def test_dropped_catcher(tmp_path):
    """The Choice fails directly instead of going to the catcher's Next: same error, but the
    rejected order is never parked."""

    def drop(states):
        del states["Reject order"], states["Order rejected"]
        states["Check order failed"] = {
            "Type": "Fail",
            "Error": "ValueError",
            "Cause": '{"errorMessage":"too many items","errorType":"ValueError"}',
        }

    code, report = verify(
        planted(tmp_path, "order_flow.asl.json", drop), only_cases(tmp_path, "too_many_items")
    )

    assert code == 1
    difference = first_difference(report, "too_many_items")
    assert difference["what"] == "queue RejectedQueue message 0"
    assert difference["original"]["body"] == {"customer": "Linus", "error": "ValueError"}
    assert "optimized" not in difference


def test_broken_jsonata_condition(tmp_path):
    def lower(states):
        states["Check order"]["Choices"][0]["Condition"] = "{% $states.input.quantity > 1 %}"

    code, report = verify(
        planted(tmp_path, "order_flow_jsonata.asl.json", lower),
        only_cases(tmp_path, "jsonata_order"),
    )

    assert code == 1
    assert first_difference(report, "jsonata_order")["what"] == "status"


def test_text_report_names_the_case_and_the_first_difference(tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")

    def swap(states):
        item = states["Save order item"]["Parameters"]["Item"]
        item["customer"], item["email"] = item["email"], item["customer"]

    code, text = verify(
        planted(tmp_path, "order_flow.asl.json", swap),
        only_cases(tmp_path, "small_order"),
        output_format="text",
    )

    assert code == 1
    assert "small_order" in text and "DIVERGES" in text
    assert 'attribute customer: "Ada" != "ada@example.com"' in text
    assert "0 of 1 cases equivalent" in text
    assert "[callback_channel at Notify customer] websocket post 0" in text


# -- bad input ------------------------------------------------------------------------------------


def write_case(tmp_path: Path, document: dict) -> Path:
    folder = tmp_path / "cases"
    folder.mkdir(exist_ok=True)
    (folder / "bad.json").write_text(json.dumps(document))
    return folder


def test_case_must_name_a_machine_when_there_are_several(tmp_path):
    cases = write_case(tmp_path, {"input": {}})
    with pytest.raises(LambdaslimError, match='name one with "state_machine"') as raised:
        verify(OPTIMIZED, cases)
    assert raised.value.file == str(cases / "bad.json")


def test_case_naming_an_unknown_machine(tmp_path):
    cases = write_case(tmp_path, {"input": {}, "state_machine": "Nope"})
    with pytest.raises(LambdaslimError, match="no state machine Nope") as raised:
        verify(OPTIMIZED, cases)
    assert raised.value.file == str(cases / "bad.json")


def test_malformed_plan_names_the_plan_file(tmp_path):
    copy = tmp_path / "optimized"
    shutil.copytree(OPTIMIZED, copy)
    (copy / ".lambdaslim" / "plan.json").write_text(
        '{"schema": "lambdaslim/plan/v1", "routes": [{}]}'
    )
    with pytest.raises(LambdaslimError, match="plan does not follow") as raised:
        verify(copy, only_cases(tmp_path, "small_order"))
    assert raised.value.file.endswith(".lambdaslim/plan.json")
