"""API routes whose function only started a workflow: API Gateway starts it itself.

A ``RouteEdit`` turns the route's Lambda proxy integration into an AWS service integration
``arn:aws:apigateway:${AWS::Region}:states:action/StartSyncExecution`` (or ``StartExecution``)
with mapping templates (``mapping_templates``) that keep the route's contract: the same
execution input (the body, plus the request id field the function added), the function's
success status, body and headers, and ``error_status`` with ``{"error", "cause"}`` for a failed
or timed-out synchronous execution. API Gateway calls Step Functions with a new role per API,
``<Api>StepFunctionsRole``, allowed exactly the start actions on the routes' state machines.

Supported route shapes (``supports_route`` says why another one is not):

* REST APIs (``AWS::Serverless::Api``, ``AWS::ApiGateway::RestApi``) with an inline OpenAPI
  ``DefinitionBody``/``Body``: the operation's ``x-amazon-apigateway-integration`` is replaced
  and its method response for the success status declares the headers;
* ``AWS::ApiGateway::Method`` resources: their ``Integration`` and ``MethodResponses``.

Not supported: HTTP APIs (their Step Functions integration has no response mapping, so the
route's answer would change), WebSocket APIs, SAM ``Api`` events without a ``DefinitionBody``
(SAM writes those integrations itself and has no Step Functions integration with mapping
templates), and OpenAPI bodies in separate files (``DefinitionUri``, ``AWS::Include``).
Requests whose content type has no template (``application/json``) are refused with 415
(``passthroughBehavior: never``) instead of passing an unmapped body to Step Functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application, Route
from lambdaslim.plan import RouteEdit
from lambdaslim.rewrite.cfn_references import referenced_ids
from lambdaslim.rewrite.editor_ops import append_item, set_if_changed
from lambdaslim.rewrite.mapping_templates import ACTIONS, request_template, response_template
from lambdaslim.rewrite.template_edit import Path, TemplateEditor

REST_API_TYPES = frozenset({"AWS::Serverless::Api", "AWS::ApiGateway::RestApi"})
BODY_KEYS = ("DefinitionBody", "Body")
OPENAPI_METHODS = {"ANY": "x-amazon-apigateway-any-method"}
JSON = "application/json"
POLICY_VERSION = "2012-10-17"


def supports_route(app: Application, route: Route) -> str | None:
    """None when the route's integration can be rewritten, else the reason it cannot."""
    if route.protocol != "REST":
        return (
            f"{route.protocol} API route {route.route_key!r}: only REST API integrations have "
            "mapping templates that keep the route's response"
        )
    api = app.resources.get(route.api_id)
    if api is None or api.type not in REST_API_TYPES:
        return (
            f"route {route.route_key!r} belongs to {route.api_id}, an API SAM generates from "
            "Api events: add the API with an OpenAPI DefinitionBody to rewrite it"
        )
    if route.source == "openapi":
        if _operation(api.properties, route) is None:
            return (
                f"route {route.route_key!r}: the OpenAPI body of {route.api_id} is not inline in "
                "the template (DefinitionUri/AWS::Include files are not rewritten)"
            )
        return None
    if route.source == "resource":
        if _method_resource(app, route) is None:
            return f"route {route.route_key!r}: no single AWS::ApiGateway::Method declares it"
        return None
    return (
        f"route {route.route_key!r} is a SAM Api event of {route.api_id}, which has no OpenAPI "
        "DefinitionBody: SAM cannot express a Step Functions integration with mapping templates"
    )


def edit_routes(editor: TemplateEditor, app: Application, edits: tuple[RouteEdit, ...]) -> None:
    """Rewrite every route of the plan, then add each API's role."""
    starts: dict[str, set[tuple[str, str]]] = {}
    for edit in edits:
        route = _route(app, edit)
        reason = supports_route(app, route)
        if reason is not None:
            raise LambdaslimError(reason, route.location.file, route.location.line)
        if edit.action not in ACTIONS:
            raise LambdaslimError(f"route {edit.route_key!r}: unknown action {edit.action!r}")
        role_id = api_role_id(edit.api_id)
        if route.source == "openapi":
            _edit_operation(editor, app, route, edit, role_id)
        else:
            _edit_method(editor, app, route, edit, role_id)
        _drop_api_event(editor, route, edit.function_id)
        starts.setdefault(edit.api_id, set()).add((edit.machine_id, edit.action))
    for api_id, machines in starts.items():
        role = api_role(machines)
        role_id = api_role_id(api_id)
        if editor.has(("Resources", role_id)):
            set_if_changed(editor, ("Resources", role_id), role)
        else:
            editor.insert_after(("Resources", api_id), role_id, role)


def api_role_id(api_id: str) -> str:
    return f"{api_id}StepFunctionsRole"


def api_role(starts: set[tuple[str, str]]) -> dict[str, Any]:
    """The role API Gateway assumes: exactly the start actions on the state machines."""
    statements = [
        {"Effect": "Allow", "Action": f"states:{action}", "Resource": {"Ref": machine_id}}
        for machine_id, action in sorted(starts)
    ]
    return {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {
                "Version": POLICY_VERSION,
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "apigateway.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            },
            "Policies": [
                {
                    "PolicyName": "StartWorkflow",
                    "PolicyDocument": {"Version": POLICY_VERSION, "Statement": statements},
                }
            ],
        },
    }


def openapi_integration(edit: RouteEdit, role_id: str, old: Mapping[str, Any]) -> dict[str, Any]:
    """The ``x-amazon-apigateway-integration`` of a rewritten OpenAPI operation."""
    integration: dict[str, Any] = {
        "type": "aws",
        "httpMethod": "POST",
        "uri": _action_uri(edit.action),
        "credentials": {"Fn::GetAtt": [role_id, "Arn"]},
        "passthroughBehavior": "never",
        "requestTemplates": {JSON: {"Fn::Sub": request_template(edit)}},
        "responses": {"default": _integration_response(edit, "statusCode", "responseParameters",
                                                       "responseTemplates")},
    }
    if "timeoutInMillis" in old:
        integration["timeoutInMillis"] = old["timeoutInMillis"]
    return integration


def method_integration(edit: RouteEdit, role_id: str, old: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Integration`` of a rewritten ``AWS::ApiGateway::Method``."""
    integration: dict[str, Any] = {
        "Type": "AWS",
        "IntegrationHttpMethod": "POST",
        "Uri": _action_uri(edit.action),
        "Credentials": {"Fn::GetAtt": [role_id, "Arn"]},
        "PassthroughBehavior": "NEVER",
        "RequestTemplates": {JSON: {"Fn::Sub": request_template(edit)}},
        "IntegrationResponses": [_integration_response(edit, "StatusCode", "ResponseParameters",
                                                       "ResponseTemplates")],
    }
    if "TimeoutInMillis" in old:
        integration["TimeoutInMillis"] = old["TimeoutInMillis"]
    return integration


def _action_uri(action: str) -> dict[str, str]:
    return {"Fn::Sub": f"arn:aws:apigateway:${{AWS::Region}}:states:action/{action}"}


def _integration_response(
    edit: RouteEdit, status: str, parameters: str, templates: str
) -> dict[str, Any]:
    response: dict[str, Any] = {status: str(edit.success_status)}
    if edit.headers:
        response[parameters] = {
            f"method.response.header.{name}": _static_value(name, value)
            for name, value in edit.headers.items()
        }
    response[templates] = {JSON: response_template(edit)}
    return response


def _static_value(name: str, value: str) -> str:
    if "'" in value:
        raise LambdaslimError(f"header {name}: a static value cannot contain a quote: {value!r}")
    return f"'{value}'"


def _route(app: Application, edit: RouteEdit) -> Route:
    api = app.apis.get(edit.api_id)
    route = next((r for r in api.routes if r.route_key == edit.route_key), None) if api else None
    if route is None:
        raise LambdaslimError(f"the plan rewrites {edit.api_id} {edit.route_key!r}: no such route")
    return route


# -- OpenAPI -----------------------------------------------------------------------------------


def _operation(properties: Mapping[str, Any], route: Route) -> tuple[str, ...] | None:
    """Where the route's operation is, below the API's ``Properties``."""
    for key in BODY_KEYS:
        body = properties.get(key)
        if not isinstance(body, Mapping) or "Fn::Transform" in body:
            continue
        item = (body.get("paths") or {}).get(route.path)
        if not isinstance(item, Mapping) or route.method is None:
            continue
        wanted = OPENAPI_METHODS.get(route.method, route.method).lower()
        for method in item:
            if str(method).lower() == wanted and isinstance(item[method], Mapping):
                return key, "paths", str(route.path), str(method)
    return None


def _edit_operation(
    editor: TemplateEditor, app: Application, route: Route, edit: RouteEdit, role_id: str
) -> None:
    relative = _operation(app.resources[route.api_id].properties, route)
    assert relative is not None  # supports_route
    operation = ("Resources", route.api_id, "Properties", *relative)
    integration_path = (*operation, "x-amazon-apigateway-integration")
    old = editor.get(integration_path) if editor.has(integration_path) else {}
    set_if_changed(editor, integration_path, openapi_integration(edit, role_id, old))
    swagger2 = editor.has(("Resources", route.api_id, "Properties", relative[0], "swagger"))
    header = {"type": "string"} if swagger2 else {"schema": {"type": "string"}}
    _declare_response(editor, (*operation, "responses"), edit, header)


def _declare_response(
    editor: TemplateEditor, responses: Path, edit: RouteEdit, header: dict[str, Any]
) -> None:
    """The method response of the success status exists and declares the mapped headers."""
    status = (*responses, str(edit.success_status))
    if not editor.has(status):
        headers = {name: header for name in edit.headers}
        response = {"description": "Success", **({"headers": headers} if headers else {})}
        if editor.has(responses):
            editor.set(status, response)
        else:  # an operation without responses (OpenAPI requires them; API Gateway does not)
            editor.set(responses, {str(edit.success_status): response})
        return
    for name in edit.headers:
        if not editor.has((*status, "headers")):
            editor.set((*status, "headers"), {name: header})
        elif not editor.has((*status, "headers", name)):
            editor.set((*status, "headers", name), header)


# -- AWS::ApiGateway::Method -------------------------------------------------------------------


def _method_resource(app: Application, route: Route) -> str | None:
    found = [
        resource.logical_id
        for resource in app.resources.values()
        if resource.type == "AWS::ApiGateway::Method"
        and route.api_id in referenced_ids(resource.properties.get("RestApiId"))
        and str(resource.properties.get("HttpMethod", "ANY")).upper() == route.method
        and resource.properties.get("Integration") == route.integration
    ]
    return found[0] if len(found) == 1 else None


def _edit_method(
    editor: TemplateEditor, app: Application, route: Route, edit: RouteEdit, role_id: str
) -> None:
    method_id = _method_resource(app, route)
    assert method_id is not None  # supports_route
    properties = ("Resources", method_id, "Properties")
    old = editor.get((*properties, "Integration"))
    set_if_changed(editor, (*properties, "Integration"), method_integration(edit, role_id, old))
    status = str(edit.success_status)
    parameters = {f"method.response.header.{name}": True for name in edit.headers}
    responses_path = (*properties, "MethodResponses")
    responses = editor.get(responses_path) if editor.has(responses_path) else []
    for index, response in enumerate(responses):
        if str(response.get("StatusCode")) == status:
            for name, value in parameters.items():
                set_if_changed(editor, (*responses_path, index, "ResponseParameters", name), value)
            return
    entry = {"StatusCode": status, **({"ResponseParameters": parameters} if parameters else {})}
    append_item(editor, responses_path, entry)


# -- the function's event ----------------------------------------------------------------------


def _drop_api_event(editor: TemplateEditor, route: Route, function_id: str) -> None:
    """Remove the function's ``Api`` event of the route: SAM would put the Lambda integration
    back into the OpenAPI body (the function itself usually goes too, with its events)."""
    events_path = ("Resources", function_id, "Properties", "Events")
    if not editor.has(events_path):
        return
    events = editor.get(events_path)
    gone = [name for name, event in events.items() if _is_route_event(event, route)]
    if gone and len(gone) == len(events):
        editor.delete(events_path)
        return
    for name in gone:
        editor.delete((*events_path, name))


def _is_route_event(event: Any, route: Route) -> bool:
    if not isinstance(event, Mapping) or event.get("Type") != "Api":
        return False
    properties = event.get("Properties") or {}
    return (
        route.api_id in referenced_ids(properties.get("RestApiId"))
        and str(properties.get("Path")) == route.path
        and str(properties.get("Method", "")).upper() == route.method
    )
