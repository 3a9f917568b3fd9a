"""`str()` is not the identity: it must stay visible in the IR, or a rewrite changes behaviour."""

from __future__ import annotations

from lambdaslim.analysis import classify_handler, summarize_handler
from lambdaslim.analysis.ir import Concat, EventPath, SdkCall
from lambdaslim.catalog import load_catalog

CATALOG = load_catalog()

NUMBER_ATTRIBUTE = b'''import os
import boto3

ddb = boto3.client("dynamodb")


def handler(event, context):
    ddb.put_item(
        TableName=os.environ["SCORES_TABLE"],
        Item={"player": {"S": event["player"]}, "score": {"N": str(event["score"])}},
    )
    return event
'''

REPR_OF_EVENT = b'''import boto3

bus = boto3.client("events")


def handler(event, context):
    bus.put_events(Entries=[{"Source": "scores", "DetailType": "Scored", "Detail": str(event)}])
    return event
'''


def test_str_of_an_event_value_is_a_text_conversion_and_is_declared() -> None:
    summary = summarize_handler(NUMBER_ATTRIBUTE, "scores.py", "handler")
    (call,) = summary.steps
    assert isinstance(call, SdkCall)
    item = dict(dict(call.params)["Item"].items)
    score = dict(item["score"].items)["N"]
    assert score == Concat((EventPath(("score",)),))
    verdict = classify_handler(summary, CATALOG)
    assert verdict.category == "transport"
    assert [d.line for d in verdict.declared if d.kind == "text_conversion"] == [8]


def test_str_of_the_whole_event_is_python_repr_and_is_kept() -> None:
    verdict = classify_handler(summarize_handler(REPR_OF_EVENT, "emit.py", "handler"), CATALOG)
    assert verdict.category == "keep"
    assert verdict.reasons[0].line == 7
    assert "repr" in verdict.reasons[0].message
