"""Replacement states that must compute what the handler computed, value for value.

``priority = event.get("priority") or "normal"`` is the priority or "normal" in Python, not a
boolean; ``str(event["quantity"])`` is text (DynamoDB's ``N`` takes text), not the number.
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent
from typing import Any

import pytest
from fixture_plans import evaluate_jsonata, plan_for

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Description: order intake

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

  OrdersQueue:
    Type: AWS::SQS::Queue

  IntakeFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/intake/
      Environment:
        Variables:
          TABLE_NAME: !Ref OrdersTable
          QUEUE_URL: !Ref OrdersQueue
      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref OrdersTable
        - SQSSendMessagePolicy:
            QueueName: !GetAtt OrdersQueue.QueueName

  IntakeStateMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      Type: STANDARD
      DefinitionUri: statemachine/intake.asl.json
      DefinitionSubstitutions:
        IntakeFunctionArn: !GetAtt IntakeFunction.Arn
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref IntakeFunction
"""

DEFINITION = {
    "StartAt": "Take order",
    "States": {
        "Take order": {"Type": "Task", "Resource": "${IntakeFunctionArn}",
                       "ResultPath": "$.intake", "Next": "Done"},
        "Done": {"Type": "Pass", "End": True},
    },
}


def _app(root: Path, handler: str) -> Path:
    (root / "functions" / "intake").mkdir(parents=True)
    (root / "statemachine").mkdir()
    (root / "template.yaml").write_text(TEMPLATE)
    (root / "statemachine" / "intake.asl.json").write_text(json.dumps(DEFINITION, indent=2))
    (root / "functions" / "intake" / "app.py").write_text(dedent(handler))
    return root


def _task(app: Path) -> dict[str, Any]:
    plan = plan_for(app, query_language="jsonata")
    machine = plan.machine("IntakeStateMachine")
    assert machine is not None, plan.declined
    (edit,) = [e for e in machine.states if e.state_path[-1] == "Take order"]
    return edit.states["Take order"]


OR_DEFAULT = '''
    import json
    import os

    import boto3

    sqs = boto3.client("sqs")


    def lambda_handler(event, context):
        priority = event.get("priority") or "normal"
        sqs.send_message(
            QueueUrl=os.environ["QUEUE_URL"],
            MessageBody=json.dumps({"orderId": event["orderId"], "priority": priority}),
        )
        return {"orderId": event["orderId"], "priority": priority}
'''


@pytest.mark.parametrize(("given", "expected"), [
    ({}, "normal"),
    ({"priority": ""}, "normal"),
    ({"priority": None}, "normal"),
    ({"priority": "express"}, "express"),
])
def test_an_or_default_is_the_value_not_a_boolean(tmp_path: Path, _module_cache: None,
                                                  given: dict[str, Any], expected: str) -> None:
    task = _task(_app(tmp_path, OR_DEFAULT))
    state_input = {"orderId": "o-1", **given}
    output = evaluate_jsonata(task["Output"], state_input)
    assert output["intake"] == {"orderId": "o-1", "priority": expected}
    body = evaluate_jsonata(task["Arguments"]["MessageBody"], state_input)
    assert json.loads(body) == {"orderId": "o-1", "priority": expected}


def test_an_and_of_values_is_the_deciding_operand(tmp_path: Path, _module_cache: None) -> None:
    task = _task(_app(tmp_path, OR_DEFAULT.replace(
        'event.get("priority") or "normal"', 'event.get("express") and "express"')))
    assert evaluate_jsonata(task["Output"], {"orderId": "o-1", "express": 0})["intake"][
        "priority"] == 0
    assert evaluate_jsonata(task["Output"], {"orderId": "o-1", "express": True})["intake"][
        "priority"] == "express"


STR_OF_A_NUMBER = '''
    import os

    import boto3

    dynamodb = boto3.client("dynamodb")


    def lambda_handler(event, context):
        dynamodb.put_item(
            TableName=os.environ["TABLE_NAME"],
            Item={"orderId": {"S": event["orderId"]}, "quantity": {"N": str(event["quantity"])}},
        )
        return {"stored": f"{event['quantity']}"}
'''


def test_str_of_a_number_alone_is_text(tmp_path: Path, _module_cache: None) -> None:
    task = _task(_app(tmp_path, STR_OF_A_NUMBER))
    state_input = {"orderId": "o-1", "quantity": 3}
    quantity = task["Arguments"]["Item"]["quantity"]["N"]
    assert evaluate_jsonata(quantity, state_input) == "3"
    assert evaluate_jsonata(task["Output"], state_input)["intake"] == {"stored": "3"}


def test_str_of_a_number_alone_stays_jsonpath_when_it_can(tmp_path: Path,
                                                          _module_cache: None) -> None:
    # A task that discards the result (ResultPath null): its output is JSONPath's to give.
    app = _app(tmp_path, STR_OF_A_NUMBER)
    definition = json.loads(json.dumps(DEFINITION))
    definition["States"]["Take order"]["ResultPath"] = None
    (app / "statemachine" / "intake.asl.json").write_text(json.dumps(definition, indent=2))
    plan = plan_for(app)
    machine = plan.machine("IntakeStateMachine")
    assert machine is not None, plan.declined
    (edit,) = machine.states
    task = edit.states["Take order"]
    assert task["Parameters"]["Item"]["quantity"] == {
        "N.$": "States.Format('{}', $.quantity)"}


HTTP_LOOKUP = '''
    import requests


    def lambda_handler(event, context):
        response = requests.get(
            "https://stock.example.com/v2/items",
            params={"sku": event["sku"], "cursor": event.get("cursor")},
            timeout=5,
        )
        response.raise_for_status()
        return response.json()
'''


def test_a_query_parameter_that_may_be_none_keeps_the_function(tmp_path: Path,
                                                               _module_cache: None) -> None:
    plan = plan_for(_app(tmp_path, HTTP_LOOKUP))
    (declined,) = plan.declined
    assert declined.function_id == "IntakeFunction"
    assert "query parameter 'cursor' may be None" in declined.reason


def test_query_parameters_that_are_always_set_are_rewritten(tmp_path: Path,
                                                            _module_cache: None) -> None:
    app = _app(tmp_path, HTTP_LOOKUP.replace(', "cursor": event.get("cursor")', ""))
    task = _task(app)
    assert task["Resource"] == "arn:aws:states:::http:invoke"
    assert set(task["Arguments"]["QueryParameters"]) == {"sku"}
