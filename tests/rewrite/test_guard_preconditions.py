"""A guard's Choice raises what Python raised while it evaluated the guard.

``if event["birthdate"] != card["birthdate"]: raise ValueError(...)`` raised ``KeyError`` when
the form had no birth date, and the Task's catcher (States.ALL) took the failure path. A JSONata
rule compares ``undefined`` as false and would take the Default, the success path, so the rewrite
puts rules raising ``KeyError``/``IndexError``/``AttributeError`` before each guard's own rule.

Every test here runs the real handler on the same event and compares: the route the Choice
takes, and the error name and message the catcher sees.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
import types
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from fixture_plans import evaluate_jsonata, plan_for

from lambdaslim.plan import Plan

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: account opening

Globals:
  Function:
    Runtime: python3.12
    Handler: app.lambda_handler

Resources:
  OrdersTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: orderId
          AttributeType: S
      KeySchema:
        - AttributeName: orderId
          KeyType: HASH

  CheckFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/check/
      Environment:
        Variables:
          TABLE_NAME: !Ref OrdersTable
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref OrdersTable

  OpeningStateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: STANDARD
      DefinitionUri: statemachine/opening.asl.json
      DefinitionSubstitutions:
        CheckFunctionArn: !GetAtt CheckFunction.Arn
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref CheckFunction
"""

STATE = "Cross-check identity"
CATCH_ALL = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
              "Next": "Notify user of identity failure"}]


def _definition(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "StartAt": STATE,
        "States": {
            STATE: {"Type": "Task", "Resource": "${CheckFunctionArn}", **task,
                    "Next": "Check existing user"},
            "Check existing user": {"Type": "Pass", "End": True},
            "Notify user of identity failure": {"Type": "Pass", "End": True},
        },
    }


def _app(root: Path, handler: str, task: dict[str, Any]) -> Path:
    (root / "functions" / "check").mkdir(parents=True)
    (root / "statemachine").mkdir()
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "statemachine" / "opening.asl.json").write_text(
        json.dumps(_definition(task), indent=2))
    (root / "functions" / "check" / "app.py").write_text(dedent(handler))
    return root


def _states(plan: Plan) -> dict[str, dict[str, Any]]:
    machine = plan.machine("OpeningStateMachine")
    assert machine is not None, plan.declined
    (edit,) = [e for e in machine.states if e.state_path[-1] == STATE]
    return edit.states


def _handler(app: Path) -> Any:
    spec = importlib.util.spec_from_file_location(
        f"guard_app_{abs(hash(app))}", app / "functions" / "check" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.lambda_handler


def _route(states: dict[str, dict[str, Any]], choice: str, state_input: Any,
           variables: dict[str, Any] | None = None) -> tuple[str, str] | str:
    """What the Choice does with this input: the (error, message) the catcher sees, or the
    name of the state it goes on to."""
    variables = variables or {}
    rules = states[choice]["Choices"]
    target = next((rule["Next"] for rule in rules
                   if evaluate_jsonata(rule["Condition"], state_input, variables) is True),
                  states[choice]["Default"])
    raised = states.get(target)
    if raised is None:
        return target
    assert raised["Type"] == "Pass" and raised["Next"] == "Notify user of identity failure"
    caught = evaluate_jsonata(raised["Output"], state_input, variables)["error"]
    cause = json.loads(caught["Cause"])
    assert cause["errorType"] == caught["Error"]
    return caught["Error"], cause["errorMessage"]


def _python(handler: Any, event: Any) -> tuple[str, str] | None:
    try:
        handler(copy.deepcopy(event), None)
    except Exception as error:
        return type(error).__name__, str(error)
    return None


# ---- the identity cross-check of the sample ------------------------------------------------

IDENTITY = '''
    def lambda_handler(event, context):
        id_card = event["idCard"]
        if event["firstname"].lower() != id_card["firstnames"][0].lower():
            raise ValueError(
                f"First name '{event['firstname']}' does not match the ID card "
                f"('{id_card['firstnames'][0]}')"
            )
        if event["lastname"].lower() != id_card["lastname"].lower():
            raise ValueError(f"Last name '{event['lastname']}' does not match the ID card")
        if event["birthdate"] != id_card["birthdate"]:
            raise ValueError(
                f"Birth date {event['birthdate']} does not match the ID card "
                f"({id_card['birthdate']})"
            )
        return event
'''

APPLICANT = {
    "firstname": "Corinne", "lastname": "Berthier", "birthdate": "1965-06-12",
    "idCard": {"firstnames": ["CORINNE", "MARIE"], "lastname": "BERTHIER",
               "birthdate": "1965-06-12"},
}


def _without(data: dict[str, Any], *paths: tuple[str, ...]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for path in paths:
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    return data


def _with(data: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(data)
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return data


IDENTITY_CASES = [
    pytest.param(APPLICANT, id="matching"),
    pytest.param(_with(APPLICANT, ("firstname",), "corinne"), id="case-insensitive"),
    pytest.param(_without(APPLICANT, ("birthdate",)), id="no-birthdate"),
    pytest.param(_without(APPLICANT, ("idCard", "birthdate")), id="card-without-birthdate"),
    pytest.param(_with(APPLICANT, ("birthdate",), "1965-12-06"), id="birthdate-mismatch"),
    pytest.param(_with(APPLICANT, ("lastname",), "Martin"), id="lastname-mismatch"),
    pytest.param(_without(APPLICANT, ("firstname",), ("birthdate",)), id="first-missing-named"),
    pytest.param(_without(APPLICANT, ("idCard",)), id="no-card"),
    pytest.param(_without(APPLICANT, ("idCard", "firstnames")), id="card-without-firstnames"),
    pytest.param(_with(APPLICANT, ("idCard", "firstnames"), []), id="empty-firstnames"),
    pytest.param(_with(APPLICANT, ("firstname",), 42), id="firstname-int"),
    pytest.param(_with(APPLICANT, ("firstname",), 4.5), id="firstname-float"),
    pytest.param(_with(APPLICANT, ("firstname",), None), id="firstname-null"),
    pytest.param(_with(APPLICANT, ("firstname",), True), id="firstname-bool"),
    pytest.param(_with(APPLICANT, ("firstname",), ["Corinne"]), id="firstname-list"),
    pytest.param(_with(APPLICANT, ("firstname",), {"given": "Corinne"}), id="firstname-dict"),
    pytest.param(_with(APPLICANT, ("idCard", "lastname"), None), id="card-lastname-null"),
    pytest.param(_without(APPLICANT, ("firstname",), ("idCard",)), id="read-before-the-guard",
                 marks=pytest.mark.xfail(strict=True, reason=(
                     "id_card = event['idCard'] is read before the first guard; the summary "
                     "folds the local into the guards, so the rewrite checks firstname first "
                     "and names KeyError('firstname') where Python named 'idCard'"))),
]


@pytest.fixture(scope="module")
def identity(tmp_path_factory: pytest.TempPathFactory, _module_cache: None) -> tuple[Any, Any]:
    app = _app(tmp_path_factory.mktemp("identity"), IDENTITY, {
        "InputPath": "$.applicant", "ResultPath": "$.applicant", "Catch": CATCH_ALL})
    return _states(plan_for(app, query_language="jsonata")), _handler(app)


@pytest.mark.parametrize("applicant", IDENTITY_CASES)
def test_the_choice_routes_as_the_handler_failed_or_succeeded(
        identity: tuple[Any, Any], applicant: dict[str, Any]) -> None:
    states, handler = identity
    state_input = {"requestId": "r-1", "applicant": applicant}
    expected = _python(handler, applicant)
    assert _route(states, STATE, state_input) == (
        expected if expected is not None else "Check existing user")


def test_a_missing_birthdate_is_the_keyerror_the_catcher_saw(
        identity: tuple[Any, Any]) -> None:
    states, _ = identity
    state_input = {"applicant": _without(APPLICANT, ("birthdate",))}
    assert _route(states, STATE, state_input) == ("KeyError", "'birthdate'")
    assert _route(states, STATE, {"applicant": APPLICANT}) == "Check existing user"


def test_a_prefix_is_checked_once_per_choice(identity: tuple[Any, Any]) -> None:
    states, _ = identity
    conditions = [rule["Condition"] for rule in states[STATE]["Choices"]]
    assert len(conditions) == len(set(conditions))
    # idCard is read by the three guards and their messages: one rule checks it.
    assert conditions.count("{% $not($exists($states.input.applicant.idCard)) %}") == 1
    assert conditions.count("{% $not($exists($states.input.applicant.birthdate)) %}") == 1
    # The checks of a guard come after the rule of the guard before it.
    nexts = [rule["Next"] for rule in states[STATE]["Choices"]]
    first_guard = next(i for i, name in enumerate(nexts) if name.endswith("ValueError"))
    birthdate = conditions.index("{% $not($exists($states.input.applicant.birthdate)) %}")
    assert first_guard < birthdate


def test_raise_states_have_unique_deterministic_names(
        identity: tuple[Any, Any], tmp_path: Path) -> None:
    states, _ = identity
    again = _app(tmp_path / "again", IDENTITY, {
        "InputPath": "$.applicant", "ResultPath": "$.applicant", "Catch": CATCH_ALL})
    assert list(_states(plan_for(again, query_language="jsonata"))) == list(states)
    targets = [rule["Next"] for rule in states[STATE]["Choices"]]
    assert len(targets) == len(set(targets))
    assert all(name.startswith(f"{STATE}: ") for name in targets)


# ---- reads Python makes only sometimes -----------------------------------------------------

SOMETIMES = '''
    def lambda_handler(event, context):
        if event["kind"] == "parcel" and event["weight"]["kg"] > 30:
            raise ValueError("Parcels over 30 kg go by freight")
        if event.get("express") or event["zone"] == "islands":
            raise ValueError(f"No express delivery to {event['zone']}")
        return event
'''


@pytest.fixture(scope="module")
def sometimes(tmp_path_factory: pytest.TempPathFactory, _module_cache: None) -> tuple[Any, Any]:
    app = _app(tmp_path_factory.mktemp("sometimes"), SOMETIMES, {
        "ResultPath": None, "Catch": CATCH_ALL})
    return _states(plan_for(app, query_language="jsonata")), _handler(app)


@pytest.mark.parametrize("event", [
    {"kind": "letter", "zone": "north"},
    {"kind": "letter", "zone": "islands"},
    {"kind": "letter"},
    {"kind": "parcel", "zone": "north"},
    {"kind": "parcel", "weight": {}, "zone": "north"},
    {"kind": "parcel", "weight": {"kg": 31}},
    {"kind": "parcel", "weight": {"kg": 3}, "zone": "north"},
    {"kind": "letter", "express": True},
    {"kind": "letter", "express": True, "zone": "north"},
    {"kind": "letter", "express": "", "zone": "north"},
    {"kind": "letter", "express": [], "zone": "islands"},
    {"zone": "islands"},
])
def test_and_or_operands_and_messages_are_checked_only_when_python_reads_them(
        sometimes: tuple[Any, Any], event: dict[str, Any]) -> None:
    states, handler = sometimes
    expected = _python(handler, event)
    assert _route(states, STATE, event) == (
        expected if expected is not None else "Check existing user")


def test_get_needs_no_check(tmp_path: Path, _module_cache: None) -> None:
    app = _app(tmp_path, '''
        def lambda_handler(event, context):
            if event.get("priority") == "blocked":
                raise ValueError("Blocked")
            return event
    ''', {"ResultPath": None, "Catch": CATCH_ALL})
    states = _states(plan_for(app, query_language="jsonata"))
    assert len(states[STATE]["Choices"]) == 1  # the guard's own rule only
    handler = _handler(app)
    for event in ({}, {"priority": None}, {"priority": "blocked"}):
        expected = _python(handler, event)
        assert _route(states, STATE, event) == (
            expected if expected is not None else "Check existing user")


def test_a_field_the_parameters_never_pass_keeps_the_function(
        tmp_path: Path, _module_cache: None) -> None:
    app = _app(tmp_path, '''
        def lambda_handler(event, context):
            if event["customer"]["tier"] == "blocked":
                raise ValueError("Blocked customer")
            return event
    ''', {"Parameters": {"orderId.$": "$.orderId"}, "ResultPath": None, "Catch": CATCH_ALL})
    plan = plan_for(app, query_language="jsonata")
    (declined,) = plan.declined
    assert declined.function_id == "CheckFunction"
    assert "'customer'" in declined.reason and "never has it" in declined.reason


# ---- a guard on a call's result ------------------------------------------------------------

AFTER_CALL = '''
    import os

    import boto3

    dynamodb = boto3.client("dynamodb")


    class OrderClosed(Exception):
        pass


    def lambda_handler(event, context):
        response = dynamodb.get_item(
            TableName=os.environ["TABLE_NAME"], Key={"orderId": {"S": event["orderId"]}}
        )
        if response["Item"]["status"]["S"] != "OPEN":
            raise OrderClosed(f"Order {event['orderId']} is closed")
        return event
'''


@pytest.mark.parametrize("response", [
    {},
    {"Item": {}},
    {"Item": {"status": {}}},
    {"Item": {"status": {"S": "OPEN"}}},
    {"Item": {"status": {"S": "CLOSED"}}},
])
def test_a_guard_on_the_call_result_checks_the_result(
        tmp_path: Path, _module_cache: None, monkeypatch: pytest.MonkeyPatch,
        response: dict[str, Any]) -> None:
    app = _app(tmp_path, AFTER_CALL, {"ResultPath": None, "Catch": CATCH_ALL})
    states = _states(plan_for(app, query_language="jsonata"))
    event = {"orderId": "o-1"}
    fake = types.ModuleType("boto3")
    fake.client = lambda *_, **__: types.SimpleNamespace(  # type: ignore[attr-defined]
        get_item=lambda **_: copy.deepcopy(response))
    monkeypatch.setitem(sys.modules, "boto3", fake)
    monkeypatch.setenv("TABLE_NAME", "orders")
    expected = _python(_handler(app), event)
    check = f"{STATE}: check"
    variables = {"lsCrossCheckIdentityInput": event, "lsCrossCheckIdentityResult": response}
    assert _route(states, check, event, variables) == (
        expected if expected is not None else "Check existing user")
