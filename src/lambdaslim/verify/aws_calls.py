"""AWS API calls moto cannot answer faithfully, intercepted at ``BaseClient._make_api_call``.

This one hook sits above moto's own interception, so it serves handler ``boto3`` clients and the
workflow engine (whose Lambda tasks and ``aws-sdk`` tasks go through boto3 clients too):

- ``lambda:Invoke`` runs the function in-process (:class:`FunctionRuntime`);
- ``apigatewaymanagementapi:PostToConnection`` (the WebSocket callback channel) is recorded;
- every operation named in the case's ``fixtures.aws`` (``textract:AnalyzeDocument``...) is
  answered from its list, in order: ``Return`` is the response, ``Throw`` raises a
  ``ClientError`` with code ``Error`` (a ``Service.`` prefix is dropped, as an ``aws-sdk``
  task adds it back) and message ``Cause``.

Every other call goes on to moto.
"""

from __future__ import annotations

import contextlib
import copy
import io
import threading
from collections.abc import Iterator
from typing import Any
from unittest import mock

from botocore.client import BaseClient
from botocore.exceptions import ClientError
from botocore.response import StreamingBody

from lambdaslim.verify.http_fixtures import parse_body
from lambdaslim.verify.lambda_runtime import FunctionRuntime
from lambdaslim.verify.recorder import Recorder


class UnansweredAwsCall(Exception):
    """A fixture-answered operation called more often than the case has answers for."""


def _key(service: str, operation: str) -> str:
    return f"{service.lower().replace('-', '')}:{operation.lower()}"


class AwsAnswers:
    def __init__(self, fixtures: dict[str, list[dict[str, Any]]], recorder: Recorder):
        self._answers = {_key(*key.split(":", 1)): list(items) for key, items in fixtures.items()}
        self._used: dict[str, int] = {}
        self._recorder = recorder
        self._lock = threading.Lock()

    def handles(self, service: str, operation: str) -> bool:
        return _key(service, operation) in self._answers

    def answer(
        self, client: BaseClient, service: str, operation: str, params: dict[str, Any]
    ) -> dict[str, Any]:
        key = _key(service, operation)
        self._recorder.append(
            "aws_fixture_calls", {"service": service, "operation": operation, "params": params}
        )
        with self._lock:
            used = self._used.get(key, 0)
            answers = self._answers[key]
            if used >= len(answers):
                raise UnansweredAwsCall(
                    f"{service}:{operation} called {used + 1} times; the case's fixtures.aws "
                    f"answers it {len(answers)} times"
                )
            self._used[key] = used + 1
        answer = answers[used]
        if "Throw" in answer:
            code = str(answer["Throw"]["Error"])
            prefix, _, rest = code.partition(".")
            if rest and prefix.lower() == service.lower():
                code = rest
            cause = str(answer["Throw"].get("Cause", ""))
            # The modeled exception class (as botocore raises it) names the aws-sdk task error.
            raise client.exceptions.from_code(code)(_error_response(code, cause), operation)
        return copy.deepcopy(answer["Return"])


def _error_response(code: str, message: str, status: int = 400) -> Any:
    return {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "lambdaslim-verify"},
    }


@contextlib.contextmanager
def patched_aws_calls(
    runtime: FunctionRuntime, answers: AwsAnswers, recorder: Recorder
) -> Iterator[None]:
    real_call = BaseClient._make_api_call

    def make_api_call(client: BaseClient, operation: str, params: dict[str, Any]) -> Any:
        service = client.meta.service_model.service_name
        if service == "lambda" and operation == "Invoke":
            return _invoke(runtime, params)
        if service == "apigatewaymanagementapi" and operation == "PostToConnection":
            recorder.append(
                "websocket_posts",
                {
                    "connectionId": params.get("ConnectionId"),
                    "data": parse_body(params.get("Data")),
                    "endpoint": client.meta.endpoint_url,
                },
            )
            return {"ResponseMetadata": {"HTTPStatusCode": 200}}
        if answers.handles(service, operation):
            return answers.answer(client, service, operation, params)
        return real_call(client, operation, params)

    with mock.patch.object(BaseClient, "_make_api_call", make_api_call):
        yield


def _invoke(runtime: FunctionRuntime, params: dict[str, Any]) -> dict[str, Any]:
    name = str(params.get("FunctionName", ""))
    payload = params.get("Payload") or b""
    if isinstance(payload, str):
        payload = payload.encode()
    elif hasattr(payload, "read"):
        payload = payload.read()
    invocation_type = params.get("InvocationType", "RequestResponse")
    if invocation_type == "DryRun" and runtime.function_id(name):
        return {"StatusCode": 204, "Payload": StreamingBody(io.BytesIO(b""), 0)}
    try:
        response = runtime.invoke(name, payload, asynchronous=invocation_type == "Event")
    except KeyError:
        message = f"Function not found: {name} (not a function of the verified application)"
        raise ClientError(
            _error_response("ResourceNotFoundException", message, 404), "Invoke"
        ) from None
    data = response["Payload"]
    response["Payload"] = StreamingBody(io.BytesIO(data), len(data))
    return response
