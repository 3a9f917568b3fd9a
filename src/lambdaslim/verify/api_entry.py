"""The optimized API entry of a workflow, checked on a case: does the route still start the same
execution and answer what the original function promised?

A :class:`~lambdaslim.plan.RouteEdit` replaces the function behind an API route by an API
Gateway service integration (``states:action/StartSyncExecution`` or ``StartExecution``) with a
request mapping template and an integration response. For one case, :func:`check_route`:

1. finds the route in the optimized template (``x-amazon-apigateway-integration`` of the OpenAPI
   body) and checks its action;
2. renders the request template (``requestTemplates["application/json"]``, CloudFormation
   intrinsics resolved on the emulated stack) for the case's API request: the case's
   ``api_request`` (``body``, ``requestId``) when it has one, else the case input without the
   RouteEdit's ``request_id_field`` as body and that field's value as request id; the result must
   be a JSON request whose ``stateMachineArn`` is the machine's and whose ``input`` parses to the
   case's workflow input;
3. renders the integration response (``responses``: the one whose ``selectionPattern`` matches
   ``200``, else ``default``) for the execution the optimized run made: a StartSyncExecution answer
   (``status``, ``output`` or ``error``/``cause``, as JSON text) or a StartExecution answer;
   the status (``$context.responseOverride.status`` or the response's ``statusCode``) must be
   ``success_status`` for a succeeded (or merely started) execution and ``error_status`` for a
   failed one; a succeeded execution's body must be ``success_body``, whose placeholders stand
   for what the function computed (``{"$context": "requestId"}`` or ``"$context.requestId"``:
   the request id; ``{"$input": "a.b"}``: a field of the request body;
   ``"$execution.executionArn"``, ``"$execution.output"``); and every header of ``headers``
   must be answered (``responseParameters`` or a response override).

Mapping templates are rendered by :mod:`lambdaslim.verify.vtl`. Every problem is a
:class:`~lambdaslim.verify.compare.Difference` with ``what`` ``api``: the value the original
contract promised on the ``original`` side, what the optimized API does on the other.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application, Route
from lambdaslim.plan import RouteEdit
from lambdaslim.verify.cases import Case
from lambdaslim.verify.cfn_values import StackValues, api_id_of
from lambdaslim.verify.compare import ABSENT, Difference, value_differences
from lambdaslim.verify.observation import RunObservation
from lambdaslim.verify.vtl import Rendered, Request, TemplateFailure, render

DEFAULT_REQUEST_ID = "6a0c5e2b-lambdaslim-verify-request"
_CONTEXT = re.compile(r"\$context\.[A-Za-z][A-Za-z0-9.]*")
_JSON = "application/json"


@dataclass
class ApiCheck:
    """What the API entry did for one case, and how it differs from the contract."""

    route: str
    differences: list[Difference] = field(default_factory=list)
    request: Any = None
    response: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"route": self.route, "request": self.request, "response": self.response}


def check_route(edit: RouteEdit, app: Application, case: Case, run: RunObservation) -> ApiCheck:
    """Check ``edit``'s route of the optimized ``app`` on ``case``, whose optimized ``run``
    answers the integration."""
    check = _Check(edit, app, case, run)
    check.run()
    return check.result


class _Check:
    def __init__(self, edit: RouteEdit, app: Application, case: Case, run: RunObservation):
        self.edit = edit
        self.app = app
        self.case = case
        self.observation = run
        self.stack = StackValues(app)
        self.result = ApiCheck(edit.route_key)
        self.request = self._request()

    def differ(self, where: str, promised: Any, found: Any) -> None:
        self.result.differences.append(
            Difference("api", f"{self.edit.route_key} {where}", promised, found)
        )

    def run(self) -> None:
        route = self._route()
        if route is None:
            self.differ("route", f"states:{self.edit.action}", ABSENT)
            return
        if route.service_action != f"states:{self.edit.action}":
            self.differ("integration", f"states:{self.edit.action}", route.service_action)
            return
        try:
            integration = self.stack.evaluate(route.integration)
        except LambdaslimError as error:
            self.differ("integration", "an integration the emulated stack resolves", str(error))
            return
        if self._check_request(integration):
            self._check_response(integration)

    # -- the request ------------------------------------------------------------------------------

    def _request(self) -> Request:
        edit, case = self.edit, self.case
        method, _, path = edit.route_key.partition(" ")
        given = case.api_request or {}
        if "body" in given:
            body = given["body"]
        elif isinstance(case.input, dict) and edit.request_id_field:
            body = {k: v for k, v in case.input.items() if k != edit.request_id_field}
        else:
            body = case.input
        request_id = given.get("requestId")
        if request_id is None and isinstance(case.input, dict) and edit.request_id_field:
            request_id = case.input.get(edit.request_id_field)
        return Request(
            body=body if isinstance(body, str) else json.dumps(body, ensure_ascii=False),
            request_id=str(request_id or DEFAULT_REQUEST_ID),
            method=method.upper(),
            resource_path=path or "/",
            api_id=api_id_of(edit.api_id),
        )

    def _route(self) -> Route | None:
        api = self.app.apis.get(self.edit.api_id)
        wanted = _route_key(self.edit.route_key)
        routes = api.routes if api is not None else ()
        return next((route for route in routes if _route_key(route.route_key) == wanted), None)

    def _check_request(self, integration: Any) -> bool:
        template = (integration.get("requestTemplates") or {}).get(_JSON)
        if not isinstance(template, str):
            self.differ("request template", "a requestTemplates['application/json']", ABSENT)
            return False
        try:
            rendered = render(template, self.request)
        except TemplateFailure as error:
            self.differ("request template", "a template that renders", str(error))
            return False
        request = _parsed(rendered.text)
        self.result.request = request
        if not isinstance(request, dict) or not isinstance(request.get("input"), str):
            self.differ("request", "JSON with an 'input' string", rendered.text)
            return False
        machine_arn = self.stack.attribute(self.edit.machine_id, "Arn")
        if request.get("stateMachineArn") != machine_arn:
            self.differ("request stateMachineArn", machine_arn, request.get("stateMachineArn"))
        execution_input = _parsed(request["input"])
        for path, promised, found in value_differences(self.case.input, execution_input):
            self.differ(f"request input {path}", promised, found)
        return True

    # -- the response -----------------------------------------------------------------------------

    def _check_response(self, integration: Any) -> None:
        response = _integration_response(integration.get("responses") or {})
        template = (response.get("responseTemplates") or {}).get(_JSON)
        answer = json.dumps(self._execution_answer())
        try:
            rendered = (
                render(template, self.request, body=answer)
                if isinstance(template, str)
                else Rendered(answer, None, {})
            )
        except TemplateFailure as error:
            self.differ("response template", "a template that renders", str(error))
            return
        status = rendered.status or int(str(response.get("statusCode", 200)))
        headers = _static_headers(response.get("responseParameters") or {})
        headers.update(rendered.headers)
        body = _parsed(rendered.text.strip())
        self.result.response = {"status": status, "headers": headers, "body": body}
        succeeded = self.edit.action == "StartExecution" or self.observation.status == "SUCCEEDED"
        edit = self.edit
        promised_status = edit.success_status if succeeded else edit.error_status
        if status != promised_status:
            self.differ("response status", promised_status, status)
        if succeeded and edit.success_body is not None:
            promised = self._promised_body(edit.success_body)
            for path, want, found in value_differences(promised, body):
                self.differ(f"response body {path}", want, found)
        for name, value in edit.headers.items():
            found = next((v for k, v in headers.items() if k.lower() == name.lower()), ABSENT)
            if found != value:
                self.differ(f"response header {name}", value, found)

    def _execution_answer(self) -> dict[str, Any]:
        """What Step Functions answers the integration (the run's own result)."""
        run, edit = self.observation, self.edit
        machine_arn = self.stack.attribute(edit.machine_id, "Arn")
        name = self.request.request_id
        execution_arn = machine_arn.replace(":stateMachine:", ":execution:") + f":{name}"
        if edit.action == "StartExecution":
            return {"executionArn": execution_arn, "startDate": 1704067200.0}
        answer: dict[str, Any] = {
            "executionArn": execution_arn,
            "stateMachineArn": machine_arn,
            "name": name,
            "startDate": 1704067200.0,
            "stopDate": 1704067201.0,
            "status": run.status,
            "input": json.dumps(self.case.input, separators=(",", ":")),
            "inputDetails": {"included": True},
            "billingDetails": {"billedMemoryUsedInMB": 64, "billedDurationInMilliseconds": 100},
        }
        if run.status == "SUCCEEDED":
            answer["output"] = json.dumps(run.output, separators=(",", ":"))
            answer["outputDetails"] = {"included": True}
        else:
            answer["error"] = run.error
            cause = run.cause
            answer["cause"] = (
                cause
                if isinstance(cause, str) or cause is None
                else json.dumps(cause, separators=(",", ":"))
            )
        return answer

    def _promised_body(self, body: Any) -> Any:
        """``success_body`` with its placeholders (see :class:`RouteEdit`) resolved."""
        if isinstance(body, dict) and len(body) == 1:
            ((key, name),) = body.items()
            if key == "$context":
                return render(f"$context.{name}", self.request).text
            if key == "$input":
                path = str(name) if str(name).startswith("$") else f"$.{name}"
                return _parsed(render(f"$input.json('{path}')", self.request).text)
        if isinstance(body, str) and _CONTEXT.fullmatch(body):
            return render(body, self.request).text
        if body == "$execution.executionArn":
            return self._execution_answer()["executionArn"]
        if body == "$execution.output":
            return self.observation.output
        if isinstance(body, dict):
            return {key: self._promised_body(value) for key, value in body.items()}
        if isinstance(body, list):
            return [self._promised_body(value) for value in body]
        return body


def _route_key(key: str) -> str:
    method, _, path = key.strip().partition(" ")
    return f"{method.upper()} {path.rstrip('/') or '/'}"


def _integration_response(responses: dict[str, Any]) -> dict[str, Any]:
    """The integration response API Gateway selects for a 200 from Step Functions (OpenAPI
    keys the responses by selection pattern)."""
    for pattern, response in responses.items():
        if pattern != "default" and isinstance(response, dict) and _selects_200(str(pattern)):
            return dict(response)
    default = responses.get("default")
    return dict(default) if isinstance(default, dict) else {}


def _selects_200(pattern: str) -> bool:
    try:
        return re.fullmatch(pattern, "200") is not None
    except re.error:
        return False


def _static_headers(parameters: dict[str, Any]) -> dict[str, str]:
    prefix = "method.response.header."
    return {
        name[len(prefix) :]: str(value).strip("'")
        for name, value in parameters.items()
        if name.startswith(prefix) and str(value).startswith("'")
    }


def _parsed(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
