"""Run every `cases/*.json` of the sample through the real handlers and check `expected`.

The workflow is interpreted by the small oracle in `sample_asl.py`; AWS is moto,
Textract and the address API answer from the case's fixtures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from cfnlint.decode import decode
from sample_asl import Interpreter, StatesError, lambda_error
from sample_support import (
    ADDRESS_API_URL,
    CASES_DIR,
    REGION,
    SAMPLE_DIR,
    FakeAddressApi,
    FakeLambdaContext,
    SampleStack,
    fill_substitutions,
    load_handler_module,
    substitution_arn,
)

CASE_FILES = sorted(CASES_DIR.glob("*.json"))
EXPECTED_CASES = {
    "happy_path",
    "identity_mismatch",
    "identity_missing_birthdate",
    "user_already_exists",
    "address_rejected",
    "id_extraction_fails",
    "address_api_fails_once",
}


def resolve_files(value: Any, base: Path) -> Any:
    """`{"$file": "fixtures/x.json"}` -> the parsed content of that file, relative to the case."""
    if isinstance(value, dict):
        if set(value) == {"$file"}:
            return json.loads((base / value["$file"]).read_text(encoding="utf-8"))
        return {key: resolve_files(item, base) for key, item in value.items()}
    if isinstance(value, list):
        return [resolve_files(item, base) for item in value]
    return value


def contains(actual: Any, expected: Any, where: str = "$") -> None:
    """Objects: every expected key must match (extra actual keys allowed); lists: same length."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: expected an object, got {actual!r}"
        for key, value in expected.items():
            assert key in actual, f"{where}.{key} missing in {actual!r}"
            contains(actual[key], value, f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{where}: expected {len(expected)} items, got {actual!r}"
        )
        for index, (a, e) in enumerate(zip(actual, expected, strict=True)):
            contains(a, e, f"{where}[{index}]")
    else:
        assert actual == expected, f"{where}: {actual!r} != {expected!r}"


def function_dirs_by_substitution() -> dict[str, tuple[str, str]]:
    """Substitution -> (functions/<dir>, handler function name), read from the template."""
    template, errors = decode(str(SAMPLE_DIR / "template.yaml"))
    assert not errors and template
    resources = template["Resources"]
    default_handler = template["Globals"]["Function"]["Handler"]
    substitutions = resources["AccountCreationStateMachine"]["Properties"][
        "DefinitionSubstitutions"
    ]
    out = {}
    for name, value in substitutions.items():
        logical_id, attribute = value["Fn::GetAtt"]
        assert attribute == "Arn"
        properties = resources[logical_id]["Properties"]
        handler = properties.get("Handler", default_handler)
        module, function = handler.split(".")
        assert module == "app"
        out[name] = (Path(properties["CodeUri"]).name, function)
    return out


def test_every_workflow_path_has_a_case() -> None:
    assert {path.stem for path in CASE_FILES} == EXPECTED_CASES


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_matches_the_real_handlers(
    case_file: Path,
    stack: SampleStack,
    address_api: FakeAddressApi,
    lambda_context: FakeLambdaContext,
) -> None:
    case = resolve_files(json.loads(case_file.read_text(encoding="utf-8")), case_file.parent)
    fixtures, expected = case["fixtures"], case["expected"]
    assert set(case) == {"description", "input", "fixtures", "expected"}

    # --- resources and third parties, as the case describes them
    physical = {"UsersTable": stack.users_table, "UploadBucket": stack.upload_bucket}
    for logical_id, items in fixtures.get("tables", {}).items():
        assert logical_id == "UsersTable"
        stack.seed_users(items)
    s3 = boto3.client("s3", region_name=REGION)
    for logical_id, objects in fixtures.get("objects", {}).items():
        for key, body in objects.items():
            s3.put_object(Bucket=physical[logical_id], Key=key, Body=body.encode("utf-8"))
    (http,) = fixtures["http"]
    assert (http["method"], http["url"]) == ("GET", ADDRESS_API_URL)
    address_api.responses.extend(http["responses"])

    modules = {}
    for substitution, (directory, function) in function_dirs_by_substitution().items():
        module = load_handler_module(directory)
        modules[substitution_arn(substitution)] = (module, getattr(module, function))

    extract_module = modules[substitution_arn("ExtractIdInfoFunctionArn")][0]
    textract = Stubber(extract_module.textract)
    for answer in fixtures["aws"]["textract:AnalyzeDocument"]:
        if "Return" in answer:
            textract.add_response("analyze_document", answer["Return"])
        else:
            code = answer["Throw"]["Error"].split(".")[-1]
            textract.add_client_error("analyze_document", code, answer["Throw"].get("Cause", ""))
    textract.activate()

    def invoke(function_arn: str, payload: Any) -> Any:
        _, handler = modules[function_arn]
        try:
            result = handler(json.loads(json.dumps(payload)), lambda_context)
        except Exception as exc:
            raise lambda_error(exc) from exc
        return json.loads(json.dumps(result))

    definition = json.loads(
        fill_substitutions((SAMPLE_DIR / "statemachine" / "account_creation.asl.json").read_text())
    )

    # --- run
    execution = Interpreter(definition, invoke).run(case["input"])

    # --- outcome
    assert execution.status == expected["status"], (execution, execution.history)
    if expected["status"] == "SUCCEEDED":
        assert execution.output == expected["output"]
        assert address_api.responses == [], "every scripted address API answer is used"
    else:
        assert execution.error == expected["error"]
        assert execution.cause is not None
        contains(json.loads(execution.cause), expected["cause"])
    for index in range(len(address_api.calls)):
        assert address_api.sent_query(index) == http["query"]

    # --- side effects
    effects = expected.get("effects", {})
    if "tables" in effects:
        by_id = sorted(stack.users(), key=lambda item: item["id"])
        assert by_id == sorted(effects["tables"]["UsersTable"], key=lambda item: item["id"])
    if "events" in effects:
        contains(stack.published_events(), effects["events"]["UserEventBus"], "events")
    if "queues" in effects:
        messages = [
            {
                "body": json.loads(message["Body"]),
                "attributes": {
                    name: attribute["StringValue"]
                    for name, attribute in message.get("MessageAttributes", {}).items()
                },
            }
            for message in stack.dlq_messages()
        ]
        contains(messages, effects["queues"]["DeadLetterQueue"], "DeadLetterQueue")
    if "websocket" in effects:
        connection_ids = {m["connectionId"] for m in effects["websocket"]} | {
            case["input"]["connectionId"]
        }
        posted = [
            {"connectionId": connection_id, "data": data}
            for connection_id in sorted(connection_ids)
            for data in stack.websocket_messages(connection_id)
        ]
        contains(posted, effects["websocket"], "websocket")


def test_interpreter_reports_uncaught_errors_and_applies_paths() -> None:
    """The oracle itself: a failing direct-ARN task with InputPath/ResultPath and a catcher."""
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:f"
    definition = {
        "StartAt": "T",
        "States": {
            "T": {
                "Type": "Task",
                "Resource": arn,
                "InputPath": "$.a",
                "ResultPath": "$.a",
                "Catch": [{"ErrorEquals": ["KeyError"], "ResultPath": "$.e", "Next": "F"}],
                "End": True,
            },
            "F": {"Type": "Fail", "ErrorPath": "$.e.Error", "CausePath": "$.e.Cause"},
        },
    }

    def ok(_: str, event: Any) -> Any:
        return {**event, "seen": True}

    def boom(_: str, event: Any) -> Any:
        raise lambda_error(ValueError("no"))

    done = Interpreter(definition, ok).run({"a": {"x": 1}, "b": 2})
    assert (done.status, done.output) == ("SUCCEEDED", {"a": {"x": 1, "seen": True}, "b": 2})
    failed = Interpreter(definition, boom).run({"a": {}})
    assert (failed.status, failed.error) == ("FAILED", "ValueError")
    assert json.loads(failed.cause or "{}")["errorMessage"] == "no"
    assert isinstance(lambda_error(KeyError("k")), StatesError)
