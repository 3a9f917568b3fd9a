"""The fixture applications of ``tests/fixtures/rewrite`` and hand-written plans for them.

Plans and analyses are written out explicitly (not produced by the planner or the analyzer) so
the rewrite tests only depend on the rewrite. Golden files live in ``expected/<fixture>``; run
with ``LAMBDASLIM_UPDATE_GOLDEN=1`` to write them again after a deliberate change,
then read the diff.
"""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

from lambdaslim.classification import Analysis, FunctionVerdict
from lambdaslim.loading.application import load_application
from lambdaslim.model import Application
from lambdaslim.plan import (
    Connection,
    IamStatement,
    MachineEdit,
    Plan,
    RouteEdit,
    Substitution,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "rewrite"
EMPTY_PLAN = Plan(machines=(), routes=(), removed_functions=())


def load(name: str) -> Application:
    return load_application(FIXTURES / name)


def analysis_of(app: Application, replaced: dict[str, str]) -> Analysis:
    """An analysis where the ``replaced`` functions (id -> category) go and the others stay."""
    verdicts = tuple(
        FunctionVerdict(
            fid, None, None,
            "replace" if fid in replaced else "keep",
            replaced.get(fid, "keep"),
            None, (), (),
        )
        for fid in app.functions
    )
    return Analysis(app, verdicts, ())


def assert_golden(actual: dict[str, str], expected_dir: Path) -> None:
    """``actual`` (relative path -> text) equals the files below ``expected_dir``."""
    if os.environ.get("LAMBDASLIM_UPDATE_GOLDEN"):
        for relative, text in actual.items():
            target = expected_dir / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="")
    written = sorted(
        path.relative_to(expected_dir).as_posix()
        for path in expected_dir.rglob("*") if path.is_file()
    )
    assert sorted(actual) == written
    for relative, text in actual.items():
        assert text == (expected_dir / relative).read_bytes().decode("utf-8"), relative


def cfn_lint_errors(text: str, name: str, tmp_path: Path) -> list[str]:
    """cfn-lint's error lines (``E...``) for a template text; warnings are not errors."""
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "cfnlint", "--format", "parseable", str(path)],
        capture_output=True, text=True, check=False,
    )
    return [line for line in result.stdout.splitlines() if ":E" in line]


# -- orders_sam: SAM, DefinitionUri, OpenAPI REST API, WebSocket callback channel ---------------

ORDERS_REPLACED = {
    "StartOrderFunction": "workflow_entry",
    "SaveOrderFunction": "transport",
    "AuditFunction": "transport",
    "OnConnectFunction": "callback_channel",
    "OnDisconnectFunction": "callback_channel",
    "NotifyClientFunction": "callback_channel",
}


def orders_definition(app: Application) -> dict:
    definition = copy.deepcopy(app.state_machines["OrderWorkflow"].raw_definition)
    states = definition["States"]
    states["Save order"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::dynamodb:putItem",
        "Parameters": {"TableName": "${OrdersTableName}", "Item": {"id": {"S.$": "$.orderId"}}},
        "ResultPath": None,
        "Next": "Audit",
    }
    states["Audit"] = {
        "Type": "Task",
        "Resource": "arn:aws:states:::sqs:sendMessage",
        "Parameters": {"QueueUrl": "${AuditQueueUrl}", "MessageBody.$": "$"},
        "ResultPath": None,
        "Next": "Done",
    }
    del states["Notify client"]
    return definition


def orders_plan(app: Application) -> Plan:
    machine = MachineEdit(
        machine_id="OrderWorkflow",
        definition=orders_definition(app),
        states=(),
        substitutions_added=(
            Substitution("OrdersTableName", {"Ref": "OrdersTable"}),
            Substitution("AuditQueueUrl", {"Ref": "AuditQueue"}),
        ),
        substitutions_removed=("SaveOrderArn", "AuditArn", "NotifyClientArn"),
        statements_added=(
            IamStatement(("dynamodb:PutItem",), ({"Fn::GetAtt": ["OrdersTable", "Arn"]},)),
            IamStatement(("sqs:SendMessage",), ({"Fn::GetAtt": ["AuditQueue", "Arn"]},)),
            IamStatement(
                ("events:RetrieveConnectionCredentials",),
                ({"Fn::GetAtt": ["PaymentsConnection", "Arn"]},),
            ),
            IamStatement(
                ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                ({"Fn::GetAtt": ["PaymentsConnection", "SecretArn"]},),
            ),
        ),
        invoke_removed=("SaveOrderFunction", "AuditFunction", "NotifyClientFunction"),
        new_type="EXPRESS",
        connections=(
            Connection("PaymentsConnection", "https://payments.example.com/v1",
                       "Payments API (no authentication)"),
        ),
    )
    route = RouteEdit(
        api_id="OrdersApi",
        route_key="POST /orders",
        function_id="StartOrderFunction",
        machine_id="OrderWorkflow",
        action="StartSyncExecution",
        request_id_field="orderId",
        success_status=202,
        success_body={"orderId": {"$context": "requestId"}, "status": "accepted"},
        headers={"Access-Control-Allow-Origin": "https://shop.example.com"},
    )
    return Plan(machines=(machine,), routes=(route,), removed_functions=tuple(ORDERS_REPLACED))


# -- flow_cfn: CloudFormation JSON, DefinitionString Fn::Sub, IAM role, ApiGateway::Method -------


def flow_plan() -> Plan:
    definition = {
        "StartAt": "Price",
        "States": {
            "Price": {"Type": "Task", "Resource": "${PriceFunction.Arn}", "Next": "Put"},
            "Put": {
                "Type": "Task",
                "Resource": "arn:aws:states:::dynamodb:putItem",
                "Parameters": {"TableName": "${OrderTableName}", "Item": {"id": {"S.$": "$.id"}}},
                "End": True,
            },
        },
    }
    machine = MachineEdit(
        machine_id="Flow",
        definition=definition,
        states=(),
        substitutions_added=(Substitution("OrderTableName", {"Ref": "OrderTable"}),),
        statements_added=(
            IamStatement(("dynamodb:PutItem",), ({"Fn::GetAtt": ["OrderTable", "Arn"]},)),
        ),
        invoke_removed=("PutOrderFunction",),
    )
    route = RouteEdit(
        api_id="Api",
        route_key="POST /orders",
        function_id="StartFunction",
        machine_id="Flow",
        action="StartExecution",
        request_id_field=None,
        success_status=200,
        success_body={"accepted": True},
    )
    return Plan(
        machines=(machine,), routes=(route,),
        removed_functions=("PutOrderFunction", "StartFunction"),
    )


FLOW_REPLACED = {"PutOrderFunction": "transport", "StartFunction": "workflow_entry"}


# -- inline_sam: inline YAML Definition with comments, shared code folder ------------------------


def inline_plan(app: Application, *, archive_too: bool = False) -> Plan:
    definition = copy.deepcopy(app.state_machines["AgeFlow"].raw_definition)
    archive = definition["States"]["Archive"]
    definition["States"] = {
        "Check age": {
            "Type": "Choice",
            "Choices": [{"Variable": "$.age", "NumericLessThan": 18, "Next": "Too young"}],
            "Default": "Archive",
        },
        "Too young": {"Type": "Fail", "Error": "ValueError", "Cause": "under 18"},
        "Archive": archive,
    }
    removed: tuple[str, ...] = ("CheckAgeFunction",)
    statements: tuple[IamStatement, ...] = ()
    if archive_too:
        definition["States"]["Archive"] = {
            "Type": "Task",
            "Resource": "arn:aws:states:::aws-sdk:s3:putObject",
            "Parameters": {"Bucket": "archive-bucket", "Key.$": "$.id", "Body.$": "$"},
            "End": True,
        }
        removed += ("ArchiveFunction",)
        statements = (IamStatement(("s3:PutObject",), ("arn:aws:s3:::archive-bucket/*",)),)
    machine = MachineEdit(
        machine_id="AgeFlow",
        definition=definition,
        states=(),
        substitutions_removed=("ArchiveArn",) if archive_too else (),
        statements_added=statements,
        invoke_removed=removed,
    )
    return Plan(machines=(machine,), routes=(), removed_functions=removed)
