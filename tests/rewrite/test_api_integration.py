"""API routes rewritten to Step Functions service integrations: which shapes are supported, and
what the VTL mapping templates do, rendered with airspeed the way API Gateway runs them."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import airspeed
import pytest
from test_template_changes_plans import FIXTURES, analysis_of, load, orders_plan

from lambdaslim.errors import LambdaslimError
from lambdaslim.loading.application import load_application
from lambdaslim.plan import RouteEdit
from lambdaslim.rewrite.api_integration import supports_route
from lambdaslim.rewrite.mapping_templates import request_template, response_template
from lambdaslim.rewrite.template_changes import rewrite_files

SAMPLE = Path(__file__).parents[2] / "samples" / "original_13_lambdas"
EXPECTED = FIXTURES / "expected" / "mapping_templates"

POST_USER = RouteEdit(
    api_id="AccountApi",
    route_key="POST /user",
    function_id="StartWorkflowFunction",
    machine_id="AccountCreationStateMachine",
    action="StartSyncExecution",
    request_id_field="requestId",
    success_status=202,
    success_body={"requestId": {"$context": "requestId"}},
    headers={"Access-Control-Allow-Origin": "*"},
)
ASYNC = replace(
    POST_USER, action="StartExecution", request_id_field=None, success_status=200,
    success_body={"id": {"$context": "requestId"}, "note": "costs $5 #1", "$x": ["#"]},
    headers={},
)
REQUEST_ID = "c0ffee00-1234-4d5e-9f00-0123456789ab"
NASTY = {
    "quote": 'say "hi"', "apostrophe": "l'adresse", "backslash": "C:\\temp\\n",
    "html": "</script><script>alert(1)</script>", "unicode": "Élysées ✓ 😀",
    "control": "line1\nline2\ttab\u0001", "vtl": "$context.requestId #set($x = 1) ${x}",
}


# -- supported shapes ----------------------------------------------------------------------------


def test_sample_rest_routes_are_supported() -> None:
    app = load_application(SAMPLE)
    reasons = {route.route_key: supports_route(app, route) for route in app.routes}
    assert reasons["POST /user"] is None
    assert reasons["$connect"] == (
        "WEBSOCKET API route '$connect': only REST API integrations have mapping templates "
        "that keep the route's response"
    )


def test_method_resource_route_is_supported() -> None:
    app = load("flow_cfn")
    assert [supports_route(app, route) for route in app.routes] == [None]


def test_unsupported_route_shapes_say_why() -> None:
    app = load("unsupported_routes")
    reasons = {f"{r.api_id} {r.route_key}": supports_route(app, r) for r in app.routes}
    assert reasons == {
        "EventsOnlyApi POST /things": (
            "route 'POST /things' is a SAM Api event of EventsOnlyApi, which has no OpenAPI "
            "DefinitionBody: SAM cannot express a Step Functions integration with mapping "
            "templates"
        ),
        "FileBodyApi POST /files": (
            "route 'POST /files': the OpenAPI body of FileBodyApi is not inline in the template "
            "(DefinitionUri/AWS::Include files are not rewritten)"
        ),
        "HttpApi POST /things": (
            "HTTP API route 'POST /things': only REST API integrations have mapping templates "
            "that keep the route's response"
        ),
        "ServerlessRestApi POST /implicit": (
            "route 'POST /implicit' belongs to ServerlessRestApi, an API SAM generates from Api "
            "events: add the API with an OpenAPI DefinitionBody to rewrite it"
        ),
    }


def test_kept_route_function_loses_its_api_event() -> None:
    """SAM would write the Lambda integration back into the body from the event."""
    app = load("orders_sam")
    plan = replace(orders_plan(app), machines=(), removed_functions=())
    changes = rewrite_files(app, analysis_of(app, {}), plan)
    template = changes.files["template.yaml"]
    assert "  StartOrderFunction:\n" in template
    assert "PostOrder:" not in template and "      Events:\n        GetOrder:" in template


# -- the templates, as text ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "name"),
    [(POST_USER, "post_user"), (ASYNC, "start_execution")],
)
def test_mapping_templates_text(edit: RouteEdit, name: str) -> None:
    """The sample's POST /user (and an asynchronous variant), exactly."""
    assert request_template(edit) == (EXPECTED / f"{name}.request.vtl").read_text()
    assert response_template(edit) == (EXPECTED / f"{name}.response.vtl").read_text()


def test_request_template_has_no_stray_sub_variable() -> None:
    """It is an Fn::Sub argument: the state machine ARN is its only ``${...}``."""
    for edit in (POST_USER, ASYNC):
        assert re.findall(r"\$\{[^}]*\}", request_template(edit)) == [
            "${AccountCreationStateMachine}"
        ]


# -- the templates, run --------------------------------------------------------------------------


@pytest.mark.parametrize("body", [
    json.dumps(NASTY),
    json.dumps(NASTY, ensure_ascii=False, separators=(",", ":")),
    '{"a": 1, "requestId": "spoofed"}',
])
def test_request_input_is_the_escaped_body_plus_request_id(body: str) -> None:
    request = run_request(POST_USER, body)
    assert request["stateMachineArn"] == "arn:aws:states:eu-west-1:1:stateMachine:account"
    assert request["name"] == REQUEST_ID
    assert json.loads(request["input"]) == {**json.loads(body), "requestId": REQUEST_ID}
    assert request["input"].startswith(body[:-1])  # the body's own text, then the field


def test_request_of_empty_object_gets_only_the_request_id() -> None:
    assert json.loads(run_request(POST_USER, "{ }")["input"]) == {"requestId": REQUEST_ID}


@pytest.mark.parametrize("body", ['["not", "an object"]', '"text"', "42"])
def test_request_body_that_is_not_an_object_goes_on_unchanged(body: str) -> None:
    assert run_request(POST_USER, body)["input"] == body


def test_request_without_request_id_field_passes_the_exact_body() -> None:
    body = json.dumps(NASTY, ensure_ascii=False)
    assert run_request(ASYNC, body)["input"] == body


def test_sync_response_succeeded() -> None:
    status, body = run_response(POST_USER, {"status": "SUCCEEDED", "output": "{}"})
    assert (status, json.loads(body)) == (None, {"requestId": REQUEST_ID})
    assert body.strip() == json.dumps({"requestId": REQUEST_ID})  # as json.dumps wrote it


def test_sync_response_failed_carries_error_and_cause() -> None:
    cause = json.dumps({"errorMessage": "it's \"bad\"", "errorType": "ValueError"})
    status, body = run_response(
        POST_USER, {"status": "FAILED", "error": "ValueError", "cause": cause}
    )
    assert (status, json.loads(body)) == (400, {"error": "ValueError", "cause": cause})


def test_sync_response_timed_out_without_error() -> None:
    status, body = run_response(POST_USER, {"status": "TIMED_OUT"})
    assert (status, json.loads(body)) == (400, {"error": None, "cause": None})


def test_start_failure_answers_like_a_failed_lambda_proxy() -> None:
    error = {"__type": "com.amazonaws.swf.service.v2.model#ExecutionLimitExceeded",
             "message": "limit"}
    for edit in (POST_USER, ASYNC):
        status, body = run_response(edit, error)
        assert (status, json.loads(body)) == (502, {"message": "Internal server error"})


def test_async_response_constants_keep_dollar_and_hash() -> None:
    arn = "arn:aws:states:eu-west-1:1:execution:account:x"
    status, body = run_response(ASYNC, {"executionArn": arn, "startDate": 1.7e9})
    assert (status, json.loads(body)) == (
        None, {"id": REQUEST_ID, "note": "costs $5 #1", "$x": ["#"]}
    )


def test_sync_response_with_request_fields() -> None:
    edit = replace(POST_USER, success_body={
        "email": {"$input": "applicant.email"}, "missing": {"$input": "nope"},
    })
    execution_input = json.dumps({"applicant": {"email": "o'neil@example.com"}})
    status, body = run_response(edit, {"status": "SUCCEEDED", "input": execution_input})
    assert (status, json.loads(body)) == (None, {"email": "o'neil@example.com", "missing": None})


@pytest.mark.parametrize(("edit", "message"), [
    (replace(ASYNC, success_body={"a": {"$input": "a"}}), "not available to StartExecution"),
    (replace(POST_USER, success_body={"$context": "x}"}), "not an API Gateway context"),
    (replace(POST_USER, success_body={"$input": "a..b"}), "not a field path"),
])
def test_unrenderable_bodies_are_refused(edit: RouteEdit, message: str) -> None:
    with pytest.raises(LambdaslimError, match=message):
        response_template(edit)


# -- a small API Gateway VTL runtime -------------------------------------------------------------


class JavaString(str):
    """The ``java.lang.String`` methods the templates call."""

    def trim(self) -> JavaString:
        return JavaString(self.strip(" \t\n\r"))

    def length(self) -> int:
        return len(self)

    def startsWith(self, prefix: str) -> bool:
        return self.startswith(prefix)

    def endsWith(self, suffix: str) -> bool:
        return self.endswith(suffix)

    def substring(self, start: int, end: int) -> JavaString:
        return JavaString(self[start:end])

    def replaceAll(self, regex: str, replacement: str) -> JavaString:
        return JavaString(re.sub(regex, replacement, self))


class Util:
    @staticmethod
    def parseJson(text: str) -> Any:
        return json.loads(text)

    @staticmethod
    def escapeJavaScript(text: Any) -> JavaString:
        """Apache Commons ``StringEscapeUtils.escapeJavaScript``, which API Gateway uses: also
        ``'`` -> ``\\'`` and ``/`` -> ``\\/``, non-ASCII as ``\\uXXXX`` (upper-case hex)."""
        named = {'"': '\\"', "'": "\\'", "\\": "\\\\", "/": "\\/", "\b": "\\b", "\f": "\\f",
                 "\n": "\\n", "\r": "\\r", "\t": "\\t"}
        out = []
        for char in str(text):
            if char in named:
                out.append(named[char])
            elif ord(char) < 32 or ord(char) > 0x7E:
                out.extend(f"\\u{unit:04X}" for unit in _utf16(char))
            else:
                out.append(char)
        return JavaString("".join(out))


def _utf16(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i:i + 2], "big") for i in range(0, len(data), 2)]


class Input:
    def __init__(self, body: str):
        self.body = body

    def json(self, path: str) -> JavaString:
        assert path == "$"
        return JavaString(self.body)

    def path(self, path: str) -> Any:
        value = json.loads(self.body)
        for step in path.removeprefix("$").split(".")[1:]:
            value = value.get(step) if isinstance(value, dict) else None
        return JavaString(value) if isinstance(value, str) else value


@pytest.fixture(autouse=True)
def _velocity_string_literals(monkeypatch: pytest.MonkeyPatch) -> None:
    """API Gateway's Velocity passes ``"\\\\'"`` to Java as written (two backslashes, a regex
    for ``\\'``); airspeed would unescape it first."""
    monkeypatch.setattr(airspeed.InterpolatedStringLiteral, "ESCAPED_CHAR", re.compile("(?!)"))


def run_request(edit: RouteEdit, body: str) -> dict[str, Any]:
    vtl = request_template(edit).replace(
        "${" + edit.machine_id + "}", "arn:aws:states:eu-west-1:1:stateMachine:account"
    )
    context = {"requestId": REQUEST_ID, "responseOverride": {}}
    out = airspeed.Template(vtl).merge({"input": Input(body), "util": Util(), "context": context})
    return json.loads(out)


def run_response(edit: RouteEdit, answer: dict[str, Any]) -> tuple[int | None, str]:
    context: dict[str, Any] = {"requestId": REQUEST_ID, "responseOverride": {}}
    namespace = {"input": Input(json.dumps(answer)), "util": Util(), "context": context}
    out = airspeed.Template(response_template(edit)).merge(namespace)
    return context["responseOverride"].get("status"), out
