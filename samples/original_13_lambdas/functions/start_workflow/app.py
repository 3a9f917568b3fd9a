"""POST /user: start the account-creation workflow for a registration form.

The API Gateway request id is the correlation id of the whole process: it is
returned to the browser (which is waiting on the WebSocket for the outcome),
it names the execution and it becomes the id of the created user.
"""

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()

STATE_MACHINE_ARN = os.environ["STATE_MACHINE_ARN"]

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Allow-Methods": "OPTIONS,POST",
}

sfn = boto3.client("stepfunctions")


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = json.loads(event["body"])
    request_id = event["requestContext"]["requestId"]
    body["requestId"] = request_id

    try:
        execution = sfn.start_execution(
            stateMachineArn=STATE_MACHINE_ARN,
            name=request_id,
            input=json.dumps(body),
        )
    except Exception:
        logger.exception("Could not start the account creation workflow")
        raise

    logger.info(f"Started execution {execution['executionArn']}")
    return {
        "statusCode": 202,
        "headers": CORS_HEADERS,
        "body": json.dumps({"requestId": request_id}),
    }
