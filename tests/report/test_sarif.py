"""`lambdaslim analyze --format sarif`: SARIF 2.1.0 for GitHub code scanning.

The schema in ``tests/fixtures/report/sarif-schema-2.1.0.json`` is a faithful reduction of the
official OASIS schema to the objects lambdaslim writes (see its ``$comment``).
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from lambdaslim.catalog import load_catalog
from lambdaslim.cli import main
from lambdaslim.rule_docs import rule_markdown

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "tests/fixtures/report/sarif-schema-2.1.0.json").read_text())
SAMPLE = "samples/original_13_lambdas"


def analyze(*args: str) -> dict:
    result = CliRunner().invoke(main, ["analyze", *args, "--no-cache"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(autouse=True)
def _repository_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_the_sample_gives_eleven_located_results_valid_against_the_schema() -> None:
    log = analyze(SAMPLE, "--format", "sarif")
    jsonschema.Draft7Validator(SCHEMA, format_checker=jsonschema.FormatChecker()).validate(log)
    (run,) = log["runs"]
    results = run["results"]
    assert len(results) == 11
    assert {r["level"] for r in results} == {"warning"}
    located = [r["locations"][0]["physicalLocation"] for r in results]
    assert all(p["artifactLocation"]["uri"].startswith(f"{SAMPLE}/functions/") for p in located)
    assert all(p["region"]["startLine"] >= 1 for p in located)
    create_user = next(r for r in results
                       if r["locations"][0]["logicalLocations"][0]["name"] == "CreateUserFunction")
    assert create_user["ruleId"] == "LS101"
    assert create_user["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": f"{SAMPLE}/functions/create_user/app.py"},
        "region": {"startLine": 43},
    }
    rules = run["tool"]["driver"]["rules"]
    assert rules[create_user["ruleIndex"]]["id"] == "LS101"


def test_the_driver_lists_every_rule_with_its_documentation() -> None:
    driver = analyze(SAMPLE, "--format", "sarif")["runs"][0]["tool"]["driver"]
    catalog = load_catalog()
    assert driver["name"] == "lambdaslim"
    assert [r["id"] for r in driver["rules"]] == [r.id for r in catalog.rules]
    for emitted, rule in zip(driver["rules"], catalog.rules, strict=True):
        assert emitted["name"] == rule.name
        assert emitted["helpUri"] == rule.url
        assert emitted["help"]["text"] == rule_markdown(rule)
        assert emitted["shortDescription"]["text"] and emitted["fullDescription"]["text"]


def test_all_adds_the_kept_functions_as_notes() -> None:
    log = analyze(SAMPLE, "--format", "sarif", "--all")
    jsonschema.Draft7Validator(SCHEMA).validate(log)
    results = log["runs"][0]["results"]
    notes = [r for r in results if r["level"] == "note"]
    assert len(results) == 13
    assert sorted(r["locations"][0]["logicalLocations"][0]["name"] for r in notes) == [
        "ExtractIdInfoFunction", "PresignedUrlFunction"]
    assert {r["ruleId"] for r in notes} == {"keep"}


def test_locations_are_relative_to_the_current_folder_even_for_an_absolute_path() -> None:
    log = analyze(str(ROOT / SAMPLE), "--format", "sarif")
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in log["runs"][0]["results"]}
    assert all(uri.startswith(f"{SAMPLE}/") for uri in uris)


def test_markdown_prints_the_analysis_part_of_the_report() -> None:
    result = CliRunner().invoke(main, ["analyze", SAMPLE, "--format", "markdown", "--no-cache"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith(f"# lambdaslim analysis of `{SAMPLE}`\n")
    assert "13 functions: **11 replace**, 2 keep." in text
    assert ("| `CreateUserFunction` | **replace** | [LS101](https://lambdaslim.dev/rules/LS101) "
            "| dynamodb:putItem | [functions/create_user/app.py:43]"
            f"({SAMPLE}/functions/create_user/app.py#L43) |") in text
    assert "## Changes" not in text
