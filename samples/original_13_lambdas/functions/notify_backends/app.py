"""Tell the back-office systems (CRM, KYC, card issuing) that a user was created."""

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()

EVENT_BUS_NAME = os.environ["EVENT_BUS_NAME"]
EVENT_SOURCE = "com.example.bank.accounts"

events = boto3.client("events")


class EventPublishError(Exception):
    """EventBridge accepted the call but rejected the entry."""


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    try:
        response = events.put_events(
            Entries=[
                {
                    "Source": EVENT_SOURCE,
                    "DetailType": "UserCreated",
                    "Detail": json.dumps(event),
                    "EventBusName": EVENT_BUS_NAME,
                }
            ]
        )
    except Exception:
        logger.exception("put_events failed")
        raise

    # PutEvents answers 200 even when an entry is rejected.
    if response["FailedEntryCount"] > 0:
        raise EventPublishError(
            f"UserCreated event rejected: {response['Entries'][0]['ErrorCode']}"
        )

    return {"eventId": response["Entries"][0]["EventId"]}
