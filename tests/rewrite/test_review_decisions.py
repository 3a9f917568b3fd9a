"""Decisions and error paths: a replaced guard must fail with the error its function raised.

The error name and the ``Cause`` (``errorMessage`` is ``str(exception)``) reach catchers and
downstream states; a retrier that re-ran the function re-ran its call too.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from fixture_plans import evaluate_jsonata, plan_for

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import analyze_application
from lambdaslim.loading import load_application

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: parcel dispatch

Globals:
  Function:
    Runtime: python3.12
    Handler: app.lambda_handler

Resources:
  ParcelsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: parcelId
          AttributeType: S
      KeySchema:
        - AttributeName: parcelId
          KeyType: HASH

  CheckParcelFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/check_parcel/
      Environment:
        Variables:
          TABLE_NAME: !Ref ParcelsTable
      Policies:
        - DynamoDBReadPolicy:
            TableName: !Ref ParcelsTable

  DispatchStateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: STANDARD
      DefinitionUri: statemachine/dispatch.asl.json
      DefinitionSubstitutions:
        CheckParcelFunctionArn: !GetAtt CheckParcelFunction.Arn
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref CheckParcelFunction
"""


def _definition(retry: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    task: dict[str, Any] = {"Type": "Task", "Resource": "${CheckParcelFunctionArn}",
                            "ResultPath": None, "Next": "Dispatch"}
    if retry is not None:
        task["Retry"] = retry
    task["Catch"] = [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error",
                      "Next": "Hold parcel"}]
    return {
        "StartAt": "Check parcel",
        "States": {
            "Check parcel": task,
            "Dispatch": {"Type": "Pass", "End": True},
            "Hold parcel": {"Type": "Pass", "End": True},
        },
    }


def _app(root: Path, handler: str, retry: list[dict[str, Any]] | None = None) -> Path:
    (root / "functions" / "check_parcel").mkdir(parents=True)
    (root / "statemachine").mkdir()
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "statemachine" / "dispatch.asl.json").write_text(
        json.dumps(_definition(retry), indent=2))
    (root / "functions" / "check_parcel" / "app.py").write_text(dedent(handler))
    return root


def _category(app: Path) -> tuple[str, str]:
    verdict = analyze_application(load_application(app), load_catalog()).function(
        "CheckParcelFunction")
    return verdict.category, " ".join(r.message for r in verdict.reasons)


def _states(app: Path) -> dict[str, Any]:
    plan = plan_for(app, query_language="jsonata")
    machine = plan.machine("DispatchStateMachine")
    assert machine is not None, plan.declined
    (edit,) = machine.states
    return edit.states


CUSTOM_INIT = '''
    class ParcelTooHeavy(Exception):
        def __init__(self, weight):
            super().__init__(f"Parcel of {weight} kg exceeds the limit")
            self.weight = weight


    def lambda_handler(event, context):
        if event["weightKg"] > 30:
            raise ParcelTooHeavy(event["weightKg"])
        return event
'''


def test_an_exception_whose_init_builds_the_message_keeps_the_function(
        tmp_path: Path, _module_cache: None) -> None:
    # The Cause would read "31" where the function's error said "Parcel of 31 kg exceeds ..."
    category, reasons = _category(_app(tmp_path, CUSTOM_INIT))
    assert category == "keep"
    assert "exception class ParcelTooHeavy defines __init__" in reasons


def test_an_exception_with_its_own_str_keeps_the_function(tmp_path: Path,
                                                          _module_cache: None) -> None:
    handler = CUSTOM_INIT.replace('''def __init__(self, weight):
            super().__init__(f"Parcel of {weight} kg exceeds the limit")
            self.weight = weight''', '''def __str__(self):
            return "Parcel too heavy"''')
    category, reasons = _category(_app(tmp_path, handler))
    assert category == "keep"
    assert "defines __str__" in reasons


def test_a_subclass_of_an_exception_with_its_own_init_keeps_the_function(
        tmp_path: Path, _module_cache: None) -> None:
    handler = CUSTOM_INIT.replace("class ParcelTooHeavy(Exception):", '''\
class DispatchError(Exception):
        def __init__(self, detail):
            super().__init__(f"Dispatch refused: {detail}")


    class ParcelTooHeavy(DispatchError):
        pass


    class Unused(Exception):''')
    category, reasons = _category(_app(tmp_path, handler))
    assert category == "keep"
    assert "exception class DispatchError defines __init__" in reasons


def test_a_plain_exception_class_is_still_a_decision(tmp_path: Path,
                                                     _module_cache: None) -> None:
    handler = '''
    class ParcelTooHeavy(Exception):
        """Parcels above 30 kg go by freight."""


    def lambda_handler(event, context):
        if event["weightKg"] > 30:
            raise ParcelTooHeavy(f"Parcel of {event['weightKg']} kg exceeds the limit")
        return event
    '''
    states = _states(_app(tmp_path, handler))
    held = states["Check parcel: ParcelTooHeavy"]
    output = evaluate_jsonata(held["Output"], {"parcelId": "p-1", "weightKg": 31})
    assert json.loads(output["error"]["Cause"]) == {
        "errorMessage": "Parcel of 31 kg exceeds the limit", "errorType": "ParcelTooHeavy"}


KEY_ERROR = '''
    def lambda_handler(event, context):
        if event["weightKg"] > 30:
            raise KeyError("weightKg")
        return event
'''


def test_a_key_error_message_is_the_repr_of_its_argument(tmp_path: Path,
                                                         _module_cache: None) -> None:
    states = _states(_app(tmp_path, KEY_ERROR))
    held = states["Check parcel: KeyError"]
    output = evaluate_jsonata(held["Output"], {"parcelId": "p-1", "weightKg": 31})
    # str(KeyError("weightKg")) == "'weightKg'"
    assert json.loads(output["error"]["Cause"])["errorMessage"] == "'weightKg'"


def test_a_key_error_of_a_computed_value_keeps_the_function(tmp_path: Path,
                                                            _module_cache: None) -> None:
    handler = KEY_ERROR.replace('KeyError("weightKg")', 'KeyError(event["parcelId"])')
    category, reasons = _category(_app(tmp_path, handler))
    assert category == "keep"
    assert "KeyError's message is the repr of its argument" in reasons


POLL_UNTIL_LABELLED = '''
    import os

    import boto3

    dynamodb = boto3.client("dynamodb")
    TABLE_NAME = os.environ["TABLE_NAME"]


    class LabelNotReady(Exception):
        pass


    def lambda_handler(event, context):
        response = dynamodb.get_item(TableName=TABLE_NAME,
                                     Key={"parcelId": {"S": event["parcelId"]}})
        if "Item" not in response:
            raise LabelNotReady(f"No label yet for {event['parcelId']}")
        return event
'''


@pytest.mark.parametrize("errors", [["LabelNotReady"], ["States.ALL"], ["States.TaskFailed"]])
def test_a_retried_decision_after_a_call_keeps_the_function(
        tmp_path: Path, _module_cache: None, errors: list[str]) -> None:
    # The function polled: each retry read the table again. A Choice after the Task cannot.
    app = _app(tmp_path, POLL_UNTIL_LABELLED,
               retry=[{"ErrorEquals": errors, "IntervalSeconds": 5, "MaxAttempts": 6}])
    plan = plan_for(app, query_language="jsonata")
    (declined,) = plan.declined
    assert declined.function_id == "CheckParcelFunction"
    assert "re-runs the function when it raises LabelNotReady" in declined.reason


def test_a_decision_after_a_call_with_service_retries_only_is_rewritten(
        tmp_path: Path, _module_cache: None) -> None:
    app = _app(tmp_path, POLL_UNTIL_LABELLED, retry=[{
        "ErrorEquals": ["Lambda.ServiceException", "Lambda.TooManyRequestsException"],
        "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2}])
    states = _states(app)
    assert states["Check parcel"]["Resource"] == "arn:aws:states:::dynamodb:getItem"
    assert "Check parcel: check" in states


FLAG_GUARD = '''
    class FragileParcel(Exception):
        pass


    def lambda_handler(event, context):
        if event["fragile"] == True:
            raise FragileParcel("Fragile parcels go by courier")
        return event
'''


@pytest.mark.parametrize(("fragile", "raised"), [
    (True, True), (1, True), (1.0, True), (False, False), (0, False), ("yes", False)])
def test_a_comparison_with_true_is_python_equality(tmp_path: Path, _module_cache: None,
                                                   fragile: Any, raised: bool) -> None:
    # The form sends 1/0 for checkboxes: Python's 1 == True holds, JSONata's 1 = true does not
    states = _states(_app(tmp_path, FLAG_GUARD))
    present, rule = states["Check parcel"]["Choices"]  # KeyError when "fragile" is missing
    assert evaluate_jsonata(present["Condition"], {"parcelId": "p-1", "fragile": fragile}) is False
    assert evaluate_jsonata(rule["Condition"], {"parcelId": "p-1", "fragile": fragile}) is raised
    negated = FLAG_GUARD.replace('== True', '!= False')
    present, rule = _states(_app(tmp_path / "negated", negated))["Check parcel"]["Choices"]
    assert evaluate_jsonata(present["Condition"], {"parcelId": "p-1", "fragile": fragile}) is False
    assert evaluate_jsonata(rule["Condition"], {"parcelId": "p-1", "fragile": fragile}) is (
        fragile != False)  # noqa: E712
