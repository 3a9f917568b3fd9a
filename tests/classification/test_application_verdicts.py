"""Verdicts that depend on the application around a handler: who invokes it, and how."""

from __future__ import annotations

from pathlib import Path

from app_copies import SAMPLE, AppCopy

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import Analysis, analyze_application
from lambdaslim.loading import load_application

CATALOG = load_catalog()


def analyze(root: Path) -> Analysis:
    return analyze_application(load_application(root), CATALOG)


def verdicts(analysis: Analysis) -> dict[str, tuple[str, str]]:
    return {f.function_id: (f.verdict, f.category) for f in analysis.functions}


def test_sample_has_eleven_replaceable_functions_and_keeps_two_with_their_lines() -> None:
    analysis = analyze(SAMPLE)
    kept = {f.function_id: f for f in analysis.functions if not f.replaced}
    assert len(analysis.functions) == 13
    assert sorted(kept) == ["ExtractIdInfoFunction", "PresignedUrlFunction"]
    presign = kept["PresignedUrlFunction"]
    assert any("generate_presigned_url" in r.message and r.line for r in presign.reasons)
    assert all(r.file and r.line for f in kept.values() for r in f.reasons[:1])
    categories = sorted(f.category for f in analysis.functions if f.replaced)
    assert categories == sorted([
        "workflow_entry", "decision", "http", "query_decision", "query_decision",
        "transport", "transport", *["callback_channel"] * 4,
    ])
    (machine,) = analysis.machines
    assert machine.becomes_sync_express and machine.entry_function == "StartWorkflowFunction"


def test_renaming_every_function_folder_and_state_changes_no_verdict(
    sample_copy: AppCopy,
) -> None:
    """The analysis must not depend on names: rename logical ids, folders and states."""
    before = analyze(SAMPLE)
    root = sample_copy.root
    renames = sample_copy.rename_everything([f.function_id for f in before.functions])

    after = analyze(root)
    old = sorted((renames[f.function_id], f.verdict, f.category) for f in before.functions)
    new = sorted((f.function_id, f.verdict, f.category) for f in after.functions)
    assert new == old
    assert [m.becomes_sync_express for m in after.machines] == [True]


def test_entry_websocket_and_tasks_of_a_small_booking_app(booking: AppCopy) -> None:
    analysis = analyze(booking.root)
    assert verdicts(analysis) == {
        "NotifyClientFunction": ("replace", "callback_channel"),
        "OnConnectFunction": ("replace", "callback_channel"),
        "OnDisconnectFunction": ("replace", "callback_channel"),
        "ReserveSeatFunction": ("replace", "transport"),
        "StartBookingFunction": ("replace", "workflow_entry"),
    }
    entry = analysis.function("StartBookingFunction")
    assert entry.resources == (
        "arn:aws:apigateway:${AWS::Region}:states:action/StartSyncExecution",
    )
    assert analysis.function("ReserveSeatFunction").resources == (
        "arn:aws:states:::dynamodb:updateItem",
    )


def test_a_workflow_that_cannot_be_express_keeps_its_websocket_channel(
    booking: AppCopy,
) -> None:
    def wait_for_approval(definition: dict) -> None:
        definition["States"]["Reserve seat"]["Next"] = "Approve"
        definition["States"]["Approve"] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken",
            "Parameters": {"QueueUrl": "https://sqs.eu-west-1.amazonaws.com/1/approvals",
                           "MessageBody": {"token.$": "$$.Task.Token"}},
            "ResultPath": None,
            "Next": "Tell the client",
        }

    booking.edit_json("statemachine/booking.asl.json", wait_for_approval)
    analysis = analyze(booking.root)
    (machine,) = analysis.machines
    assert not machine.express.eligible
    assert "Approve" in machine.express.reasons[0]
    entry = analysis.function("StartBookingFunction")
    assert entry.category == "workflow_entry"
    assert entry.resources[0].endswith("/StartExecution")
    for fid in ("NotifyClientFunction", "OnConnectFunction", "OnDisconnectFunction"):
        kept = analysis.function(fid)
        assert kept.verdict == "keep"
        assert "does not answer its API call synchronously" in kept.reasons[0].message
        assert "(it cannot become an Express workflow: " in kept.reasons[0].message


def test_a_second_starter_prevents_the_synchronous_switch(booking: AppCopy) -> None:
    booking.edit_text(
        "template.yaml",
        "      DefinitionUri: statemachine/booking.asl.json\n",
        "      DefinitionUri: statemachine/booking.asl.json\n"
        "      Events:\n        Nightly:\n          Type: Schedule\n"
        "          Properties:\n            Schedule: rate(1 day)\n",
    )
    analysis = analyze(booking.root)
    assert not analysis.machines[0].becomes_sync_express
    assert analysis.function("StartBookingFunction").resources[0].endswith("/StartExecution")
    assert analysis.function("OnConnectFunction").verdict == "keep"


LOOPING_HELPER = """

def _total(items):
    total = 0
    for item in items:
        total += item["price"]
    return total
"""


def test_an_entry_whose_handler_must_stay_is_not_replaced_by_the_api(booking: AppCopy) -> None:
    handler = "functions/start_booking/handler.py"
    booking.edit_text(handler, "\n\ndef main(event, context):\n",
                      LOOPING_HELPER + "\n\ndef main(event, context):\n")
    booking.edit_text(handler, '    booking = json.loads(event["body"])\n',
                      '    booking = json.loads(event["body"])\n'
                      '    booking["total"] = _total(booking["items"])\n')
    analysis = analyze(booking.root)
    entry = analysis.function("StartBookingFunction")
    assert (entry.verdict, entry.category) == ("keep", "keep")
    assert "calls local function _total" in entry.reasons[0].message
    assert entry.reasons[0].file == handler
    assert not analysis.machines[0].becomes_sync_express
    notify = analysis.function("NotifyClientFunction")
    assert "(no API route starts it through a function the API can replace)" in (
        notify.reasons[0].message)


def test_a_kept_function_that_also_starts_the_workflow_prevents_the_synchronous_switch(
    booking: AppCopy,
) -> None:
    booking.edit_text(
        "template.yaml",
        "  ReserveSeatFunction:\n",
        "  ReplayBookingsFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        "      CodeUri: functions/replay/\n      Handler: handler.main\n"
        "      Environment:\n        Variables:\n          WORKFLOW_ARN: !Ref BookingWorkflow\n\n"
        "  ReserveSeatFunction:\n",
    )
    booking.write("functions/replay/handler.py", (
        "import json\nimport os\n\nimport boto3\n\n"
        'sfn = boto3.client("stepfunctions")\n\n\n'
        "def main(event, context):\n"
        '    for booking in event["bookings"]:\n'
        '        sfn.start_execution(stateMachineArn=os.environ["WORKFLOW_ARN"],\n'
        "                            input=json.dumps(booking))\n"
    ))
    analysis = analyze(booking.root)
    assert analysis.function("ReplayBookingsFunction").verdict == "keep"
    assert not analysis.machines[0].becomes_sync_express
    assert analysis.function("StartBookingFunction").resources[0].endswith("/StartExecution")
    notify = analysis.function("NotifyClientFunction")
    assert notify.verdict == "keep"
    assert "(ReplayBookingsFunction also starts it)" in notify.reasons[0].message


def test_a_function_with_another_event_source_is_kept(booking: AppCopy) -> None:
    booking.edit_text(
        "template.yaml",
        "      CodeUri: functions/reserve_seat/\n      Handler: handler.main\n",
        "      CodeUri: functions/reserve_seat/\n      Handler: handler.main\n"
        "      Events:\n        Retries:\n          Type: SQS\n          Properties:\n"
        "            Queue: arn:aws:sqs:eu-west-1:123456789012:seat-retries\n",
    )
    reserve = analyze(booking.root).function("ReserveSeatFunction")
    assert reserve.verdict == "keep"
    assert reserve.reasons[0].message == "also triggered by its SQS event 'Retries'"
    assert reserve.reasons[0].file == "template.yaml" and reserve.reasons[0].line


def test_a_websocket_route_with_real_logic_keeps_the_whole_channel(booking: AppCopy) -> None:
    booking.write(
        "functions/on_connect/handler.py",
        "import os\n\nimport boto3\n\n"
        'clients = boto3.resource("dynamodb").Table(os.environ["CLIENTS_TABLE"])\n\n\n'
        "def main(event, context):\n"
        '    for header in event["headers"]:\n'
        '        if header.startswith("x-"):\n'
        '            clients.put_item(Item={"connectionId": header})\n'
        '    return {"statusCode": 200}\n',
    )
    analysis = analyze(booking.root)
    for fid in ("NotifyClientFunction", "OnConnectFunction", "OnDisconnectFunction"):
        kept = analysis.function(fid)
        assert kept.verdict == "keep", fid
        assert "OnConnectFunction is kept" in kept.reasons[0].message
    assert analysis.function("ReserveSeatFunction").verdict == "replace"


def test_unreferenced_function_is_kept_but_a_lone_handler_is_classified(
    booking: AppCopy,
) -> None:
    booking.edit_text("statemachine/booking.asl.json", '"Resource": "${ReserveSeatArn}"',
                      '"Resource": "arn:aws:lambda:eu-west-1:123456789012:function:other"')
    booking.edit_text("template.yaml", "        ReserveSeatArn: !GetAtt ReserveSeatFunction.Arn\n",
                      "")
    reserve = analyze(booking.root).function("ReserveSeatFunction")
    assert reserve.verdict == "keep"
    assert "not invoked by a state machine or an API route" in reserve.reasons[0].message
    lone = analyze(booking.root / "functions" / "reserve_seat" / "handler.py")
    (only,) = lone.functions
    assert (only.verdict, only.category) == ("replace", "transport")
