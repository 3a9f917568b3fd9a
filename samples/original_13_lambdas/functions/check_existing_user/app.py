"""Refuse the registration when a user with the same first and last name already exists."""

import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from boto3.dynamodb.conditions import Key

logger = Logger()
tracer = Tracer()

USERS_TABLE = os.environ["USERS_TABLE"]
FULLNAME_INDEX = "fullname"

table = boto3.resource("dynamodb").Table(USERS_TABLE)


class UserAlreadyExistsError(Exception):
    """A user with this name is already registered."""


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    applicant = event["applicant"]
    try:
        response = table.query(
            IndexName=FULLNAME_INDEX,
            KeyConditionExpression=Key("lastname").eq(applicant["lastname"])
            & Key("firstname").eq(applicant["firstname"]),
        )
    except Exception:
        logger.exception(f"Query on index {FULLNAME_INDEX} of {USERS_TABLE} failed")
        raise

    if response["Count"] > 0:
        raise UserAlreadyExistsError(
            f"A user named {applicant['firstname']} {applicant['lastname']} already exists"
        )
    return event
