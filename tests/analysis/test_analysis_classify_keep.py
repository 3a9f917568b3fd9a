"""Handlers that must never be replaced: each keeps with a reason naming the deciding line."""

from __future__ import annotations

import pytest
from analysis_support import summarize_text, verdict_of

from lambdaslim.analysis import classify_handler

MUST_KEEP = [
    # (fixture, line, words the reason must contain)
    ("keep_presigned_url", 11, "generate_presigned_url is a local signing operation"),
    ("keep_textract_parsing", 11, "loop over data"),
    ("keep_pagination_loop", 9, "loop over data"),
    ("keep_two_dependent_calls", 11, "2 API calls"),
    ("keep_price_computation", 3, "computation"),
    ("keep_swallowed_error", 8, "does not re-raise"),
    ("keep_dynamic_getattr", 7, "getattr"),
    ("keep_dynamic_client_name", 5, "dynamic client name"),
    ("keep_s3_body_read", 10, "streaming body"),
    ("keep_random_branching", 5, "random"),
    ("keep_datetime_arithmetic", 6, "timedelta"),
    ("keep_other_module_call", 5, "shared.pricing.compute_discount"),
    ("keep_batch_writer", 9, "batch writer"),
    ("keep_sqs_batch_loop", 10, "loop over data"),
    ("keep_aggregate_results", 11, "computation"),
    ("keep_regex_validation", 7, "regular expression"),
    ("keep_event_source_decorator", 4, "decorator @event_source"),
    ("keep_transformed_error", 14, "raises OrderAlreadyExists"),
    ("keep_conditional_call", 7, "branching logic"),
    ("keep_helper_with_loop", 9, "calls local function _normalise"),
    ("keep_context_request_id", 7, "context.aws_request_id"),
    ("keep_ssm_at_import", 5, "import time"),
]


@pytest.mark.parametrize(("name", "line", "words"), MUST_KEEP)
def test_must_keep(catalog, name: str, line: int, words: str) -> None:
    verdict = verdict_of(catalog, name)
    assert verdict.category == "keep"
    assert not verdict.replaceable and verdict.rule_id is None and verdict.integration is None
    assert verdict.decisive_line == line
    first = verdict.reasons[0]
    assert words in first.message and first.line == line
    assert first.file.endswith(f"{name}.py")


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("keep_syntax_error", "syntax error"),
        ("keep_not_utf8", "not valid UTF-8"),
        ("keep_no_handler", "no handler function handler"),
    ],
)
def test_bad_input_keeps_without_raising(catalog, name: str, words: str) -> None:
    verdict = verdict_of(catalog, name)
    assert verdict.category == "keep"
    assert words in verdict.reasons[0].message


def test_unreadable_file_keeps(catalog, tmp_path) -> None:
    from lambdaslim.analysis import analyze_handler_file

    verdict = analyze_handler_file(tmp_path / "missing.py", "handler", catalog)
    assert verdict.category == "keep" and "cannot be read" in verdict.reasons[0].message


@pytest.mark.parametrize(
    ("source", "line", "words"),
    [
        ("import boto3\nc = boto3.client('s3')\ndef handler(event, context):\n"
         "    return c.get_object(Bucket=event['b'], Key=event['k'], Nope=1)\n",
         4, "parameter Nope is not an input of s3.GetObject"),
        ("def handler(event, context):\n    x = event['a']\n    while x:\n        x = x[0]\n"
         "    return x\n", 3, "loop over data"),
        ("import boto3\ns3 = boto3.client('s3')\ndef handler(event, context):\n"
         "    p = s3.get_paginator('list_objects_v2')\n    return {'p': p}\n",
         4, "get_paginator"),
        ("def handler(event, context):\n    if event['a'] == 1:\n        event['b'] = 2\n"
         "    return event\n", 2, "branching logic"),
        ("import uuid\ndef handler(event, context):\n    if str(uuid.uuid4()) > 'm':\n"
         "        raise ValueError('x')\n    return event\n", 3, "uuid"),
        ("async def handler(event, context):\n    return event\n", 1, "async handler"),
        ("def handler(event, context):\n    total = 0\n    total += event['n']\n"
         "    return {'t': total}\n", 3, "computation"),
        ("import boto3\nddb = boto3.client('dynamodb')\ndef handler(event, context):\n"
         "    try:\n        ddb.put_item(TableName='t', Item={})\n    finally:\n"
         "        ddb.delete_item(TableName='t', Key={})\n", 4, "finally"),
    ],
)
def test_inline_keeps(catalog, source: str, line: int, words: str) -> None:
    summary = summarize_text(source)
    verdict = classify_handler(summary, catalog)
    assert verdict.category == "keep"
    assert any(words in r.message and r.line == line for r in verdict.reasons), verdict.reasons
