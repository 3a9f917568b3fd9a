"""Cross-check what the applicant typed in the form with what is printed on the ID card.

The state machine passes the `applicant` object (form fields plus the `idCard`
fields extracted by ExtractIdInfoFunction) and puts our result back in its place.
"""

from typing import Any

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    id_card = event["idCard"]

    # Cards print names in upper case; people type them however they like.
    if event["firstname"].lower() != id_card["firstnames"][0].lower():
        raise ValueError(
            f"First name '{event['firstname']}' does not match the ID card "
            f"('{id_card['firstnames'][0]}')"
        )
    if event["lastname"].lower() != id_card["lastname"].lower():
        raise ValueError(
            f"Last name '{event['lastname']}' does not match the ID card ('{id_card['lastname']}')"
        )
    if event["birthdate"] != id_card["birthdate"]:
        raise ValueError(
            f"Birth date {event['birthdate']} does not match the ID card ({id_card['birthdate']})"
        )

    logger.info("Identity matches the ID card")
    return event
