"""POST /upload-url: give the browser a pre-signed S3 URL to upload the ID card picture."""

import json
import os
from typing import Any

import boto3
from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.utilities.typing import LambdaContext
from botocore.config import Config

logger = Logger()
tracer = Tracer()

UPLOAD_BUCKET = os.environ["UPLOAD_BUCKET"]
URL_EXPIRATION_SECONDS = int(os.environ.get("URL_EXPIRATION_SECONDS", "300"))

CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Allow-Methods": "OPTIONS,POST",
}

ALLOWED_CONTENT_TYPES = {
    "image/jpeg": "jpg",
    "image/png": "png",
    "application/pdf": "pdf",
}

# SigV4 is required for buckets with SSE-KMS and in the newer regions.
s3 = boto3.client("s3", config=Config(signature_version="s3v4"))


def _response(status_code: int, payload: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": status_code, "headers": CORS_HEADERS, "body": json.dumps(payload)}


@tracer.capture_method
def build_object_key(request_id: str, content_type: str) -> str:
    extension = ALLOWED_CONTENT_TYPES[content_type]
    return f"uploads/{request_id}.{extension}"


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    body = json.loads(event.get("body") or "{}")
    content_type = body.get("contentType", "image/jpeg")
    if content_type not in ALLOWED_CONTENT_TYPES:
        logger.warning(f"Refusing upload of type {content_type}")
        return _response(400, {"message": f"Unsupported content type: {content_type}"})

    request_id = event["requestContext"]["requestId"]
    key = build_object_key(request_id, content_type)

    # Signing is local: no call to S3 is made here.
    upload_url = s3.generate_presigned_url(
        "put_object",
        Params={"Bucket": UPLOAD_BUCKET, "Key": key, "ContentType": content_type},
        ExpiresIn=URL_EXPIRATION_SECONDS,
    )
    return _response(200, {"uploadUrl": upload_url, "key": key})
