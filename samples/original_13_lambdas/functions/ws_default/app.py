"""WebSocket $default: echo the message back with the connection id.

The front end sends a first message right after connecting and reads its
connectionId from the echo; it then sends that id with the registration form.
"""

import json
from typing import Any

import boto3
from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request_context = event["requestContext"]
    connection_id = request_context["connectionId"]
    endpoint = f"https://{request_context['domainName']}/{request_context['stage']}"
    client = boto3.client("apigatewaymanagementapi", endpoint_url=endpoint)

    client.post_to_connection(
        ConnectionId=connection_id,
        Data=json.dumps({"connectionId": connection_id, "message": event.get("body")}),
    )
    return {"statusCode": 200}
