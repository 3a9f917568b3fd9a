"""Loading and validating rule files: the packaged catalog and a user's ``--rules DIR``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from lambdaslim.catalog import AWS_SDK_ARN, CATEGORIES, load_catalog
from lambdaslim.errors import LambdaslimError

RULES_DIR = Path(__file__).resolve().parents[2] / "rules"
PACKAGE_RULES = Path(__file__).resolve().parents[2] / "src" / "lambdaslim" / "rules"

EXPECTED = {
    "LS101": "dynamodb-put-item-transport",
    "LS102": "dynamodb-get-item-transport",
    "LS103": "dynamodb-update-item-transport",
    "LS104": "dynamodb-delete-item-transport",
    "LS105": "sqs-send-message-transport",
    "LS106": "sns-publish-transport",
    "LS107": "eventbridge-put-events-transport",
    "LS108": "stepfunctions-start-execution-transport",
    "LS109": "aws-sdk-call-transport",
    "LS201": "guard-decision",
    "LS202": "query-decision",
    "LS301": "http-call-transport",
    "LS401": "api-start-execution-entry",
    "LS501": "websocket-callback-channel",
}

USER_RULE = """\
id: {id}
name: {name}
title: Function only sends a message to a Kinesis stream
category: transport
match:
  services: [kinesis]
  operations: [PutRecord]
  api_styles: [client]
integration: "arn:aws:states:::aws-sdk:kinesis:putRecord"
iam:
  actions: ["kinesis:PutRecord"]
  resource_parameter: StreamName
  resource_arn: "arn:aws:kinesis:{{region}}:{{account}}:stream/{{StreamName}}"
error_prefix: "Kinesis."
docs:
  what_it_does: Finds a function that only puts one record.
  why: It is one API call.
  example:
    before:
      python: |
        def handler(event, context):
            return event
    after:
      json: |
        {{"Put": {{"Type": "Task", "Resource": "arn:aws:states:::aws-sdk:kinesis:putRecord",
                 "End": true}}}}
  risks: []
"""


def write(directory: Path, filename: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(text)
    return path


def test_packaged_rules_load_and_are_sorted():
    catalog = load_catalog()
    assert {r.id: r.name for r in catalog.rules} == EXPECTED
    assert [r.id for r in catalog.rules] == sorted(EXPECTED)
    assert re.fullmatch(r"[0-9a-f]{64}", catalog.digest)


def test_package_ships_the_top_level_rules_folder():
    assert PACKAGE_RULES.is_symlink()
    assert PACKAGE_RULES.resolve() == RULES_DIR.resolve()
    assert {r.source.name for r in load_catalog().rules} == {
        p.name for p in RULES_DIR.glob("*.yaml")
    }


@pytest.mark.parametrize("rule", load_catalog().rules, ids=lambda r: r.id)
def test_packaged_rule_is_well_formed(rule):
    assert rule.source.name.startswith(rule.id + "_")
    assert rule.category in CATEGORIES
    assert rule.url == f"https://lambdaslim.dev/rules/{rule.id}"
    assert rule.what_it_does and rule.why and rule.risks
    blocks = re.findall(r"```(\w+)\n(.*?)\n```", rule.example_before + rule.example_after, re.S)
    assert blocks
    for language, code in blocks:
        if language == "python":
            compile(code, f"{rule.id} example", "exec")
        elif language == "json":
            json.loads(code)
        else:
            YAML(typ="rt").load(code)  # round-trip keeps CloudFormation tags (!Sub, !Ref)


@pytest.mark.parametrize("rule", load_catalog().rules, ids=lambda r: r.id)
def test_examples_use_the_rules_integration(rule):
    """Each transport/http 'after' example's Task uses exactly the rule's resource."""
    if rule.category not in ("transport", "http"):
        return
    resources = re.findall(r'"Resource": "([^"]+)"', rule.example_after)
    expected = (
        AWS_SDK_ARN.format(service="dynamodb", action="query")
        if rule.id == "LS109"
        else rule.integration
    )
    assert resources == [expected]


def test_category_lookup():
    catalog = load_catalog()
    assert catalog.for_category("decision").id == "LS201"
    assert catalog.for_category("query_decision").id == "LS202"
    assert catalog.for_category("http").id == "LS301"
    assert catalog.for_category("workflow_entry").id == "LS401"
    assert catalog.for_category("callback_channel").id == "LS501"
    with pytest.raises(LambdaslimError, match="transport"):
        catalog.for_category("transport")


def test_unknown_rule_id_is_named():
    with pytest.raises(LambdaslimError, match="LS999"):
        load_catalog().rule("LS999")


def test_user_rule_adds_and_overrides(tmp_path):
    write(tmp_path, "LS601_kinesis.yaml", USER_RULE.format(id="LS601", name="kinesis-put-record"))
    override = USER_RULE.format(id="LS109", name="my-aws-sdk-call").replace(
        "arn:aws:states:::aws-sdk:kinesis:putRecord", AWS_SDK_ARN
    )
    override = override.replace("services: [kinesis]", 'services: ["*"]')
    override = override.replace("operations: [PutRecord]", 'operations: ["*"]')
    write(tmp_path, "LS109_mine.yaml", override)

    catalog = load_catalog([tmp_path])
    assert catalog.rule("LS601").name == "kinesis-put-record"
    assert catalog.rule("LS601").source == tmp_path / "LS601_kinesis.yaml"
    assert catalog.rule("LS109").name == "my-aws-sdk-call"
    assert len(catalog.rules) == len(EXPECTED) + 1
    # The specific user rule wins over the generic one for its operation.
    assert catalog.match_sdk_call("kinesis", "PutRecord", "client").id == "LS601"
    assert catalog.match_sdk_call("kinesis", "PutRecords", "client").id == "LS109"


def test_digest_is_stable_and_follows_file_contents(tmp_path):
    assert load_catalog().digest == load_catalog().digest
    path = write(tmp_path, "LS601_k.yaml", USER_RULE.format(id="LS601", name="kinesis-put"))
    first = load_catalog([tmp_path]).digest
    assert first != load_catalog().digest
    assert load_catalog([tmp_path]).digest == first
    path.write_text(path.read_text().replace("one record", "one Kinesis record"))
    assert load_catalog([tmp_path]).digest != first


def error_for(tmp_path: Path, text: str) -> LambdaslimError:
    write(tmp_path, "LS601_bad.yaml", text)
    with pytest.raises(LambdaslimError) as info:
        load_catalog([tmp_path])
    assert info.value.file == str(tmp_path / "LS601_bad.yaml")
    return info.value


GOOD = USER_RULE.format(id="LS601", name="kinesis-put-record")


@pytest.mark.parametrize(
    ("old", "new", "field", "line", "message"),
    [
        ("id: LS601", "id: R601", "id", 1, "three digits"),
        ("name: kinesis-put-record", "name: Kinesis_Put", "name", 2, "kebab-case"),
        ("category: transport", "category: shipping", "category", 4, "not one of"),
        ("services: [kinesis]", "services: kinesis", "match.services", 6, "list"),
        ("services: [kinesis]", "services: [kinesys]", "match.services", 6, "kinesys"),
        ("operations: [PutRecord]", "operations: [putRecord]", "match.operations", 7, "putRecord"),
        ("api_styles: [client]", "api_styles: [sdk]", "match.api_styles", 8, "'sdk'"),
        ("api_styles: [client]", 'api_styles: ["*", client]', "match.api_styles", 8, "only"),
        ('integration: "arn:aws:states', 'integration: "states', "integration", 9, "arn:aws"),
        ('actions: ["kinesis:PutRecord"]', "actions: 3", "iam.actions", 11, "list"),
        ('error_prefix: "Kinesis."', "error_prefix: 1", "error_prefix", 14, "string"),
        ("  why: It is one API call.\n", "", "docs.why", 15, "missing"),
        ("      python: |", "      ruby: |", "docs.example.before.ruby", 20, "unknown field"),
        ("  risks: []", "  risks: [1]", "docs.risks", 27, "list"),
        ("title: Function", "titel: Function", "titel", 3, "unknown field"),
    ],
)
def test_malformed_user_rule_names_file_line_and_field(tmp_path, old, new, field, line, message):
    assert old in GOOD
    error = error_for(tmp_path, GOOD.replace(old, new))
    assert f"'{field}'" in error.message
    assert message in error.message
    assert error.line == line
    assert str(error).startswith(f"{tmp_path / 'LS601_bad.yaml'}:{line}: ")


def test_missing_top_level_field(tmp_path):
    title = "title: Function only sends a message to a Kinesis stream\n"
    error = error_for(tmp_path, GOOD.replace(title, ""))
    assert "'title'" in error.message and "missing" in error.message


def test_invalid_yaml_names_the_line(tmp_path):
    error = error_for(tmp_path, GOOD.replace("  services: [kinesis]", "  services: [kinesis"))
    assert "invalid YAML" in error.message
    assert error.line is not None


def test_unsafe_tags_are_refused(tmp_path):
    error = error_for(tmp_path, GOOD.replace("title: Function", "title: !!python/object:os.system"))
    assert "invalid YAML" in error.message and error.line == 3


def test_duplicate_ids_in_one_directory(tmp_path):
    write(tmp_path, "LS601_a.yaml", GOOD)
    write(tmp_path, "LS601_b.yaml", GOOD.replace("kinesis-put-record", "kinesis-put-two"))
    with pytest.raises(LambdaslimError, match="duplicate rule id LS601") as info:
        load_catalog([tmp_path])
    assert info.value.file == str(tmp_path / "LS601_b.yaml")


def test_duplicate_names_are_refused(tmp_path):
    write(tmp_path, "LS601_a.yaml", USER_RULE.format(id="LS601", name="sqs-send-message-transport"))
    with pytest.raises(LambdaslimError, match="LS105"):
        load_catalog([tmp_path])


def test_missing_rules_directory(tmp_path):
    with pytest.raises(LambdaslimError, match="does not exist") as info:
        load_catalog([tmp_path / "nope"])
    assert info.value.file == str(tmp_path / "nope")


def test_generic_rule_must_use_the_aws_sdk_template(tmp_path):
    text = GOOD.replace("services: [kinesis]", 'services: ["*"]')
    error = error_for(tmp_path, text)
    assert "'integration'" in error.message and AWS_SDK_ARN in error.message
