"""The API entry check and its VTL shim, on the orders pair (no emulated world needed: a
hand-made run answers the integration)."""

import json
import shutil
from pathlib import Path

import pytest

from lambdaslim.loading import load_application
from lambdaslim.verify.api_entry import check_route
from lambdaslim.verify.cases import case_from_dict, load_case
from lambdaslim.verify.observation import RunObservation
from lambdaslim.verify.plan_file import read_plan
from lambdaslim.verify.vtl import Request, escape_javascript, render

ORDERS = Path(__file__).parent.parent / "fixtures" / "verify" / "orders"
OPTIMIZED = ORDERS / "optimized"
CASE = load_case(ORDERS / "original" / "cases" / "small_order.json")
REQUEST_ID = CASE.input["requestId"]
[ROUTE] = read_plan(OPTIMIZED).routes


def succeeded() -> RunObservation:
    return RunObservation("small_order", "OrderFlow", "SUCCEEDED", output={"order": {"id": "x"}})


def failed() -> RunObservation:
    cause = {"errorMessage": "too many items", "errorType": "ValueError"}
    return RunObservation("c", "OrderFlow", "FAILED", error="ValueError", cause=cause)


def check(app_dir: Path = OPTIMIZED, run: RunObservation | None = None, case=CASE):
    return check_route(ROUTE, load_application(app_dir), case, run or succeeded())


def planted(tmp_path: Path, old: str, new: str) -> Path:
    copy = tmp_path / "optimized"
    shutil.copytree(OPTIMIZED, copy)
    template = copy / "template.yaml"
    text = template.read_text()
    assert old in text
    template.write_text(text.replace(old, new))
    return copy


def where(result) -> list[str]:
    return [d.path for d in result.differences]


def test_route_starts_the_same_execution_and_keeps_the_contract():
    result = check()
    assert result.differences == []
    assert json.loads(result.request["input"]) == CASE.input
    assert result.request["stateMachineArn"].endswith(":stateMachine:lambdaslim-verify-OrderFlow")
    assert result.response == {
        "status": 202,
        "headers": {"Access-Control-Allow-Origin": "*"},
        "body": {"requestId": REQUEST_ID},
    }


def test_failed_execution_answers_the_error_status():
    result = check(run=failed())
    assert result.differences == []
    assert result.response["status"] == 400
    assert result.response["body"] == {"error": "ValueError"}


def test_request_template_that_drops_the_request_id(tmp_path):
    app = planted(tmp_path, ', \\"requestId\\": \\"$context.requestId\\"}"', '}"')
    [difference] = check(app).differences
    assert difference.what == "api"
    assert difference.path == "POST /orders request input $.requestId"
    assert difference.original == REQUEST_ID


def test_request_template_that_starts_another_machine(tmp_path):
    app = planted(
        tmp_path, '"stateMachineArn": "${OrderFlow}"', '"stateMachineArn": "${OrderFlowJsonata}"'
    )
    assert where(check(app)) == ["POST /orders request stateMachineArn"]


def test_response_status_that_breaks_the_contract(tmp_path):
    app = planted(tmp_path, "responseOverride.status = 202", "responseOverride.status = 200")
    [difference] = check(app).differences
    assert (difference.path, difference.original, difference.optimized) == (
        "POST /orders response status",
        202,
        200,
    )


def test_error_status_that_breaks_the_contract(tmp_path):
    app = planted(tmp_path, "responseOverride.status = 400", "responseOverride.status = 500")
    assert where(check(app, run=failed())) == ["POST /orders response status"]
    assert check(app).differences == []


def test_missing_header(tmp_path):
    app = planted(tmp_path, "method.response.header.Access-Control-Allow-Origin: \"'*'\"", "")
    assert where(check(app)) == ["POST /orders response header Access-Control-Allow-Origin"]


def test_response_body_that_breaks_the_contract(tmp_path):
    app = planted(tmp_path, '{"requestId": "$context.requestId"}', '{"id": "$context.requestId"}')
    assert where(check(app)) == [
        "POST /orders response body $.requestId",
        "POST /orders response body $.id",
    ]


def test_template_that_does_not_render(tmp_path):
    app = planted(tmp_path, "#set($body = $input.json('$'))", "#set($body = ")
    assert where(check(app)) == ["POST /orders request template"]


def test_route_still_on_the_function():
    original = ORDERS / "original"
    [difference] = check(original).differences
    assert difference.path == "POST /orders integration"
    assert difference.original == "states:StartSyncExecution"


def test_apostrophe_in_the_body_breaks_escape_javascript_like_api_gateway():
    """``$util.escapeJavaScript`` turns ' into \\' , which JSON does not accept: API Gateway
    would send Step Functions an invalid request, and so does the shim."""
    document = {"input": {**CASE.input, "customer": "O'Brien"}, "state_machine": "OrderFlow"}
    [difference] = check(case=case_from_dict(document, "apostrophe")).differences
    assert difference.path == "POST /orders request"
    assert "O\\'Brien" in difference.optimized


def test_api_request_given_by_the_case():
    body = {k: v for k, v in CASE.input.items() if k != "requestId"}
    document = {"input": CASE.input, "api_request": {"body": body, "requestId": "other-id"}}
    [difference] = check(case=case_from_dict(document, "given")).differences
    assert (difference.path, difference.optimized) == (
        "POST /orders request input $.requestId",
        "other-id",
    )


# -- the VTL shim ---------------------------------------------------------------------------------


def test_escape_javascript_follows_commons_lang():
    assert escape_javascript("a\"b\\c/d'e\nÉ😀") == "a\\\"b\\\\c\\/d\\'e\\n\\u00C9\\uD83D\\uDE00"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("$input.body", '{"a": {"b": [1, 2]}, "ok": true}'),
        ("$input.json('$.a')", '{"b": [1, 2]}'),
        ("$input.path('$.a.b[1]')", "2"),
        ("$input.path('$.ok')", "true"),
        ("$!input.path('$.missing')", ""),
        ("#if($input.path('$.ok'))yes#end", "yes"),
        ("$input.params('q') $input.params('X-Id') $input.params().querystring.q", "1 h 1"),
        ("$util.base64Encode('hi') $util.urlEncode('a b&c')", "aGk= a+b%26c"),
        ('$util.parseJson(\'{"k": "v"}\').k', "v"),
        ("$context.requestId $context.httpMethod $context.stage", "rid POST prod"),
        ("$input.body.substring(0, 5).toUpperCase()", '{"A":'),
    ],
)
def test_vtl_shim(template, expected):
    request = Request(
        body=json.dumps({"a": {"b": [1, 2]}, "ok": True}),
        request_id="rid",
        headers={"X-Id": "h"},
        query={"q": "1"},
    )
    assert render(template, request).text == expected


def test_response_override_is_read_back():
    rendered = render(
        "#set($context.responseOverride.status = 409)"
        "#set($context.responseOverride.header.Location = '/orders/1')",
        Request(body="", request_id="r"),
    )
    assert (rendered.status, rendered.headers) == (409, {"Location": "/orders/1"})
