"""Create the user once every input check passed."""

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()

TABLE_NAME = os.environ["USERS_TABLE"]

dynamodb = boto3.resource("dynamodb")
users_table = dynamodb.Table(TABLE_NAME)


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applicant = event["checked"]["applicant"]
    address = event["checked"]["address"]
    user = {
        # The API request id follows the request end to end; it is the user id.
        "id": event["requestId"],
        "firstname": applicant["firstname"],
        "lastname": applicant["lastname"],
        "birthdate": applicant["birthdate"],
        "email": applicant["email"],
        "address": {
            "street": address["street"],
            "postcode": address["postcode"],
            "city": address["city"],
            "country": address["country"],
            "label": address["label"],
        },
        "idcard": event["idcard"],
        "status": "ACTIVE",
    }

    try:
        users_table.put_item(Item=user)
    except Exception:
        logger.exception("Could not store the user")
        raise

    logger.info(f"User {user['id']} created")
    return user
