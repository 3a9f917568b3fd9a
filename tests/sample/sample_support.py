"""Helpers for the tests of the reference sample `samples/original_13_lambdas`.

A uniquely named module (not `conftest`) so that test modules can import it
whatever other conftest.py files exist in the tree.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import boto3
import pytest
import requests
from moto import mock_aws

SAMPLE_DIR = Path(__file__).resolve().parents[2] / "samples" / "original_13_lambdas"
FUNCTIONS_DIR = SAMPLE_DIR / "functions"
CASES_DIR = SAMPLE_DIR / "cases"
FIXTURES_DIR = CASES_DIR / "fixtures"
REGION = "eu-west-1"
ACCOUNT_ID = "123456789012"
ADDRESS_API_URL = "https://api-adresse.data.gouv.fr/search/"
WEBSOCKET_API_ID = "wsapi12345"
STAGE = "dev"
EVENT_SOURCE = "com.example.bank.accounts"

_module_counter = itertools.count()


def load_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def load_handler_module(function_dir: str) -> ModuleType:
    """Import `functions/<function_dir>/app.py` under a unique module name.

    Every function's module is called `app`; importing each one fresh (and after
    the environment is set, since they read it at import) keeps them apart.
    """
    path = FUNCTIONS_DIR / function_dir / "app.py"
    name = f"lambdaslim_sample_{function_dir}_{next(_module_counter)}"
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    # Keep samples/ free of __pycache__: it is an input tree that lambdaslim reads and copies.
    dont_write_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        sys.dont_write_bytecode = dont_write_bytecode
    return module


@dataclass
class FakeLambdaContext:
    function_name: str = "sample-function"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 256
    invoked_function_arn: str = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:sample-function"
    aws_request_id: str = "7f6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"
    log_group_name: str = "/aws/lambda/sample-function"
    log_stream_name: str = "2024/01/01/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 30_000


def refuse_connection(self: socket.socket, address: Any) -> None:
    raise AssertionError(f"test tried to open a network connection to {address!r}")


def set_fake_aws_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "account-creation")
    monkeypatch.setenv("POWERTOOLS_TRACE_DISABLED", "1")
    monkeypatch.setenv("POWERTOOLS_LOG_LEVEL", "WARNING")


@dataclass
class SampleStack:
    """The emulated resources of template.yaml, by logical id."""

    users_table: str
    connections_table: str
    upload_bucket: str
    dlq_url: str
    event_bus: str
    captured_events_url: str
    state_machine_arn: str
    websocket_endpoint: str

    def users(self) -> list[dict[str, Any]]:
        table = boto3.resource("dynamodb", region_name=REGION).Table(self.users_table)
        return table.scan()["Items"]

    def connections(self) -> list[dict[str, Any]]:
        table = boto3.resource("dynamodb", region_name=REGION).Table(self.connections_table)
        return table.scan()["Items"]

    def dlq_messages(self) -> list[dict[str, Any]]:
        return _drain(self.dlq_url)

    def published_events(self) -> list[dict[str, Any]]:
        return [json.loads(m["Body"]) for m in _drain(self.captured_events_url)]

    def websocket_messages(self, connection_id: str) -> list[Any]:
        from moto.apigatewaymanagementapi.models import apigatewaymanagementapi_backends

        backend = apigatewaymanagementapi_backends[ACCOUNT_ID][REGION]
        # moto keys connections by the raw URL path segment: "abc=" is stored as "abc%3D".
        for key in (connection_id, quote(connection_id, safe="")):
            if key in backend.connections:
                return _split_json_documents(backend.connections[key].data.decode("utf-8"))
        return []

    def seed_users(self, items: list[dict[str, Any]]) -> None:
        table = boto3.resource("dynamodb", region_name=REGION).Table(self.users_table)
        for item in items:
            table.put_item(Item=item)


def _drain(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=REGION)
    messages: list[dict[str, Any]] = []
    while True:
        batch = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=10,
            MessageAttributeNames=["All"],
            WaitTimeSeconds=0,
        ).get("Messages", [])
        if not batch:
            return messages
        messages.extend(batch)
        for message in batch:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])


def _split_json_documents(text: str) -> list[Any]:
    """post_to_connection data accumulates per connection in moto: split it back."""
    decoder = json.JSONDecoder()
    documents, index = [], 0
    while index < len(text):
        document, index = decoder.raw_decode(text, index)
        documents.append(document)
    return documents


def create_users_table(name: str) -> None:
    boto3.client("dynamodb", region_name=REGION).create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "id", "AttributeType": "S"},
            {"AttributeName": "lastname", "AttributeType": "S"},
            {"AttributeName": "firstname", "AttributeType": "S"},
        ],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "fullname",
                "KeySchema": [
                    {"AttributeName": "lastname", "KeyType": "HASH"},
                    {"AttributeName": "firstname", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
    )


@contextmanager
def sample_stack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SampleStack]:
    """moto resources shaped like template.yaml, and every function's env vars pointing at them."""
    with mock_aws():
        create_users_table("account-creation-users")
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        dynamodb.create_table(
            TableName="account-creation-connections",
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[{"AttributeName": "connectionId", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "connectionId", "KeyType": "HASH"}],
        )
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(
            Bucket="account-creation-uploads",
            CreateBucketConfiguration={"LocationConstraint": REGION},
        )
        sqs = boto3.client("sqs", region_name=REGION)
        dlq_url = sqs.create_queue(QueueName="account-creation-dlq")["QueueUrl"]
        captured_url = sqs.create_queue(QueueName="captured-user-events")["QueueUrl"]
        captured_arn = sqs.get_queue_attributes(QueueUrl=captured_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

        events = boto3.client("events", region_name=REGION)
        events.create_event_bus(Name="users-dev")
        events.put_rule(
            Name="capture-user-events",
            EventBusName="users-dev",
            EventPattern=json.dumps({"source": [EVENT_SOURCE]}),
        )
        events.put_targets(
            Rule="capture-user-events",
            EventBusName="users-dev",
            Targets=[{"Id": "capture", "Arn": captured_arn}],
        )

        sfn = boto3.client("stepfunctions", region_name=REGION)
        definition = (SAMPLE_DIR / "statemachine" / "account_creation.asl.json").read_text()
        state_machine_arn = sfn.create_state_machine(
            name="account-creation-dev",
            definition=fill_substitutions(definition),
            roleArn=f"arn:aws:iam::{ACCOUNT_ID}:role/account-creation-sfn",
        )["stateMachineArn"]

        sample = SampleStack(
            users_table="account-creation-users",
            connections_table="account-creation-connections",
            upload_bucket="account-creation-uploads",
            dlq_url=dlq_url,
            event_bus="users-dev",
            captured_events_url=captured_url,
            state_machine_arn=state_machine_arn,
            websocket_endpoint=(
                f"https://{WEBSOCKET_API_ID}.execute-api.{REGION}.amazonaws.com/{STAGE}"
            ),
        )
        env = {
            "USERS_TABLE": sample.users_table,
            "CONNECTIONS_TABLE": sample.connections_table,
            "UPLOAD_BUCKET": sample.upload_bucket,
            "DLQ_URL": sample.dlq_url,
            "EVENT_BUS_NAME": sample.event_bus,
            "STATE_MACHINE_ARN": sample.state_machine_arn,
            "WEBSOCKET_ENDPOINT": sample.websocket_endpoint,
            "ADDRESS_API_URL": ADDRESS_API_URL,
        }
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        yield sample


def substitution_arn(name: str) -> str:
    """A plausible value for a `${...}` of the definition (all of them are function ARNs)."""
    function = name.removesuffix("Arn")
    return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:account-creation-{function}"


def fill_substitutions(definition_text: str) -> str:
    return re.sub(r"\$\{(\w+)\}", lambda m: substitution_arn(m.group(1)), definition_text)


@dataclass
class FakeAddressApi:
    """Scripted stand-in for `requests.get` on the address API.

    Each entry of `responses` answers one call, in order; every call is recorded.
    """

    url: str
    responses: list[dict[str, Any]]
    calls: list[dict[str, Any]] = field(default_factory=list)

    def get(
        self, url: str, params: dict[str, Any] | None = None, **kwargs: Any
    ) -> requests.Response:
        assert url == self.url, f"unexpected URL {url}"
        self.calls.append({"url": url, "params": dict(params or {}), "kwargs": kwargs})
        assert self.responses, "the address API was called more often than scripted"
        scripted = self.responses.pop(0)
        response = requests.Response()
        response.status_code = scripted["status"]
        response.reason = {200: "OK", 503: "Service Unavailable"}.get(scripted["status"], "")
        response.url = requests.Request("GET", url, params=params).prepare().url or url
        response._content = json.dumps(scripted.get("json")).encode("utf-8")
        response.headers["Content-Type"] = "application/json"
        return response

    def sent_query(self, index: int) -> dict[str, str]:
        """The query string of call `index` as the server would parse it."""
        prepared = requests.Request("GET", self.url, params=self.calls[index]["params"]).prepare()
        assert prepared.url is not None
        return {k: v[0] for k, v in parse_qs(urlsplit(prepared.url).query).items()}
