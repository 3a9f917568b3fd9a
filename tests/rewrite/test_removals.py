"""What goes with the removed functions, and what stays because something kept needs it."""

from __future__ import annotations

from dataclasses import replace

from test_template_changes_plans import (
    FLOW_REPLACED,
    ORDERS_REPLACED,
    analysis_of,
    flow_plan,
    load,
    orders_plan,
)

from lambdaslim.plan import Plan
from lambdaslim.rewrite.removals import plan_removals, removed_resources
from lambdaslim.rewrite.resource_edits import edit_resources, template_source
from lambdaslim.rewrite.template_edit import TemplateEditor


def test_orders_removals_in_template_order() -> None:
    app = load("orders_sam")
    removed = removed_resources(app, analysis_of(app, ORDERS_REPLACED), orders_plan(app))
    assert removed == [
        "StartOrderFunction",
        "SaveOrderFunction",
        "SaveOrderRole",  # only the removed function used it
        "SaveOrderPolicy",  # attached only to that role
        "SaveOrderLogs",  # /aws/lambda/${SaveOrderFunction}
        "AuditFunction",
        "AuditVersion",
        "NotifyApi",  # every route function is a removed callback-channel function
        "ConnectRoute",
        "ConnectIntegration",
        "DisconnectRoute",
        "DisconnectIntegration",
        "NotifyDeployment",
        "NotifyStage",
        "OnConnectFunction",
        "OnDisconnectFunction",
        "NotifyClientFunction",
        "OnConnectPermission",
        "OnDisconnectPermission",
        "LegacyCacheTable",  # used by the removed function and its removed policy only
        "ConnectionsTable",  # used by the removed connect/disconnect functions only
    ]


def test_resources_a_kept_resource_references_stay() -> None:
    app = load("orders_sam")
    removed = removed_resources(app, analysis_of(app, ORDERS_REPLACED), orders_plan(app))
    # OrdersTable: kept functions; AuditQueue: the new substitution; WorkflowLogs: the machine
    assert {"OrdersTable", "AuditQueue", "WorkflowLogs", "OrdersApi"}.isdisjoint(removed)


def test_removed_function_a_kept_resource_references_stays_with_its_resources() -> None:
    """GetOrderFunction is still the /orders/{id} integration: it cannot go."""
    app = load("orders_sam")
    plan = replace(orders_plan(app), removed_functions=("GetOrderFunction", "SaveOrderFunction"))
    replaced = {"GetOrderFunction": "transport", "SaveOrderFunction": "transport"}
    removed = removed_resources(app, analysis_of(app, replaced), plan)
    assert "GetOrderFunction" not in removed
    assert "SaveOrderFunction" in removed


def test_websocket_api_stays_when_one_route_function_stays() -> None:
    """OnDisconnectFunction is kept: the API stays, and so must OnConnectFunction, whose
    integration still points at it."""
    app = load("orders_sam")
    replaced = {fid: c for fid, c in ORDERS_REPLACED.items() if fid != "OnDisconnectFunction"}
    plan = replace(orders_plan(app), removed_functions=tuple(replaced))
    removed = removed_resources(app, analysis_of(app, replaced), plan)
    assert {"NotifyApi", "ConnectIntegration", "OnConnectFunction", "OnConnectPermission",
            "ConnectionsTable"}.isdisjoint(removed)
    assert "NotifyClientFunction" in removed


def test_outputs_and_folders() -> None:
    app = load("orders_sam")
    analysis = analysis_of(app, ORDERS_REPLACED)
    plan = orders_plan(app)
    source = template_source(app)
    assert source is not None
    editor = TemplateEditor.from_text(source[1], source[0])
    edit_resources(editor, app, plan)
    removals = plan_removals(editor.get(()), app, analysis, plan)
    # StartOrderFunctionRole is SAM's generated role of a removed function
    assert removals.outputs == ("NotifyUrl", "SaveOrderFunctionArn", "StartOrderFunctionRole")
    assert "functions/get_order" not in removals.folders


def test_log_group_by_literal_name_and_permission_go() -> None:
    app = load("flow_cfn")
    removed = removed_resources(app, analysis_of(app, FLOW_REPLACED), flow_plan())
    assert removed == ["PutOrderFunction", "PutOrderLogGroup", "StartFunction", "StartPermission"]


def test_nothing_removed_without_removed_functions() -> None:
    app = load("orders_sam")
    assert removed_resources(app, analysis_of(app, {}), Plan((), (), ())) == []
