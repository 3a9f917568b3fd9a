"""Push the outcome of the registration to the browser over the WebSocket API."""

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()

# https://{api-id}.execute-api.{region}.amazonaws.com/{stage}
WEBSOCKET_ENDPOINT = os.environ["WEBSOCKET_ENDPOINT"]

apigateway = boto3.client("apigatewaymanagementapi", endpoint_url=WEBSOCKET_ENDPOINT)


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    message = {
        "requestId": event["requestId"],
        "status": event["status"],
        "detail": event["detail"],
    }
    try:
        apigateway.post_to_connection(
            ConnectionId=event["connectionId"],
            Data=json.dumps(message),
        )
    except Exception:
        logger.exception(f"Could not notify connection {event['connectionId']}")
        raise
    return {"statusCode": 200}
