"""Each handler of the reference sample, run against moto: happy path and important error paths."""

from __future__ import annotations

import copy
import json
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from botocore.stub import Stubber
from sample_support import (
    ADDRESS_API_URL,
    FIXTURES_DIR,
    REGION,
    STAGE,
    WEBSOCKET_API_ID,
    FakeAddressApi,
    FakeLambdaContext,
    SampleStack,
    load_handler_module,
    load_json,
)

REQUEST_ID = "0b1e4d2a-6c3f-4f5e-8a7b-9d2c1e3f4a5b"
CONNECTION_ID = "L0SM9cOFvHcCIhw="
ID_CARD_KEY = "uploads/3f2d8c1a-5b4e-4e7a-9f60-2c8d1b7e9a41.jpg"


def registration() -> dict[str, Any]:
    """The workflow input: POST /user body plus the request id added by StartWorkflowFunction."""
    return {
        "requestId": REQUEST_ID,
        "connectionId": CONNECTION_ID,
        "idcard": ID_CARD_KEY,
        "applicant": {
            "firstname": "Corinne",
            "lastname": "Berthier",
            "birthdate": "1965-12-06",
            "email": "corinne.berthier@example.fr",
        },
        "address": {
            "street": "50 avenue des Champs Élysées",
            "postcode": "75008",
            "city": "Paris",
            "country": "FR",
        },
    }


def ban_response(label: str, score: float) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "version": "draft",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [2.306899, 48.870371]},
                "properties": {"label": label, "score": score, "postcode": "75008"},
            }
        ],
        "query": "50 avenue des Champs Élysées Paris",
        "filters": {"postcode": "75008"},
        "limit": 1,
    }


# --------------------------------------------------------------------------- API functions


def test_start_workflow_starts_an_execution_named_after_the_request(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("start_workflow")
    body = {key: value for key, value in registration().items() if key != "requestId"}
    event = {
        "resource": "/user",
        "httpMethod": "POST",
        "body": json.dumps(body),
        "requestContext": {"requestId": REQUEST_ID, "stage": STAGE},
    }

    response = app.lambda_handler(event, lambda_context)

    assert response["statusCode"] == 202
    assert json.loads(response["body"]) == {"requestId": REQUEST_ID}
    assert response["headers"]["Access-Control-Allow-Origin"] == "*"
    sfn = boto3.client("stepfunctions", region_name=REGION)
    executions = sfn.list_executions(stateMachineArn=stack.state_machine_arn)["executions"]
    assert [e["name"] for e in executions] == [REQUEST_ID]
    started = sfn.describe_execution(executionArn=executions[0]["executionArn"])
    assert json.loads(started["input"]) == registration()


def test_presigned_url_signs_a_put_for_the_upload_bucket(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("presigned_url")
    event = {
        "body": json.dumps({"contentType": "image/png"}),
        "requestContext": {"requestId": "5e5e5e5e-1111-4222-8333-944444444444"},
    }

    response = app.lambda_handler(event, lambda_context)

    assert response["statusCode"] == 200
    payload = json.loads(response["body"])
    assert payload["key"] == "uploads/5e5e5e5e-1111-4222-8333-944444444444.png"
    url = urlsplit(payload["uploadUrl"])
    assert stack.upload_bucket in url.netloc + url.path
    assert url.path.endswith("/uploads/5e5e5e5e-1111-4222-8333-944444444444.png")
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == ["300"]
    assert "content-type" in query["X-Amz-SignedHeaders"][0]


def test_presigned_url_refuses_unsupported_content_types(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("presigned_url")
    event = {
        "body": json.dumps({"contentType": "text/html"}),
        "requestContext": {"requestId": "r-1"},
    }
    response = app.lambda_handler(event, lambda_context)
    assert response["statusCode"] == 400
    assert "text/html" in json.loads(response["body"])["message"]


# --------------------------------------------------------------------------- ID card


def _stub_textract(app: Any, response: dict[str, Any], bucket: str) -> Stubber:
    stubber = Stubber(app.textract)
    stubber.add_response(
        "analyze_document",
        response,
        {
            "Document": {"S3Object": {"Bucket": bucket, "Name": ID_CARD_KEY}},
            "FeatureTypes": ["FORMS"],
        },
    )
    stubber.activate()
    return stubber


def _identity_from_mrz(textract_response: dict[str, Any]) -> dict[str, Any]:
    """Independent oracle: read the card's machine-readable zone from the LINE blocks.

    French ID card MRZ (two lines of 36): line 1 `IDFRA` + surname padded with `<`;
    line 2 card number (12) + check digit + first names + birth date YYMMDD + ...
    """
    lines = [b["Text"] for b in textract_response["Blocks"] if b["BlockType"] == "LINE"]
    start = next(i for i, line in enumerate(lines) if line.startswith("IDFRA"))
    line1 = lines[start]
    # Textract may cut the second MRZ line in pieces: glue what follows line 1.
    second = "".join(line for line in lines[start + 1 :] if re.fullmatch(r"[0-9A-Z<]+", line))
    surname = line1[5:].split("<")[0]
    firstnames = re.match(r"\d{13}([A-Z]+)", second)
    birth = re.search(r"<(\d{6})\d[MF]", second)
    assert firstnames and birth, (lines, second)
    yy, mm, dd = birth.group(1)[:2], birth.group(1)[2:4], birth.group(1)[4:]
    return {
        "firstnames": [firstnames.group(1)],
        "lastname": surname,
        "birthdate": f"19{yy}-{mm}-{dd}",
    }


def test_extract_id_info_reads_the_real_id_card_response(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    textract_response = load_json(FIXTURES_DIR / "analyze_document_id_card.json")
    app = load_handler_module("extract_id_info")
    stubber = _stub_textract(app, textract_response, stack.upload_bucket)

    identity = app.lambda_handler(registration(), lambda_context)

    stubber.assert_no_pending_responses()
    assert identity == _identity_from_mrz(textract_response)
    assert identity == {
        "firstnames": ["CORINNE"],
        "lastname": "BERTHIER",
        "birthdate": "1965-12-06",
    }


def test_extract_id_info_rejects_a_document_that_is_not_an_id_card(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    textract_response = load_json(FIXTURES_DIR / "analyze_document_not_an_id_card.json")
    app = load_handler_module("extract_id_info")
    _stub_textract(app, textract_response, stack.upload_bucket)

    with pytest.raises(app.IdCardExtractionError) as raised:
        app.lambda_handler(registration(), lambda_context)

    assert type(raised.value).__name__ == "IdCardExtractionError"
    assert str(raised.value) == "Missing fields on ID card: firstnames, lastname, birthdate"


def test_extract_id_info_lets_textract_errors_through(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("extract_id_info")
    stubber = Stubber(app.textract)
    stubber.add_client_error("analyze_document", "InvalidS3ObjectException", http_status_code=400)
    stubber.activate()
    with pytest.raises(app.textract.exceptions.InvalidS3ObjectException):
        app.lambda_handler(registration(), lambda_context)


# --------------------------------------------------------------------------- identity


def _applicant_with_card(**form: str) -> dict[str, Any]:
    applicant = {**registration()["applicant"], **form}
    applicant["idCard"] = {
        "firstnames": ["CORINNE"],
        "lastname": "BERTHIER",
        "birthdate": "1965-12-06",
    }
    return applicant


def test_cross_check_identity_accepts_matching_names_whatever_the_case(
    lambda_context: FakeLambdaContext, aws_credentials: None
) -> None:
    app = load_handler_module("cross_check_identity")
    event = _applicant_with_card(firstname="corinne", lastname="BerThier")
    assert app.lambda_handler(copy.deepcopy(event), lambda_context) == event


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"firstname": "Corinna"}, "First name 'Corinna' does not match the ID card ('CORINNE')"),
        ({"lastname": "Bertier"}, "Last name 'Bertier' does not match the ID card ('BERTHIER')"),
        (
            {"birthdate": "1965-06-12"},
            "Birth date 1965-06-12 does not match the ID card (1965-12-06)",
        ),
    ],
)
def test_cross_check_identity_names_the_mismatching_field(
    lambda_context: FakeLambdaContext, aws_credentials: None, form: dict[str, str], message: str
) -> None:
    app = load_handler_module("cross_check_identity")
    with pytest.raises(ValueError) as raised:
        app.lambda_handler(_applicant_with_card(**form), lambda_context)
    assert str(raised.value) == message


# --------------------------------------------------------------------------- address


def test_validate_address_adds_the_normalised_label(
    stack: SampleStack, address_api: FakeAddressApi, lambda_context: FakeLambdaContext
) -> None:
    ban = load_json(FIXTURES_DIR.parent / "happy_path.json")["fixtures"]["http"][0]
    address_api.responses.append(ban["responses"][0])
    app = load_handler_module("validate_address")

    result = app.lambda_handler(registration(), lambda_context)

    expected = registration()
    expected["address"]["label"] = "50 Avenue des Champs Elysées 75008 Paris"
    assert result == expected
    assert len(address_api.calls) == 1
    assert address_api.calls[0]["url"] == ADDRESS_API_URL
    assert address_api.sent_query(0) == {
        "q": "50 avenue des Champs Élysées Paris",
        "postcode": "75008",
        "limit": "1",
    }
    assert address_api.sent_query(0) == ban["query"]
    assert address_api.calls[0]["kwargs"].get("timeout")


def test_validate_address_accepts_a_score_at_the_threshold(
    stack: SampleStack, address_api: FakeAddressApi, lambda_context: FakeLambdaContext
) -> None:
    address_api.responses.append({"status": 200, "json": ban_response("50 Av X 75008 Paris", 0.8)})
    app = load_handler_module("validate_address")
    assert app.lambda_handler(registration(), lambda_context)["address"]["label"] == (
        "50 Av X 75008 Paris"
    )


def test_validate_address_rejects_a_low_score(
    stack: SampleStack, address_api: FakeAddressApi, lambda_context: FakeLambdaContext
) -> None:
    address_api.responses.append(
        {"status": 200, "json": ban_response("Rue de Penthièvre 75008 Paris", 0.48127)}
    )
    app = load_handler_module("validate_address")
    with pytest.raises(app.AddressNotValidError) as raised:
        app.lambda_handler(registration(), lambda_context)
    assert str(raised.value) == (
        "Address not found: best match 'Rue de Penthièvre 75008 Paris' has score 0.48127"
    )


def test_validate_address_rejects_an_address_without_match(
    stack: SampleStack, address_api: FakeAddressApi, lambda_context: FakeLambdaContext
) -> None:
    empty = {**ban_response("unused", 1.0), "features": []}
    address_api.responses.append({"status": 200, "json": empty})
    app = load_handler_module("validate_address")
    with pytest.raises(app.AddressNotValidError, match=r"^Address not found$"):
        app.lambda_handler(registration(), lambda_context)


def test_validate_address_raises_http_error_on_503(
    stack: SampleStack, address_api: FakeAddressApi, lambda_context: FakeLambdaContext
) -> None:
    address_api.responses.append({"status": 503, "json": {"code": 503}})
    app = load_handler_module("validate_address")
    with pytest.raises(requests.HTTPError) as raised:
        app.lambda_handler(registration(), lambda_context)
    # The state machine retries on the error *name*: it must stay "HTTPError".
    assert type(raised.value).__name__ == "HTTPError"


# --------------------------------------------------------------------------- users


def test_check_existing_user_passes_the_event_through_for_a_new_user(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    # Same last name, other first name: not the same person.
    stack.seed_users([{"id": "u-1", "firstname": "Paul", "lastname": "Berthier"}])
    app = load_handler_module("check_existing_user")
    event = registration()
    assert app.lambda_handler(copy.deepcopy(event), lambda_context) == event


def test_check_existing_user_refuses_a_known_name(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    stack.seed_users([{"id": "u-1", "firstname": "Corinne", "lastname": "Berthier"}])
    app = load_handler_module("check_existing_user")
    with pytest.raises(app.UserAlreadyExistsError) as raised:
        app.lambda_handler(registration(), lambda_context)
    assert str(raised.value) == "A user named Corinne Berthier already exists"


def test_create_user_stores_and_returns_the_user(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("create_user")
    event = registration()
    event["checked"] = {
        "applicant": {**event["applicant"], "idCard": {"lastname": "BERTHIER"}},
        "address": {**event["address"], "label": "50 Avenue des Champs Elysées 75008 Paris"},
    }

    user = app.lambda_handler(event, lambda_context)

    assert user == {
        "id": REQUEST_ID,
        "firstname": "Corinne",
        "lastname": "Berthier",
        "birthdate": "1965-12-06",
        "email": "corinne.berthier@example.fr",
        "address": event["checked"]["address"],
        "idcard": ID_CARD_KEY,
        "status": "ACTIVE",
    }
    assert stack.users() == [user]


def test_create_user_needs_its_table_name_at_import(
    stack: SampleStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("USERS_TABLE")
    with pytest.raises(KeyError, match="USERS_TABLE"):
        load_handler_module("create_user")


# --------------------------------------------------------------------------- DLQ


def _dlq_event() -> dict[str, Any]:
    cause = {
        "errorMessage": "Missing fields on ID card: lastname",
        "errorType": "IdCardExtractionError",
    }
    return {
        "request": registration(),
        "error": {"Error": "IdCardExtractionError", "Cause": json.dumps(cause)},
    }


def test_send_to_dlq_parks_the_request_with_the_error(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("send_to_dlq")
    event = _dlq_event()

    assert app.lambda_handler(event, lambda_context) is None

    messages = stack.dlq_messages()
    assert len(messages) == 1
    assert json.loads(messages[0]["Body"]) == registration()
    attributes = messages[0]["MessageAttributes"]
    assert attributes["error"] == {"DataType": "String", "StringValue": "IdCardExtractionError"}
    assert attributes["cause"]["StringValue"] == event["error"]["Cause"]


def test_send_to_dlq_swallows_sqs_errors(
    stack: SampleStack, lambda_context: FakeLambdaContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = load_handler_module("send_to_dlq")
    missing = stack.dlq_url.rsplit("/", 1)[0] + "/no-such-queue"
    monkeypatch.setattr(app, "QUEUE_URL", missing)
    assert app.lambda_handler(_dlq_event(), lambda_context) is None
    assert stack.dlq_messages() == []


def test_send_to_dlq_refuses_to_start_without_a_queue(
    stack: SampleStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DLQ_URL", "")
    with pytest.raises(RuntimeError, match="DLQ_URL"):
        load_handler_module("send_to_dlq")


# --------------------------------------------------------------------------- notifications


def _user() -> dict[str, Any]:
    event = registration()
    return {
        "id": REQUEST_ID,
        **event["applicant"],
        "address": {**event["address"], "label": "50 Avenue des Champs Elysées 75008 Paris"},
        "idcard": ID_CARD_KEY,
        "status": "ACTIVE",
    }


def test_notify_backends_publishes_user_created_on_the_bus(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("notify_backends")

    result = app.lambda_handler(_user(), lambda_context)

    events = stack.published_events()
    assert len(events) == 1
    assert events[0]["source"] == "com.example.bank.accounts"
    assert events[0]["detail-type"] == "UserCreated"
    assert events[0]["detail"] == _user()
    assert result == {"eventId": events[0]["id"]}


def test_notify_backends_fails_when_the_entry_is_rejected(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("notify_backends")
    stubber = Stubber(app.events)
    stubber.add_response(
        "put_events",
        {
            "FailedEntryCount": 1,
            "Entries": [{"ErrorCode": "InternalFailure", "ErrorMessage": "try again"}],
        },
    )
    stubber.activate()
    with pytest.raises(app.EventPublishError, match="InternalFailure"):
        app.lambda_handler(_user(), lambda_context)


def test_notify_user_posts_the_outcome_to_the_connection(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("notify_user")
    event = {
        "connectionId": CONNECTION_ID,
        "requestId": REQUEST_ID,
        "status": "FAILED",
        "detail": {"error": "ValueError", "cause": '{"errorMessage": "x"}'},
    }

    assert app.lambda_handler(event, lambda_context) == {"statusCode": 200}

    assert stack.websocket_messages(CONNECTION_ID) == [
        {"requestId": REQUEST_ID, "status": "FAILED", "detail": event["detail"]}
    ]


# --------------------------------------------------------------------------- WebSocket routes


def _ws_event(route: str, body: str | None = None) -> dict[str, Any]:
    return {
        "requestContext": {
            "routeKey": route,
            "eventType": {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE"),
            "connectionId": CONNECTION_ID,
            "connectedAt": 1732624975000,
            "domainName": f"{WEBSOCKET_API_ID}.execute-api.{REGION}.amazonaws.com",
            "stage": STAGE,
            "apiId": WEBSOCKET_API_ID,
        },
        "body": body,
        "isBase64Encoded": False,
    }


def test_websocket_connect_then_disconnect(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    connect = load_handler_module("ws_connect")
    disconnect = load_handler_module("ws_disconnect")

    assert connect.handler(_ws_event("$connect"), lambda_context)["statusCode"] == 200
    assert stack.connections() == [{"connectionId": CONNECTION_ID, "connectedAt": 1732624975000}]

    assert disconnect.handler(_ws_event("$disconnect"), lambda_context)["statusCode"] == 200
    assert stack.connections() == []


def test_websocket_default_echoes_with_the_connection_id(
    stack: SampleStack, lambda_context: FakeLambdaContext
) -> None:
    app = load_handler_module("ws_default")
    assert app.handler(_ws_event("$default", body="hello"), lambda_context) == {"statusCode": 200}
    assert stack.websocket_messages(CONNECTION_ID) == [
        {"connectionId": CONNECTION_ID, "message": "hello"}
    ]
