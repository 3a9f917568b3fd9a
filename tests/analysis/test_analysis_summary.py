"""Exact IR for a few handlers, and the name-resolution styles the summary must follow."""

from __future__ import annotations

from analysis_support import summarize_text, summary_of

from lambdaslim.analysis.ir import (
    Assign,
    CallResult,
    Compare,
    Concat,
    ConditionExpr,
    Const,
    DictExpr,
    EnvRef,
    ErrorHandling,
    EventPath,
    Generated,
    Guard,
    HttpCall,
    JsonDumps,
    KeyCondition,
    ListExpr,
    Not,
    SdkCall,
    StrCase,
    Truthy,
)


def test_client_call_at_module_level_with_powertools() -> None:
    summary = summary_of("transport_sqs_client_module")
    assert summary.steps == (
        SdkCall(
            service="sqs",
            operation="SendMessage",
            method="send_message",
            params=(
                ("QueueUrl", EnvRef("FULFILMENT_QUEUE_URL", required=True)),
                ("MessageBody", JsonDumps(EventPath(("detail",)))),
                ("MessageGroupId", EventPath(("detail", "customerId"))),
            ),
            api_style="client",
            line=23,
            result_var="response",
        ),
    )
    assert summary.returns == DictExpr((("messageId", CallResult(0, ("MessageId",))),))
    assert summary.error_handling == (ErrorHandling("transparent", 22, ("Exception",)),)
    assert summary.decorators == (
        "logger.inject_lambda_context(log_event=True)",
        "tracer.capture_lambda_handler",
        "metrics.log_metrics(capture_cold_start_metric=True)",
    )
    assert summary.line == 21 and summary.returns_line == 33
    assert summary.params == ("event", "context")
    assert summary.unknowns == ()


def test_resource_table_put_item_with_fstrings() -> None:
    summary = summary_of("transport_dynamodb_resource", "lambda_handler")
    (call,) = summary.steps
    assert isinstance(call, SdkCall)
    assert (call.service, call.operation, call.api_style) == ("dynamodb", "PutItem", "resource")
    assert call.target == EnvRef("ORDERS_TABLE", required=True)
    assert call.params == (
        ("Item", DictExpr((
            ("pk", Concat((Const("CUSTOMER#"), EventPath(("order", "customerId"))))),
            ("sk", Concat((Const("ORDER#"), EventPath(("order", "orderId"))))),
            ("status", Const("RECEIVED")),
            ("total", EventPath(("order", "total"))),
        ))),
    )
    assert summary.returns == EventPath(())


def test_session_alias_and_getenv_inside_handler() -> None:
    summary = summary_of("transport_sns_session_alias")
    (call,) = summary.steps
    assert isinstance(call, SdkCall)
    assert (call.service, call.operation) == ("sns", "Publish")
    assert dict(call.params)["TopicArn"] == EnvRef("ALERTS_TOPIC_ARN")
    assert dict(call.params)["Subject"] == Concat((Const("Alarm "), EventPath(("alarmName",))))
    assert call.client_config == (("region_name", EnvRef("AWS_REGION", required=True)),)
    assert set(summary.env_vars_read) == {"AWS_REGION", "ALERTS_TOPIC_ARN"}


def test_from_import_alias_and_guard_before_the_call() -> None:
    summary = summary_of("transport_events_from_import")
    guard, call = summary.steps
    assert guard == Guard(
        Compare("not in", Const("invoiceId"), EventPath(())), "ValueError",
        Const("invoiceId is required"), 15,
    )
    assert isinstance(call, SdkCall) and call.operation == "PutEvents"
    entries = dict(call.params)["Entries"]
    assert isinstance(entries, ListExpr)
    assert dict(entries.items[0].items)["EventBusName"] == EnvRef(  # type: ignore[union-attr]
        "EVENT_BUS_NAME", Const("default")
    )
    assert summary.returns is None  # falls off the end: the function returns null


def test_lru_cached_factory_and_generated_uuid() -> None:
    summary = summary_of("transport_sfn_lru_factory")
    (call,) = summary.steps
    assert isinstance(call, SdkCall)
    assert (call.service, call.operation) == ("stepfunctions", "StartExecution")
    assert dict(call.params)["name"] == Generated("uuid", 20, "uuid4")
    assert call.client_config[0][0] == "config"


def test_lazy_global_client_and_helper_building_the_key() -> None:
    summary = summary_of("transport_helper_key")
    (call,) = summary.steps
    assert isinstance(call, SdkCall) and call.operation == "DeleteItem"
    assert dict(call.params)["Key"] == DictExpr((
        ("pk", DictExpr((("S", Concat((Const("USER#"), EventPath(("userId",))))),))),
        ("sk", DictExpr((("S", Concat((Const("SESSION#"), EventPath(("sessionId",))))),))),
    ))


def test_pynamodb_save_is_a_put_item_on_the_model_table() -> None:
    summary = summary_of("transport_pynamodb_save")
    (call,) = summary.steps
    assert call == SdkCall(
        "dynamodb", "PutItem", "save",
        (("Item", DictExpr((("email", EventPath(("email",))),
                            ("planName", EventPath(("plan",)))))),),
        "pynamodb", 16, target=EnvRef("SUBSCRIPTIONS_TABLE", required=True),
    )


def test_key_condition_objects() -> None:
    summary = summary_of("query_key_condition")
    call, guard = summary.steps
    assert isinstance(call, SdkCall)
    assert dict(call.params)["KeyConditionExpression"] == ConditionExpr("and", (
        KeyCondition("Key", "pk", "eq", (EventPath(("tenant",)),)),
        KeyCondition("Key", "sk", "begins_with", (Const("USER#"),)),
    ))
    assert isinstance(guard, Guard)
    assert guard.condition == Compare("==", CallResult(0, ("Count",)), Const(0))
    assert guard.error == "LookupError"


def test_guards_with_case_change_and_custom_errors() -> None:
    summary = summary_of("decision_guards")
    first, second = summary.steps
    assert first == Guard(
        Compare("not in", StrCase(EventPath(("payment", "country")), "upper"),
                ListExpr((Const("FR"), Const("DE"), Const("ES")))),
        "CountryNotSupported",
        Concat((Const("country "), EventPath(("payment", "country")),
                Const(" is not supported"))),
        20,
    )
    assert isinstance(second, Guard) and second.error == "AmountTooHigh"
    assert summary.exception_classes == ("CountryNotSupported", "AmountTooHigh")


def test_http_call_with_raise_for_status_and_assign() -> None:
    summary = summary_of("http_requests_post")
    call, guard, assign = summary.steps
    assert call == HttpCall(
        "requests", "POST", EnvRef("SCORING_URL", required=True), 13,
        headers=DictExpr((("Accept", Const("application/json")),)),
        json_body=DictExpr((("customer", EventPath(("customerId",))),
                            ("amount", EventPath(("amount",))))),
        timeout=Const(10), raises_for_status=True, result_var="response",
    )
    assert guard == Guard(Compare(">", CallResult(0, ("json", "score")), Const(80)),
                          "RiskTooHigh", Const("risk score too high"), 21)
    assert assign == Assign(("riskScore",), CallResult(0, ("json", "score")), 23)
    assert summary.returns == EventPath(())


def test_truthiness_and_get() -> None:
    summary = summary_of("query_get_item")
    _, guard = summary.steps
    assert isinstance(guard, Guard)
    assert guard.condition == Not(Truthy(CallResult(0, ("Item",), optional=True)))
    assert summary.returns == CallResult(0, ("Item",), optional=True)


def test_one_line_guard_env_default_and_local_dict_mutation() -> None:
    summary = summarize_text(
        "import os, json\n"
        "STAGE = os.environ.get('STAGE', 'dev')\n"
        "def handler(event, context):\n"
        "    if not event.get('id'): raise ValueError('id')\n"
        "    body = {'id': event['id']}\n"
        "    body['stage'] = STAGE\n"
        "    return {'body': json.dumps(body)}\n"
    )
    assert summary.steps == (
        Guard(Not(Truthy(EventPath(("id",), optional=True))), "ValueError", Const("id"), 4),
    )
    assert summary.returns == DictExpr((("body", JsonDumps(DictExpr((
        ("id", EventPath(("id",))), ("stage", EnvRef("STAGE", Const("dev"))),
    )))),))


def test_value_read_before_the_event_changes_is_not_the_new_value() -> None:
    summary = summarize_text(
        "def handler(event, context):\n"
        "    old = event['status']\n"
        "    event['status'] = 'DONE'\n"
        "    return {'previous': old}\n"
    )
    assert summary.unknowns and summary.unknowns[0].reason.startswith("old was read before")
