"""Validate the postal address with the French national address API (BAN).

https://adresse.data.gouv.fr/api-doc/adresse - GET /search/?q=...&postcode=...&limit=1
returns a GeoJSON FeatureCollection; each feature has a relevance `score` in [0, 1]
and the normalised postal `label`.
"""

import os
from typing import Any

import requests
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()

ADDRESS_API_URL = os.environ.get("ADDRESS_API_URL", "https://api-adresse.data.gouv.fr/search/")
REQUEST_TIMEOUT_SECONDS = 5
# Below this score the BAN match is a different street, not a typo.
SCORE_THRESHOLD = 0.8


class AddressNotValidError(Exception):
    """The address does not exist according to the address API."""


@tracer.capture_method
def search_address(street: str, city: str, postcode: str) -> dict[str, Any]:
    response = requests.get(
        ADDRESS_API_URL,
        params={"q": f"{street} {city}", "postcode": postcode, "limit": 1},
        timeout=REQUEST_TIMEOUT_SECONDS,
    )
    # 429/5xx raise requests.HTTPError: the state machine retries on it.
    response.raise_for_status()
    return response.json()


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    address = event["address"]
    try:
        result = search_address(address["street"], address["city"], address["postcode"])
    except requests.RequestException:
        logger.exception("Address API call failed")
        raise

    features = result["features"]
    if not features:
        raise AddressNotValidError("Address not found")

    best_match = features[0]["properties"]
    if best_match["score"] < SCORE_THRESHOLD:
        raise AddressNotValidError(
            f"Address not found: best match '{best_match['label']}' "
            f"has score {best_match['score']}"
        )

    event["address"]["label"] = best_match["label"]
    return event
