"""The order-pipeline SAM app: functions, env links, task links in every form, graphs, APIs."""

import pytest

from lambdaslim.loading import load_application
from lambdaslim.model import Expression, Location, ParameterRef, ResourceRef

APP = "order_pipeline"


@pytest.fixture(scope="module")
def app(load_app):
    return load_app(APP)


def test_application_basics(app):
    assert app.kind == "template"
    assert app.template_file == app.root / "template.yaml"
    assert list(app.functions) == sorted(app.functions)
    assert list(app.resources) == sorted(app.resources)
    assert app.resources["PaymentsQueue"].type == "AWS::SQS::Queue"
    assert app.resources["OrderEventsTopic"].name == "order-events"
    assert app.parameters == {"Stage": "dev", "SupportEmail": None}


def test_globals_apply_and_resource_values_win(app):
    validate = app.functions["ValidateOrderFunction"]
    assert (validate.runtime, validate.handler, validate.memory_mb, validate.timeout_s) == (
        "python3.12",
        "app.lambda_handler",
        256,
        10,
    )
    assert validate.environment["LOG_LEVEL"] == "DEBUG"
    assert validate.environment["POWERTOOLS_SERVICE_NAME"] == "order-pipeline"
    notify = app.functions["NotifyCustomerFunction"]
    assert (notify.memory_mb, notify.handler_function) == (512, "main")
    assert app.functions["ApprovalFunction"].timeout_s == 30


def test_handler_sources_are_resolved(app):
    root = app.root
    validate = app.functions["ValidateOrderFunction"]
    assert validate.code_dir == root / "functions/validate_order"
    assert validate.source_file == root / "functions/validate_order/app.py"
    charge = app.functions["ChargePaymentFunction"]
    assert charge.source_file == root / "functions/payments/charge.py"
    assert charge.handler_function == "handler"
    assert charge.location == Location("template.yaml", 100)


def test_missing_handler_function_is_not_a_load_error(app):
    refund = app.functions["RefundFunction"]
    assert refund.source_file == app.root / "functions/refund/app.py"
    assert refund.handler_function == "handle_refund"


def test_non_python_function_is_modelled_without_source(app):
    audit = app.functions["AuditFunction"]
    assert audit.runtime == "nodejs20.x"
    assert audit.source_file is None and audit.handler_function is None
    assert audit.code_dir == app.root / "functions/audit"


def test_environment_values_resolve_to_references(app):
    env = app.functions["ValidateOrderFunction"].environment
    assert env["TABLE_NAME"] == ResourceRef(
        "OrdersTable", "AWS::DynamoDB::Table", None, {"Ref": "OrdersTable"}
    )
    assert env["TABLE_ARN"] == ResourceRef(
        "OrdersTable", "AWS::DynamoDB::Table", "Arn", {"Fn::GetAtt": ["OrdersTable", "Arn"]}
    )
    assert env["STAGE"] == ParameterRef("Stage", "dev", {"Ref": "Stage"})
    queue = env["QUEUE_URL"]
    assert isinstance(queue, ResourceRef) and queue.logical_id == "PaymentsQueue"
    assert queue.raw == {"Fn::Sub": "${PaymentsQueue}"}
    topic = env["TOPIC_ARN"]
    assert isinstance(topic, Expression)
    assert [ref.logical_id for ref in topic.references] == ["OrderEventsTopic"]
    bus = app.functions["ChargePaymentFunction"].environment["BUS_NAME"]
    assert (bus.logical_id, bus.attribute) == ("OrderBus", "Name")


def test_tables_have_key_schema_and_indexes(app):
    table = app.tables["OrdersTable"]
    assert (table.partition_key.name, table.sort_key.name) == ("pk", "sk")
    by_kind = {
        index.name: (index.kind, index.partition_key.name, index.sort_key.type)
        for index in table.indexes
    }
    assert by_kind == {
        "by-customer": ("global", "customerId", "N"),
        "by-created": ("local", "pk", "N"),
    }


def test_task_links_in_every_form(app):
    links = {link.state_path: (link.function_id, link.form) for link in app.task_links}
    assert links == {
        ("Validate order",): ("ValidateOrderFunction", "arn"),
        ("Reserve stock",): ("ReserveStockFunction", "invoke"),  # SAM alias via !Ref ...Aliaslive
        ("Charge payment",): ("ChargePaymentFunction", "invoke"),  # FunctionName + :$LATEST
        ("Notify and audit", 0, "Notify customer"): ("NotifyCustomerFunction", "invoke_async"),
        ("Notify and audit", 1, "Audit order"): ("AuditFunction", "invoke"),  # plain name
        ("Wait for approval",): ("ApprovalFunction", "wait_for_task_token"),  # Fn::Sub list
        ("Refund lines", "Iterator", "Refund line"): ("RefundFunction", "arn"),  # inline !GetAtt
    }


def test_link_lookups(app):
    function = app.function_for_task("OrderStateMachine", ("Charge payment",))
    assert function is app.functions["ChargePaymentFunction"]
    assert app.function_for_task("OrderStateMachine", ("Record order",)) is None
    [link] = app.tasks_for_function("ApprovalFunction")
    assert link.location == Location("statemachine/order.asl.json", 96)
    assert [route.route_key for route in app.routes_for_function("ValidateOrderFunction")] == [
        "GET /orders/{id}"
    ]


def test_definition_uri_substitutions_become_placeholders(app):
    machine = app.state_machines["OrderStateMachine"]
    assert machine.name == "order-pipeline"
    assert machine.type == "STANDARD"
    assert machine.definition_file == app.root / "statemachine/order.asl.json"
    assert machine.raw_definition["States"]["Validate order"]["Resource"] == (
        "${ValidateOrderFunctionArn}"
    )
    resource = machine.state(("Validate order",))["Resource"]
    assert (
        resource == "arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:ValidateOrderFunction"
    )
    assert machine.placeholders[resource].logical_id == "ValidateOrderFunction"
    table = machine.state(("Record order",))["Parameters"]["TableName"]
    assert machine.placeholders[table] == ResourceRef(
        "OrdersTable", "AWS::DynamoDB::Table", None, {"Ref": "OrdersTable"}
    )
    assert machine.substitutions["OrdersTableName"] == {"Ref": "OrdersTable"}


def test_graph_edges(app):
    graph = app.state_machines["OrderStateMachine"].graph
    edges = {(a[-1], b[-1]): kind for a, b, kind in graph.edges(data="kind")}
    assert edges[("Validate order", "Is order valid?")] == "next"
    assert edges[("Validate order", "Order failed")] == "catch"
    assert edges[("Is order valid?", "Reserve stock")] == "choice"
    assert edges[("Is order valid?", "Order failed")] == "default"
    assert edges[("Notify and audit", "Notify customer")] == "branch"
    node = graph.nodes[("Notify and audit", 1, "Audit order")]
    assert node["parent"] == ("Notify and audit",)
    assert node["location"] == Location("statemachine/order.asl.json", 81)
    refund = app.state_machines["RefundStateMachine"].graph
    assert refund.edges[("Refund lines",), ("Refund lines", "Iterator", "Refund line")]["kind"] == (
        "processor"
    )


def test_inline_definition_state_machine(app):
    machine = app.state_machines["RefundStateMachine"]
    assert (machine.type, machine.role, machine.definition_file) == ("EXPRESS", "RefundRole", None)
    assert machine.definition_location.file == "template.yaml"
    assert machine.graph.nodes[("Check refund",)]["location"] == Location("template.yaml", 184)


def test_choice_without_default_is_a_warning(app):
    [warning] = app.warnings
    assert "Check refund" in warning.message and "Default" in warning.message
    assert warning.location == Location("template.yaml", 184)


def test_implicit_rest_api_from_events(app):
    api = app.apis["ServerlessRestApi"]
    assert api.implicit and api.protocol == "REST"
    routes = {route.route_key: route for route in api.routes}
    assert routes["GET /orders/{id}"].target_function == "ValidateOrderFunction"
    start = routes["POST /refunds"]
    assert (start.target_state_machine, start.service_action) == (
        "RefundStateMachine",
        "states:StartExecution",
    )


def test_loading_is_deterministic(apps_dir):
    first, second = (load_application(apps_dir / APP) for _ in range(2))
    assert first.functions == second.functions
    assert first.task_links == second.task_links
    assert first.warnings == second.warnings
    assert list(first.state_machines["OrderStateMachine"].graph.edges(data=True)) == list(
        second.state_machines["OrderStateMachine"].graph.edges(data=True)
    )
