"""Bugs planted in copies of `samples/optimized` are caught, naming the case and the thing."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lambdaslim.cli import main

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT / "samples" / "original_13_lambdas"
OPTIMIZED = ROOT / "samples" / "optimized"
DEFINITION = Path("statemachine") / "account_creation.asl.json"


def _branch_states(definition: dict[str, Any], parallel: str, index: int) -> dict[str, Any]:
    return definition["States"][parallel]["Branches"][index]["States"]


def swap_item_attributes(definition: dict[str, Any]) -> None:
    item = definition["States"]["Create user"]["Arguments"]["Item"]
    item = item.replace('"firstname": {"S": $states.input.checked.applicant.firstname}',
                        '"firstname": {"S": $states.input.checked.applicant.lastname}')
    definition["States"]["Create user"]["Arguments"]["Item"] = item


def change_message_body(definition: dict[str, Any]) -> None:
    body = _branch_states(definition, "Input checks", 0)["Send to DLQ"]["Parameters"]
    del body["MessageBody"]["address.$"]


def break_choice_threshold(definition: dict[str, Any]) -> None:
    check = _branch_states(definition, "Input checks", 1)["Validate address: check"]
    for rule in check["Choices"]:
        rule["Condition"] = rule["Condition"].replace("< 0.8", "< 0.4")


def drop_catcher(definition: dict[str, Any]) -> None:
    """The extraction's catcher no longer reaches the dead-letter queue."""
    states = _branch_states(definition, "Input checks", 0)
    states["Extract ID info"]["Catch"][0]["Next"] = "Identity check failed"
    del states["Send to DLQ"]


@pytest.mark.parametrize(
    ("plant", "case", "difference"),
    [
        (swap_item_attributes, "happy_path", "UsersTable"),
        (change_message_body, "id_extraction_fails", "DeadLetterQueue"),
        (break_choice_threshold, "address_rejected", "status"),
        (drop_catcher, "id_extraction_fails", "DeadLetterQueue"),
    ],
    ids=["swapped-item-attribute", "changed-message-body", "broken-choice-threshold",
         "dropped-catcher"],
)
def test_a_planted_bug_is_a_divergence_naming_case_and_thing(
    tmp_path: Path, plant: Callable[[dict[str, Any]], None], case: str, difference: str
) -> None:
    optimized = tmp_path / "optimized"
    shutil.copytree(OPTIMIZED, optimized)
    path = optimized / DEFINITION
    definition = json.loads(path.read_text())
    before = json.dumps(definition)
    plant(definition)
    assert json.dumps(definition) != before, "the bug was not planted"
    path.write_text(json.dumps(definition, indent=2))
    cases = tmp_path / "cases"
    cases.mkdir()
    shutil.copy(ORIGINAL / "cases" / f"{case}.json", cases)
    shutil.copytree(ORIGINAL / "cases" / "fixtures", cases / "fixtures")

    result = CliRunner().invoke(main, ["verify", str(ORIGINAL), str(optimized),
                                       "--cases", str(cases), "--format", "json"])
    assert result.exit_code == 1, result.output
    (report,) = json.loads(result.stdout)["cases"]
    assert report["name"] == case and not report["equivalent"]
    assert any(difference in json.dumps(d) for d in report["differences"]), report["differences"]
