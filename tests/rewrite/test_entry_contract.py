"""An API entry function is replaced only when the integration starts the same execution
(request) and reproduces its answer exactly (response); anything else keeps the function, with
the reason, and never crashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lambdaslim.cli import main

BOOKING = Path(__file__).parents[1] / "fixtures" / "report" / "ticket_booking"
HANDLER = "functions/start_booking/handler.py"
ORIGINAL_RETURN = '    return {"statusCode": 202, "body": json.dumps({"status": "accepted"})}\n'
ORIGINAL_START = "sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=json.dumps(booking))"


def booking_app(tmp_path: Path, returned: str | None = None, start: str | None = None) -> Path:
    root = tmp_path / "ticket_booking"
    shutil.copytree(BOOKING, root)
    handler = root / HANDLER
    text = handler.read_text()
    assert ORIGINAL_RETURN in text and ORIGINAL_START in text
    if returned is not None:
        text = text.replace(ORIGINAL_RETURN, f"    return {returned}\n")
    if start is not None:
        text = text.replace(ORIGINAL_START, start)
    handler.write_text(text)
    return root


def assert_kept_and_untouched(tmp_path: Path, root: Path, reason: str) -> None:
    verdict = entry_verdict(root)
    assert verdict["verdict"] == "keep"
    assert verdict["reasons"][0]["message"] == f"StartBookingFunction: {reason}"
    out = tmp_path / "rewritten"
    result = CliRunner().invoke(main, ["rewrite", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / HANDLER).read_bytes() == (root / HANDLER).read_bytes()


def entry_verdict(root: Path) -> dict:
    result = CliRunner().invoke(main, ["analyze", str(root), "--format", "json", "--no-cache"])
    assert result.exit_code == 0, result.output
    functions = {f["id"]: f for f in json.loads(result.stdout)["functions"]}
    return functions["StartBookingFunction"]


def test_a_constant_answer_is_reproduced(tmp_path: Path) -> None:
    root = booking_app(
        tmp_path, returned='{"statusCode": 202, "headers": {"Cache-Control": "no-store"}, '
        '"body": json.dumps({"status": "accepted"})}')
    assert entry_verdict(root)["category"] == "workflow_entry"


@pytest.mark.parametrize(("returned", "reason"), [
    ('{"statusCode": 202, "body": json.dumps({"seat": booking["seat"]})}',
     "the function's response body is not rebuilt by API Gateway yet"),
    ('{"statusCode": 202, "headers": {"X-Seat": booking["seat"]}, "body": json.dumps({})}',
     "the function's response header 'X-Seat' is computed; only constant headers are "
     "reproduced"),
    ('{"statusCode": 202, "body": "accepted"}',
     "the function's response body is not json.dumps(...) of a value"),
    ('{"statusCode": 202}', "the function's response body is not json.dumps(...) of a value"),
    ('{"statusCode": 202, "isBase64Encoded": False, "body": json.dumps({})}',
     "the function's response sets 'isBase64Encoded', which the API integration does not "
     "reproduce yet"),
    ('{"body": json.dumps({})}', "the function's response status is not a constant number"),
    ("booking", "the function's answer is not a literal response dict"),
], ids=["computed-body", "computed-header", "text-body", "no-body", "extra-key", "no-status",
        "not-a-dict"])
def test_an_answer_the_integration_cannot_reproduce_keeps_the_entry(
    tmp_path: Path, returned: str, reason: str
) -> None:
    assert_kept_and_untouched(tmp_path, booking_app(tmp_path, returned=returned), reason)


@pytest.mark.parametrize("start", [
    "sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=event['body'])",
    "sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=json.dumps(booking),\n"
    "                        name=event['requestContext']['requestId'])",
], ids=["raw-body", "named-after-request"])
def test_an_execution_the_integration_starts_alike_is_replaced(
    tmp_path: Path, start: str
) -> None:
    assert entry_verdict(booking_app(tmp_path, start=start))["category"] == "workflow_entry"


def test_the_request_id_set_in_the_body_and_read_back_is_the_request_id(tmp_path: Path) -> None:
    root = booking_app(
        tmp_path,
        start='booking["requestId"] = event["requestContext"]["requestId"]\n'
              "    sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=json.dumps(booking),\n"
              '                        name=booking["requestId"])',
        returned='{"statusCode": 202, "body": json.dumps({"requestId": booking["requestId"]})}',
    )
    assert entry_verdict(root)["category"] == "workflow_entry"
    out = tmp_path / "rewritten"
    result = CliRunner().invoke(main, ["rewrite", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    template = (out / "template.yaml").read_text()
    assert '\\"requestId\\":\\"$context.requestId\\"}' in template  # set in the input
    assert '{"requestId": "$util.escapeJavaScript($context.requestId)' in template  # answered


INPUT_REASON = ("the function builds the execution input from the request; the API integration "
                "passes the request body on as it is (with at most the request id added)")


@pytest.mark.parametrize(("start", "reason"), [
    ('sfn.start_execution(stateMachineArn=WORKFLOW_ARN,\n'
     '                        input=json.dumps({"order": booking, "source": "api"}))',
     INPUT_REASON),
    ("sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=json.dumps(booking, indent=2))",
     INPUT_REASON),
    ('sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=json.dumps(booking),\n'
     '                        name=booking["bookingId"])',
     "the function names the execution after something other than the request id; the API "
     "integration names it after the request id"),
    ('sfn.start_execution(stateMachineArn=WORKFLOW_ARN, input=json.dumps(booking),\n'
     '                        traceHeader="Root=1-5759e988-bd862e3fe1be46a994272793")',
     "the function passes traceHeader to StartExecution, which the API integration does not "
     "pass"),
], ids=["wrapped-input", "indented-input", "name-from-body", "trace-header"])
def test_an_execution_the_integration_would_start_differently_keeps_the_entry(
    tmp_path: Path, start: str, reason: str
) -> None:
    assert_kept_and_untouched(tmp_path, booking_app(tmp_path, start=start), reason)
