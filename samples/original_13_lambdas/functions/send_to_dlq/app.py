"""Park a registration whose ID card could not be read, for a human to look at.

Invoked asynchronously (InvocationType=Event) by the workflow: the workflow does
not wait for us, so we never fail loudly - we log, and the DLQ alarm does the rest.
"""

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.exceptions import ClientError

logger = Logger()
tracer = Tracer()

QUEUE_URL = os.getenv("DLQ_URL")
if not QUEUE_URL:
    raise RuntimeError("DLQ_URL environment variable is required")

session = boto3.session.Session()
sqs = session.client("sqs")


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> None:
    try:
        sqs.send_message(
            QueueUrl=QUEUE_URL,
            MessageBody=json.dumps(event["request"]),
            MessageAttributes={
                "error": {"DataType": "String", "StringValue": event["error"]["Error"]},
                "cause": {"DataType": "String", "StringValue": event["error"]["Cause"]},
            },
        )
    except ClientError:
        logger.exception("Could not send the request to the dead-letter queue")
        return
    logger.info("Request sent to the dead-letter queue")
