"""The planned replacement states of a JSONPath workflow, state by state.

``fleet_servicing`` is a van-servicing workflow with one Lambda task of each kind the rewrite
knows: guards (with and without a catcher, ``.lower()`` and a plain comparison), DynamoDB
put/get/update/delete through the client and the ``Table`` resource, an ``aws-sdk`` query with
a decision on its result, SQS inside a Map, SNS and EventBridge inside Parallel branches,
``states:startExecution``, a third-party ``requests.get``, an ``InvocationType: Event`` invoke,
and a state that keeps the whole ``lambda:invoke`` result.

Every expectation was checked against the original task by hand: the call gets the event the
handler saw (InputPath -> Parameters/Payload), the state's output is what the Lambda task
output (return value -> ResultSelector -> ResultPath -> OutputPath), a raised error reaches the
catcher's ``Next`` with the same ``{"Error", "Cause"}`` object at the catcher's ResultPath, the
retriers on Lambda's own service errors go and the application's own retriers stay.
Where the planner is believed wrong, the test states the correct behaviour and is a strict xfail.
"""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest
from fixture_plans import plan_for

from lambdaslim.plan import Plan, StateEdit, plan_document
from lambdaslim.rewrite.integrations import MARSHAL_FUNCTION

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rewrite_states"
FLEET = FIXTURES / "fleet_servicing"
MACHINE = "ServicingStateMachine"


@pytest.fixture(scope="module")
def fleet_plan(_module_cache: None) -> Plan:
    return plan_for(FLEET)


def edit(plan: Plan, state: str, machine: str = MACHINE) -> StateEdit:
    machine_edit = plan.machine(machine)
    assert machine_edit is not None, f"no edit of {machine}"
    found = [e for e in machine_edit.states if e.state_path[-1] == state]
    assert len(found) == 1, f"state {state!r}: {[e.state_path for e in machine_edit.states]}"
    return found[0]


def states_of(plan: Plan, state: str, machine: str = MACHINE) -> dict[str, dict[str, Any]]:
    return edit(plan, state, machine).states


def marshalled(body: str) -> str:
    """A JSONata field that marshals with boto3's TypeSerializer rules (the ``$m`` helper)."""
    return "{% ( " + MARSHAL_FUNCTION + "; " + body + " ) %}"


LAMBDA_SERVICE_RETRY = {
    "ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException",
                    "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
    "IntervalSeconds": 2, "MaxAttempts": 6, "BackoffRate": 2,
}


def test_the_fixture_is_what_the_tests_describe(fleet_plan: Plan) -> None:
    machine = fleet_plan.machine(MACHINE)
    assert machine is not None
    assert [e.state_path for e in machine.states] == [
        ("Check depot region",), ("Check mileage",), ("Load vehicle",), ("Update odometer",),
        ("Find open orders",), ("Record inspection",), ("Check recalls",),
        ("Start invoicing",), ("Purge draft",),
        ("Service tasks", "ItemProcessor", "Queue work order"),
        ("Announce", 0, "Notify fleet manager"), ("Announce", 1, "Emit serviced event"),
    ]
    original = json.loads((FLEET / "statemachine" / "servicing.asl.json").read_text())
    assert original["States"]["Check depot region"]["Retry"] == [LAMBDA_SERVICE_RETRY]


# ---- guards --------------------------------------------------------------------------------

def test_guard_with_lower_needs_jsonata_and_routes_to_the_catcher(fleet_plan: Plan) -> None:
    # InputPath $.vehicle: the handler's event["region"] is $.vehicle.region. It returns the
    # event, which ResultPath $.vehicle puts back where it came from: the output is the input,
    # so the Choice goes straight on. The catcher (ResultPath $.rejection) saw the raw state
    # input with the Lambda error object at $.rejection, then went to "Reject request".
    # Before the guard, what Python raised evaluating it: KeyError for a missing region,
    # AttributeError for a region that is not text, KeyError for a missing vin when the
    # message is built. The catcher only names UnsupportedRegionError: those fail.
    py_type = ('($t := $type($states.input.vehicle.region); $t = "null" ? "NoneType" : '
               '$t = "boolean" ? "bool" : $t = "array" ? "list" : $t = "object" ? "dict" : '
               '$t = "number" ? ($floor($states.input.vehicle.region) = '
               '$states.input.vehicle.region ? "int" : "float") : $t)')
    assert states_of(fleet_plan, "Check depot region") == {
        "Check depot region": {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Comment": "Vans are serviced in the region they are registered in",
            "Choices": [{
                "Condition": "{% $not($exists($states.input.vehicle.region)) %}",
                "Next": "Check depot region: KeyError",
            }, {
                "Condition": '{% $type($states.input.vehicle.region) != "string" %}',
                "Next": "Check depot region: AttributeError",
            }, {
                "Condition": '{% ($lowercase($states.input.vehicle.region) != "north-east") and '
                             '($not($exists($states.input.vehicle.vin))) %}',
                "Next": "Check depot region: KeyError (line 19)",
            }, {
                "Condition": '{% $lowercase($states.input.vehicle.region) != "north-east" %}',
                "Next": "Check depot region: UnsupportedRegionError",
            }],
            "Default": "Check mileage",
        },
        "Check depot region: KeyError": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "KeyError raised by the replaced function (line 19)",
            "Error": "KeyError",
            "Cause": '{% $string({"errorMessage": "\'region\'", "errorType": "KeyError"}) %}',
        },
        "Check depot region: AttributeError": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "AttributeError raised by the replaced function (line 19)",
            "Error": "AttributeError",
            "Cause": '{% $string({"errorMessage": "\'" & (' + py_type + ') & "\' object has '
                     'no attribute \'lower\'", "errorType": "AttributeError"}) %}',
        },
        "Check depot region: KeyError (line 19)": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "KeyError raised by the replaced function (line 19)",
            "Error": "KeyError",
            "Cause": '{% $string({"errorMessage": "\'vin\'", "errorType": "KeyError"}) %}',
        },
        "Check depot region: UnsupportedRegionError": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Comment": "UnsupportedRegionError raised by the replaced function (line 19), as "
                       "its catcher saw it",
            "Output": '{% $merge([$states.input, {"rejection": {"Error": '
                      '"UnsupportedRegionError", "Cause": $string({"errorMessage": "Van " & '
                      '$states.input.vehicle.vin & " is registered in " & '
                      '$states.input.vehicle.region, "errorType": '
                      '"UnsupportedRegionError"})}}]) %}',
            "Next": "Reject request",
        },
    }


class _Context:
    function_name = "CheckDepotRegionFunction"
    memory_limit_in_mb = 256
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:CheckDepotRegion"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e812345678"


def test_guard_error_object_is_the_one_the_catcher_received(fleet_plan: Plan) -> None:
    """Evaluate the raise Pass with JSONata and compare with the real handler's exception."""
    jsonata = pytest.importorskip("jsonata")
    spec = importlib.util.spec_from_file_location(
        "check_depot_region_app", FLEET / "functions" / "check_depot_region" / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    state_input = {"vehicle": {"vin": "WF0XXXTTGXKS12345", "region": "South-West",
                               "odometerKm": 1200}, "serviceId": "svc-1"}
    with pytest.raises(module.UnsupportedRegionError) as raised:
        module.lambda_handler(dict(state_input["vehicle"]), _Context())
    error = raised.value
    lambda_catch_output = {**state_input, "rejection": {
        "Error": type(error).__name__,
        "Cause": json.dumps({"errorMessage": str(error), "errorType": type(error).__name__},
                            separators=(",", ":")),
    }}
    raise_pass = states_of(fleet_plan, "Check depot region")[
        "Check depot region: UnsupportedRegionError"]
    program = raise_pass["Output"].removeprefix("{%").removesuffix("%}")
    bound = f"($states := {json.dumps({'input': state_input})}; {program})"
    assert jsonata.Jsonata(bound).evaluate(None) == lambda_catch_output
    # The first rule to match is the guard's own: no KeyError/AttributeError rule before it.
    rules = states_of(fleet_plan, "Check depot region")["Check depot region"]["Choices"]
    matched = [rule["Next"] for rule in rules if jsonata.Jsonata(
        f"($states := {json.dumps({'input': state_input})}; "
        f"{rule['Condition'].removeprefix('{%').removesuffix('%}')})").evaluate(None) is True]
    assert matched[:1] == ["Check depot region: UnsupportedRegionError"]


def test_numeric_guard_without_catcher_becomes_a_fail(fleet_plan: Plan) -> None:
    # Payload {"km.$": "$.vehicle.odometerKm", "limit": 250000}: event["km"] > event["limit"]
    # is the state input's odometer against the literal. No catcher: the execution failed with
    # the exception's name; a Fail state says the same. ResultPath null: output = input.
    assert states_of(fleet_plan, "Check mileage") == {
        "Check mileage": {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [{"Condition": "{% $states.input.vehicle.odometerKm > 250000 %}",
                         "Next": "Check mileage: MileageLimitExceeded"}],
            "Default": "Load vehicle",
        },
        "Check mileage: MileageLimitExceeded": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "MileageLimitExceeded raised by the replaced function (line 15)",
            "Error": "MileageLimitExceeded",
            "Cause": '{% $string({"errorMessage": "The van is past its service life", '
                     '"errorType": "MileageLimitExceeded"}) %}',
        },
    }


# ---- DynamoDB ------------------------------------------------------------------------------

def test_client_get_item_stays_jsonpath_and_keeps_the_user_retrier(fleet_plan: Plan) -> None:
    # Payload.$ $.vehicle -> event["vin"] is $.vehicle.vin. The handler returns
    # response["Item"] (typed values, the client API), ResultSelector {"record.$": "$.Payload"}
    # -> {"record": Item} at $.registry. The Lambda service retrier goes, States.Timeout stays.
    assert states_of(fleet_plan, "Load vehicle") == {
        "Load vehicle": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Parameters": {
                "TableName": "${VehiclesTable}",
                "Key": {"vin": {"S.$": "$.vehicle.vin"}},
                "ConsistentRead": True,
            },
            "ResultSelector": {"record.$": "$.Item"},
            "ResultPath": "$.registry",
            "TimeoutSeconds": 10,
            "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1,
                       "MaxAttempts": 2}],
            "Next": "Update odometer",
        },
    }


def test_resource_put_item_marshals_python_values(fleet_plan: Plan) -> None:
    # InputPath $.inspection; Table.put_item(Item=...) with Python values: the table's key
    # attributes (vin, inspectedOn: S) are typed from the template, the others at run time.
    # The handler returns None but ResultPath null keeps the state input.
    item = ('{"vin": {"S": $states.input.inspection.vin}, "inspectedOn": {"S": '
            '$states.input.inspection.inspectedOn}, "mechanic": '
            '$m($states.input.inspection.mechanic), "status": {"S": "OPEN"}}')
    assert states_of(fleet_plan, "Record inspection") == {
        "Record inspection": {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::dynamodb:putItem",
            "Arguments": {"TableName": "${InspectionsTable}", "Item": marshalled(item)},
            "Output": "{% $states.input %}",
            "TimeoutSeconds": 10,
            "Next": "Service tasks",
        },
    }


@pytest.mark.parametrize("value", ["Jansen", 42, True, None, ["oil", 3], {"a": {"b": [1]}},
                                   [], {}])
def test_the_marshal_helper_writes_what_boto3_writes(value: Any) -> None:
    jsonata = pytest.importorskip("jsonata")
    from boto3.dynamodb.types import TypeSerializer

    def python(v: Any) -> Any:  # boto3's resource API takes ints, not floats
        return {k: python(x) for k, x in v.items()} if isinstance(v, dict) else (
            [python(x) for x in v] if isinstance(v, list) else v)

    expected = TypeSerializer().serialize(python(value))
    program = f"( {MARSHAL_FUNCTION}; $m({json.dumps(value)}) )"
    assert jsonata.Jsonata(program).evaluate(None) == expected


def _update_odometer(plan: Plan) -> dict[str, Any]:
    return states_of(plan, "Update odometer")["Update odometer"]


def test_update_item_keeps_the_callers_placeholders_next_to_the_conditions(
        fleet_plan: Plan) -> None:
    # boto3 builds the condition object with its own #n0/:v0 placeholders and merges them into
    # the caller's ExpressionAttributeNames/Values: both sets reach DynamoDB.
    arguments = _update_odometer(fleet_plan)["Arguments"]
    assert arguments["UpdateExpression"] == "SET #odo = :km"
    assert arguments["ConditionExpression"] == "#n0 <= :v0"
    assert arguments["ExpressionAttributeNames"] == {"#odo": "odometerKm", "#n0": "odometerKm"}
    assert arguments["ExpressionAttributeValues"] == marshalled(
        '{":km": $m($states.input.vehicle.odometerKm), '
        '":v0": $m($states.input.vehicle.odometerKm)}')


def test_a_catcher_on_a_boto3_error_matches_the_integrations_error(fleet_plan: Plan) -> None:
    # The dynamodb:updateItem integration fails with DynamoDB.ConditionalCheckFailedException:
    # the catcher names it next to the boto3 class (which nothing raises any more), so a failed
    # condition still goes to "Reject request" with the error object at $.rejection. The
    # error's name and cause text differ from the Lambda error's (declared).
    assert _update_odometer(fleet_plan)["Catch"] == [{
        "ErrorEquals": ["ConditionalCheckFailedException",
                        "DynamoDB.ConditionalCheckFailedException"],
        "Output": '{% $merge([$states.input, {"rejection": $states.errorOutput}]) %}',
        "Next": "Reject request",
    }]
    assert any(d.kind == "error_name" and "DynamoDB." in d.message
               for d in edit(fleet_plan, "Update odometer").declared)


def test_update_item_data_flow(fleet_plan: Plan) -> None:
    # What is right about the update today: key typed from the table, condition text as boto3
    # builds it, output = input (ResultPath null).
    state = _update_odometer(fleet_plan)
    assert state["Resource"] == "arn:aws:states:::dynamodb:updateItem"
    assert state["Arguments"]["Key"] == {"vin": {"S": "{% $states.input.vehicle.vin %}"}}
    assert state["Output"] == "{% $states.input %}"
    assert state["Next"] == "Find open orders"
    assert "Retry" not in state


def test_async_resource_delete_item_catches_and_ignores_errors(fleet_plan: Plan) -> None:
    # InvocationType Event: the workflow never saw the function's errors, and with ResultPath
    # null its output was the input. "DRAFT#" + event["inspectedOn"] is a States.Format.
    assert states_of(fleet_plan, "Purge draft") == {
        "Purge draft": {
            "Type": "Task",
            "Resource": "arn:aws:states:::dynamodb:deleteItem",
            "Parameters": {
                "TableName": "${InspectionsTable}",
                "Key": {
                    "vin": {"S.$": "$.vehicle.vin"},
                    "inspectedOn": {"S.$": "States.Format('DRAFT#{}', $.inspection.inspectedOn)"},
                },
            },
            "ResultPath": None,
            "TimeoutSeconds": 10,
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": None,
                       "Next": "Audit trail"}],
            "Next": "Audit trail",
        },
    }
    assert any(d.kind == "async_errors" for d in edit(fleet_plan, "Purge draft").declared)


# ---- query and decision --------------------------------------------------------------------

def test_aws_sdk_query_then_decision_on_its_result(fleet_plan: Plan) -> None:
    # Payload.$ "$" + OutputPath $.Payload + return event: the output is the state input.
    # The decision reads the query's Count, so the Task keeps its input and result in
    # variables and a Choice decides; the raise Pass rebuilds the catcher's view (the input
    # with the error at $.rejection). The catcher's States.ALL stays on the Task for the
    # query's own errors.
    assert states_of(fleet_plan, "Find open orders") == {
        "Find open orders": {
            "Type": "Task",
            "Comment": "A van with open work orders is finished first",
            "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::aws-sdk:dynamodb:query",
            "Arguments": {
                "TableName": "${WorkOrdersTable}",
                "IndexName": "by-vin",
                "KeyConditionExpression": "vin = :vin",
                "FilterExpression": "orderStatus = :open",
                "ExpressionAttributeValues": {
                    ":vin": {"S": "{% $states.input.vehicle.vin %}"},
                    ":open": {"S": "OPEN"},
                },
                "Select": "COUNT",
            },
            "Assign": {"lsFindOpenOrdersInput": "{% $states.input %}",
                       "lsFindOpenOrdersResult": "{% $states.result %}"},
            "Output": "{% $states.input %}",
            "TimeoutSeconds": 10,
            "Catch": [{
                "ErrorEquals": ["States.ALL"],
                "Output": '{% $merge([$states.input, {"rejection": $states.errorOutput}]) %}',
                "Next": "Reject request",
            }],
            "Next": "Find open orders: check",
        },
        "Find open orders: KeyError": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Comment": "KeyError raised by the replaced function (line 27), as its catcher saw it",
            "Output": '{% $merge([$lsFindOpenOrdersInput, {"rejection": {"Error": "KeyError", '
                      '"Cause": $string({"errorMessage": "\'Count\'", '
                      '"errorType": "KeyError"})}}]) %}',
            "Next": "Reject request",
        },
        "Find open orders: OpenWorkOrdersError": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Comment": "OpenWorkOrdersError raised by the replaced function (line 27), as its "
                       "catcher saw it",
            "Output": '{% $merge([$lsFindOpenOrdersInput, {"rejection": {"Error": '
                      '"OpenWorkOrdersError", "Cause": $string({"errorMessage": '
                      '$lsFindOpenOrdersResult.Count & " work orders are still open", '
                      '"errorType": "OpenWorkOrdersError"})}}]) %}',
            "Next": "Reject request",
        },
        "Find open orders: check": {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [{"Condition": "{% $not($exists($lsFindOpenOrdersResult.Count)) %}",
                         "Next": "Find open orders: KeyError"},
                        {"Condition": "{% $lsFindOpenOrdersResult.Count > 0 %}",
                         "Next": "Find open orders: OpenWorkOrdersError"}],
            "Default": "Record inspection",
        },
    }


# ---- HTTP ----------------------------------------------------------------------------------

def test_requests_get_with_raise_for_status_and_a_guard(fleet_plan: Plan) -> None:
    # Payload {"vin.$": "$.vehicle.vin"}; params={"vin": ...} are query parameters (text, as
    # requests sends them). The return {"openRecalls": body["openRecalls"]} goes through
    # ResultSelector {"openRecalls.$": "$.Payload.openRecalls"} to $.recalls. The retrier on
    # requests' errors retries the HTTP Task's failures instead.
    assert states_of(fleet_plan, "Check recalls") == {
        "Check recalls": {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::http:invoke",
            "Arguments": {
                "ApiEndpoint": "${RecallApiUrl}",
                "Method": "GET",
                "Authentication": {"ConnectionArn": "${RecallApiConnectionArn}"},
                "QueryParameters": {"vin": "{% $string($states.input.vehicle.vin) %}"},
            },
            "Assign": {"lsCheckRecallsInput": "{% $states.input %}",
                       "lsCheckRecallsResult": "{% $states.result %}"},
            "Output": '{% $merge([$states.input, {"recalls": {"openRecalls": '
                      '$states.result.ResponseBody.openRecalls}}]) %}',
            "TimeoutSeconds": 15,
            "Retry": [{"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 3,
                       "MaxAttempts": 2, "BackoffRate": 2}],
            "Catch": [{
                "ErrorEquals": ["RecallOpenError"],
                "Output": '{% $merge([$states.input, {"rejection": $states.errorOutput}]) %}',
                "Next": "Reject request",
            }],
            "Next": "Check recalls: check",
        },
        # body["openRecalls"], then body["campaigns"][0] only when the message is built.
        # The catcher names RecallOpenError only: those fail.
        "Check recalls: KeyError": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "KeyError raised by the replaced function (line 18)",
            "Error": "KeyError",
            "Cause": '{% $string({"errorMessage": "\'openRecalls\'", '
                     '"errorType": "KeyError"}) %}',
        },
        "Check recalls: KeyError (line 18)": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "KeyError raised by the replaced function (line 18)",
            "Error": "KeyError",
            "Cause": '{% $string({"errorMessage": "\'campaigns\'", '
                     '"errorType": "KeyError"}) %}',
        },
        "Check recalls: IndexError": {
            "Type": "Fail",
            "QueryLanguage": "JSONata",
            "Comment": "IndexError raised by the replaced function (line 18)",
            "Error": "IndexError",
            "Cause": '{% $string({"errorMessage": "list index out of range", '
                     '"errorType": "IndexError"}) %}',
        },
        "Check recalls: RecallOpenError": {
            "Type": "Pass",
            "QueryLanguage": "JSONata",
            "Comment": "RecallOpenError raised by the replaced function (line 18), as its "
                       "catcher saw it",
            "Output": '{% $merge([$lsCheckRecallsInput, {"rejection": {"Error": '
                      '"RecallOpenError", "Cause": $string({"errorMessage": "Open recall '
                      'campaign " & $lsCheckRecallsResult.ResponseBody.campaigns[0], '
                      '"errorType": "RecallOpenError"})}}]) %}',
            "Next": "Reject request",
        },
        "Check recalls: check": {
            "Type": "Choice",
            "QueryLanguage": "JSONata",
            "Choices": [
                {"Condition": "{% $not($exists($lsCheckRecallsResult.ResponseBody.openRecalls)) "
                              "%}",
                 "Next": "Check recalls: KeyError"},
                {"Condition": "{% ($lsCheckRecallsResult.ResponseBody.openRecalls > 0) and "
                              "($not($exists($lsCheckRecallsResult.ResponseBody.campaigns))) %}",
                 "Next": "Check recalls: KeyError (line 18)"},
                {"Condition": "{% ($lsCheckRecallsResult.ResponseBody.openRecalls > 0) and "
                              "($not($exists($lsCheckRecallsResult.ResponseBody.campaigns[0]))) "
                              "%}",
                 "Next": "Check recalls: IndexError"},
                {"Condition": "{% $lsCheckRecallsResult.ResponseBody.openRecalls > 0 %}",
                 "Next": "Check recalls: RecallOpenError"},
            ],
            "Default": "Announce",
        },
    }
    machine = fleet_plan.machine(MACHINE)
    assert machine is not None
    assert [c.logical_id for c in machine.connections] == ["RecallApiConnection"]
    assert any(d.kind == "error_name" and "States.TaskFailed" in d.message
               for d in edit(fleet_plan, "Check recalls").declared)


# ---- messaging and workflows ---------------------------------------------------------------

def test_sqs_send_inside_a_map_item_processor(fleet_plan: Plan) -> None:
    # The ItemSelector builds an object per item; json.dumps(event) is its JSON text, which
    # States.JsonToString writes for any JSON value (compactly, where json.dumps puts spaces
    # after separators: declared). No ResultPath on the original: the handler returned the
    # event, so the iteration's output is its input.
    assert states_of(fleet_plan, "Queue work order") == {
        "Queue work order": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage",
            "Parameters": {"QueueUrl": "${WorkOrdersQueueUrl}",
                           "MessageBody.$": "States.JsonToString($)"},
            "ResultPath": None,
            "TimeoutSeconds": 10,
            "End": True,
        },
    }
    assert edit(fleet_plan, "Queue work order").state_path == (
        "Service tasks", "ItemProcessor", "Queue work order")
    assert any(d.kind == "json_serialisation"
               for d in edit(fleet_plan, "Queue work order").declared)


def test_sns_publish_in_a_parallel_branch(fleet_plan: Plan) -> None:
    # An f-string message is a States.Format; {"messageId": response["MessageId"]} through
    # ResultSelector {"messageId.$": "$.Payload.messageId"} is {"messageId": $.MessageId}.
    assert states_of(fleet_plan, "Notify fleet manager") == {
        "Notify fleet manager": {
            "Type": "Task",
            "Resource": "arn:aws:states:::sns:publish",
            "Parameters": {
                "TopicArn": "${AlertsTopicArn}",
                "Subject": "Van in service",
                "Message.$": "States.Format('Van {} is being serviced at {}', $.vehicle.vin, "
                             "$.vehicle.depot)",
            },
            "ResultSelector": {"messageId.$": "$.MessageId"},
            "TimeoutSeconds": 10,
            "End": True,
        },
    }


def test_put_events_in_a_parallel_branch_reads_through_the_input_path(fleet_plan: Plan) -> None:
    # InputPath $.vehicle is folded into the references; ResultPath null keeps the raw input.
    assert states_of(fleet_plan, "Emit serviced event") == {
        "Emit serviced event": {
            "Type": "Task",
            "Resource": "arn:aws:states:::events:putEvents",
            "Parameters": {"Entries": [{
                "Source": "fleet.servicing",
                "DetailType": "VanServiced",
                "Detail": {"vin.$": "$.vehicle.vin", "depot.$": "$.vehicle.depot"},
                "EventBusName": "${FleetBusName}",
            }]},
            "ResultPath": None,
            "TimeoutSeconds": 10,
            "End": True,
        },
    }


def test_put_events_declares_that_a_rejected_entry_now_fails(fleet_plan: Plan) -> None:
    # The handler ignores FailedEntryCount, so a rejected entry did not fail the Lambda task;
    # the events:putEvents integration fails the task then. And the events it sends carry the
    # state machine's and the execution's ARNs in their resources.
    declared = edit(fleet_plan, "Emit serviced event").declared
    assert any(d.kind == "error_name" and "FailedEntry" in d.message for d in declared)
    assert any(d.kind == "event_resources" for d in declared)


def test_start_execution(fleet_plan: Plan) -> None:
    # start_execution(stateMachineArn, name, input=json.dumps({...})) -> the optimized
    # integration's PascalCase parameters, Input as an object; response["executionArn"] is
    # the integration's ExecutionArn.
    assert states_of(fleet_plan, "Start invoicing") == {
        "Start invoicing": {
            "Type": "Task",
            "Resource": "arn:aws:states:::states:startExecution",
            "Parameters": {
                "StateMachineArn": "${InvoicingStateMachineArn}",
                "Name.$": "$.serviceId",
                "Input": {"vin.$": "$.vehicle.vin", "serviceId.$": "$.serviceId"},
            },
            "ResultSelector": {"executionArn.$": "$.ExecutionArn"},
            "ResultPath": "$.invoicing",
            "TimeoutSeconds": 10,
            "Next": "Purge draft",
        },
    }


# ---- what the plan refuses, and plan-wide properties ---------------------------------------

def test_a_state_keeping_the_whole_invoke_result_is_declined(fleet_plan: Plan) -> None:
    assert [(d.function_id, d.where) for d in fleet_plan.declined] == [
        ("AuditTrailFunction", "ServicingStateMachine: state 'Audit trail'")]
    assert "keeps the whole lambda:invoke result" in fleet_plan.declined[0].reason
    assert "AuditTrailFunction" not in fleet_plan.removed_functions
    machine = fleet_plan.machine(MACHINE)
    assert machine is not None
    audit = machine.definition["States"]["Audit trail"]
    original = json.loads((FLEET / "statemachine" / "servicing.asl.json").read_text())
    assert audit == original["States"]["Audit trail"]
    assert "AuditTrailFunctionArn" not in machine.substitutions_removed


def test_the_definition_is_the_original_with_the_states_spliced_in(fleet_plan: Plan) -> None:
    machine = fleet_plan.machine(MACHINE)
    assert machine is not None
    top = list(machine.definition["States"])
    assert top[:7] == ["Check depot region", "Check depot region: KeyError",
                       "Check depot region: AttributeError",
                       "Check depot region: KeyError (line 19)",
                       "Check depot region: UnsupportedRegionError",
                       "Check mileage", "Check mileage: MileageLimitExceeded"]
    text = json.dumps(machine.definition)
    for function in machine.invoke_removed:
        assert "${" + function + "Arn}" not in text
    assert "lambda:invoke" in text  # the declined audit state only
    processor = machine.definition["States"]["Service tasks"]["ItemProcessor"]["States"]
    assert processor == states_of(fleet_plan, "Queue work order")


@pytest.mark.parametrize("language", ["auto", "jsonpath"])
def test_simple_transports_stay_jsonpath(language: str, _module_cache: None) -> None:
    plan = plan_for(FLEET, query_language=language)
    for state in ("Load vehicle", "Queue work order", "Notify fleet manager",
                  "Emit serviced event", "Start invoicing", "Purge draft"):
        task = states_of(plan, state)[state]
        assert "QueryLanguage" not in task
        assert "Parameters" in task and "Arguments" not in task


def test_jsonata_is_forced_on_every_new_state(_module_cache: None) -> None:
    plan = plan_for(FLEET, query_language="jsonata")
    machine = plan.machine(MACHINE)
    assert machine is not None
    for state_edit in machine.states:
        for name, state in state_edit.states.items():
            assert not {"Parameters", "ResultSelector", "ResultPath", "InputPath",
                        "OutputPath", "Result"} & set(state), name
            if state["Type"] != "Pass" or set(state) != {"Type", "End"}:
                assert state["QueryLanguage"] == "JSONata", name
    assert states_of(plan, "Load vehicle") == {
        "Load vehicle": {
            "Type": "Task",
            "QueryLanguage": "JSONata",
            "Resource": "arn:aws:states:::dynamodb:getItem",
            "Arguments": {
                "TableName": "${VehiclesTable}",
                "Key": {"vin": {"S": "{% $states.input.vehicle.vin %}"}},
                "ConsistentRead": True,
            },
            "Output": '{% $merge([$states.input, {"registry": {"record": '
                      '$states.result.Item}}]) %}',
            "TimeoutSeconds": 10,
            "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1,
                       "MaxAttempts": 2}],
            "Next": "Update odometer",
        },
    }
    assert states_of(plan, "Purge draft")["Purge draft"]["Catch"] == [
        {"ErrorEquals": ["States.ALL"], "Output": "{% $states.input %}", "Next": "Audit trail"}]
    queue = states_of(plan, "Queue work order")["Queue work order"]
    assert set(queue["Arguments"]) == {"QueueUrl", "MessageBody"}
    assert queue["Arguments"]["QueueUrl"] == "${WorkOrdersQueueUrl}"
    assert queue["Output"] == "{% $states.input %}"
    # json.dumps(event) of the item the ItemSelector built: its compact JSON text.
    jsonata = pytest.importorskip("jsonata")
    item = {"vin": "WF0XXXTTGXKS12345", "task": {"code": "OIL", "minutes": 30}}
    program = queue["Arguments"]["MessageBody"].removeprefix("{%").removesuffix("%}")
    body = jsonata.Jsonata(
        f"($states := {json.dumps({'input': item})}; {program})").evaluate(None)
    assert body == json.dumps(item, separators=(",", ":"))


def test_the_plan_is_deterministic(_module_cache: None) -> None:
    first = json.dumps(plan_document(plan_for(FLEET)), sort_keys=False, default=str)
    second = json.dumps(plan_document(plan_for(FLEET)), sort_keys=False, default=str)
    assert first == second


def test_only_and_skip_limit_the_plan(_module_cache: None) -> None:
    plan = plan_for(FLEET, only={"LoadVehicleFunction", "CheckMileageFunction"},
                    skip={"CheckMileageFunction"})
    assert plan.removed_functions == ("LoadVehicleFunction",)
    machine = plan.machine(MACHINE)
    assert machine is not None
    assert [e.state_path for e in machine.states] == [("Load vehicle",)]
    assert machine.definition["States"]["Check mileage"]["Resource"] == \
        "arn:aws:states:::lambda:invoke"


def test_a_definition_without_lambda_tasks_is_left_alone(_module_cache: None) -> None:
    """What an already rewritten workflow looks like: planning it again changes nothing."""
    plan = plan_for(FIXTURES / "parcel_returns_direct")
    assert plan.machines == ()
    assert plan.removed_functions == ()
    assert plan.declined == ()
