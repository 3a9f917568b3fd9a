"""Extract the identity fields printed on a French national ID card.

Textract (FORMS) returns KEY_VALUE_SET blocks: a KEY block points to its VALUE
block, and both point to the WORD blocks that hold the text. We rebuild the
key -> value pairs and pick the ones we need.
"""

import os
import unicodedata
from datetime import datetime
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext

logger = Logger()
tracer = Tracer()

UPLOAD_BUCKET = os.environ["UPLOAD_BUCKET"]

textract = boto3.client("textract")

# Normalised key label (no accents, no punctuation, lower case) -> field.
# Old-format cards say "Nom :", "Prénom(s):", "Né(e) le :"; the 2021 cards
# say "NOM", "Prénoms", "Date de naiss.".
FIELD_LABELS = {
    "nom": "lastname",
    "prenoms": "firstnames",
    "prenom": "firstnames",
    "nee le": "birthdate",
    "ne le": "birthdate",
    "date de naiss": "birthdate",
    "date de naissance": "birthdate",
}
REQUIRED_FIELDS = ("firstnames", "lastname", "birthdate")
BIRTHDATE_FORMATS = ("%d %m %Y", "%d.%m.%Y", "%d/%m/%Y")


class IdCardExtractionError(Exception):
    """The document is not a readable ID card."""


def _normalise_label(text: str) -> str:
    ascii_text = (
        unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    )
    cleaned = "".join(c if c.isalnum() or c.isspace() else " " for c in ascii_text)
    words = cleaned.split()
    # "Né(e) le" -> "ne e le" -> "nee le"; "Prénom(s)" -> "prenom s" -> "prenoms"
    joined = " ".join(words).replace("ne e ", "nee ").replace("prenom s", "prenoms")
    return joined.strip()


def _text_of(block: dict[str, Any], blocks_by_id: dict[str, dict[str, Any]]) -> str:
    words = []
    for relationship in block.get("Relationships", []):
        if relationship["Type"] != "CHILD":
            continue
        for child_id in relationship["Ids"]:
            child = blocks_by_id[child_id]
            if child["BlockType"] == "WORD":
                words.append(child["Text"])
    return " ".join(words)


def _key_values(blocks: list[dict[str, Any]]) -> dict[str, str]:
    blocks_by_id = {block["Id"]: block for block in blocks}
    pairs: dict[str, str] = {}
    for block in blocks:
        if block["BlockType"] != "KEY_VALUE_SET" or "KEY" not in block.get("EntityTypes", []):
            continue
        key = _text_of(block, blocks_by_id)
        values = [
            _text_of(blocks_by_id[value_id], blocks_by_id)
            for relationship in block.get("Relationships", [])
            if relationship["Type"] == "VALUE"
            for value_id in relationship["Ids"]
        ]
        if key:
            pairs[key] = " ".join(v for v in values if v)
    return pairs


def _parse_birthdate(raw: str) -> str:
    for fmt in BIRTHDATE_FORMATS:
        try:
            return datetime.strptime(raw.strip(), fmt).date().isoformat()
        except ValueError:
            continue
    raise IdCardExtractionError(f"Unreadable birth date on ID card: {raw!r}")


@tracer.capture_method
def extract_identity(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    fields: dict[str, str] = {}
    for key, value in _key_values(blocks).items():
        field = FIELD_LABELS.get(_normalise_label(key))
        if field and value and field not in fields:
            fields[field] = value

    missing = [name for name in REQUIRED_FIELDS if name not in fields]
    if missing:
        raise IdCardExtractionError(f"Missing fields on ID card: {', '.join(missing)}")

    return {
        "firstnames": [name for name in fields["firstnames"].replace(",", " ").split() if name],
        "lastname": fields["lastname"],
        "birthdate": _parse_birthdate(fields["birthdate"]),
    }


@logger.inject_lambda_context(log_event=True)
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    key = event["idcard"]
    logger.append_keys(request_id=event.get("requestId"), object_key=key)

    try:
        response = textract.analyze_document(
            Document={"S3Object": {"Bucket": UPLOAD_BUCKET, "Name": key}},
            FeatureTypes=["FORMS"],
        )
    except Exception:
        logger.exception("Textract could not analyze the document")
        raise

    identity = extract_identity(response["Blocks"])
    logger.info("Identity extracted from ID card", extra={"fields": sorted(identity)})
    return identity
