"""Handlers that a direct integration or a Choice state can replace, in several styles."""

from __future__ import annotations

import pytest
from analysis_support import summarize_text, verdict_of

from lambdaslim.analysis import classify_handler


@pytest.mark.parametrize(
    ("name", "function", "category", "rule_id", "integration"),
    [
        ("transport_sqs_client_module", "handler", "transport", "LS105",
         "arn:aws:states:::sqs:sendMessage"),
        ("transport_dynamodb_resource", "lambda_handler", "transport", "LS101",
         "arn:aws:states:::dynamodb:putItem"),
        ("transport_sns_session_alias", "handler", "transport", "LS106",
         "arn:aws:states:::sns:publish"),
        ("transport_events_from_import", "handler", "transport", "LS107",
         "arn:aws:states:::events:putEvents"),
        ("transport_sfn_lru_factory", "handler", "transport", "LS108",
         "arn:aws:states:::states:startExecution"),
        ("transport_update_in_handler_client", "handler", "transport", "LS103",
         "arn:aws:states:::dynamodb:updateItem"),
        ("transport_pynamodb_save", "handler", "transport", "LS101",
         "arn:aws:states:::dynamodb:putItem"),
        ("transport_helper_key", "handler", "transport", "LS104",
         "arn:aws:states:::dynamodb:deleteItem"),
        ("query_get_item", "handler", "query_decision", "LS202",
         "arn:aws:states:::dynamodb:getItem"),
        ("query_key_condition", "handler", "query_decision", "LS202",
         "arn:aws:states:::aws-sdk:dynamodb:query"),
        ("decision_guards", "handler", "decision", "LS201", None),
        ("decision_return_part", "handler", "decision", "LS201", None),
        ("http_requests_post", "handler", "http", "LS301", "arn:aws:states:::http:invoke"),
        ("http_httpx_get", "handler", "http", "LS301", "arn:aws:states:::http:invoke"),
    ],
)
def test_replaceable_handlers(catalog, name, function, category, rule_id, integration) -> None:
    verdict = verdict_of(catalog, name, function)
    assert verdict.category == category, verdict.reasons
    assert verdict.rule_id == rule_id
    if integration is not None:
        assert verdict.integration == integration
    assert verdict.replaceable and verdict.reasons and verdict.decisive_line


def test_transport_exposes_the_sdk_rule_and_declares_differences(catalog) -> None:
    verdict = verdict_of(catalog, "transport_sfn_lru_factory")
    assert verdict.call_rule_id == "LS108"
    assert verdict.sdk_call is not None
    assert (verdict.sdk_call.service, verdict.sdk_call.operation) == (
        "stepfunctions", "StartExecution")
    kinds = {d.kind for d in verdict.declared}
    assert {"generated", "json_serialisation", "client_config"} <= kinds


def test_query_decision_names_the_sdk_rule(catalog) -> None:
    verdict = verdict_of(catalog, "query_get_item")
    assert verdict.call_rule_id == "LS102"
    assert verdict.needs_jsonata  # Python truthiness of the item


def test_case_insensitive_guard_needs_jsonata(catalog) -> None:
    assert verdict_of(catalog, "decision_guards").needs_jsonata
    assert not verdict_of(catalog, "transport_dynamodb_resource", "lambda_handler").needs_jsonata


def test_swallowed_error_is_fine_when_invoked_asynchronously(catalog) -> None:
    sync = verdict_of(catalog, "keep_swallowed_error")
    async_ = verdict_of(catalog, "keep_swallowed_error", invoked_async=True)
    assert sync.category == "keep"
    assert async_.category == "transport"
    assert "async_errors" in {d.kind for d in async_.declared}


def test_apigateway_post_to_connection_is_exposed_for_the_callback_channel(catalog) -> None:
    summary = summarize_text(
        "import json, os, boto3\n"
        "api = boto3.client('apigatewaymanagementapi', endpoint_url=os.environ['WS_URL'])\n"
        "def handler(event, context):\n"
        "    api.post_to_connection(ConnectionId=event['cid'], Data=json.dumps(event))\n"
    )
    verdict = classify_handler(summary, catalog)
    assert verdict.category == "keep"  # the endpoint is decided by the lead's context rule
    assert verdict.sdk_call is not None
    assert verdict.sdk_call.operation == "PostToConnection"
    assert "endpoint_url" in verdict.reasons[0].message
