"""APIs and routes from OpenAPI bodies, SAM ``Events`` and API Gateway resources."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lambdaslim.loading.documents import key_line, line_of, parse_document, to_plain
from lambdaslim.loading.references import STATE_MACHINE_TYPES
from lambdaslim.loading.shapes import expect_events, expect_mapping, wrong_type
from lambdaslim.loading.template_file import TemplateFile
from lambdaslim.model.apis import Api, Route
from lambdaslim.model.location import Location
from lambdaslim.model.values import ResourceRef

API_PROTOCOLS = {
    "AWS::Serverless::Api": "REST",
    "AWS::Serverless::HttpApi": "HTTP",
    "AWS::ApiGateway::RestApi": "REST",
    "AWS::ApiGatewayV2::Api": "HTTP",
}
BODY_PROPERTIES = (("DefinitionBody", "DefinitionUri"), ("Body", "BodyS3Location"))
OPENAPI_METHODS = {
    "get": "GET",
    "put": "PUT",
    "post": "POST",
    "delete": "DELETE",
    "patch": "PATCH",
    "head": "HEAD",
    "options": "OPTIONS",
    "x-amazon-apigateway-any-method": "ANY",
}
IMPLICIT_APIS = {"Api": ("ServerlessRestApi", "REST"), "HttpApi": ("ServerlessHttpApi", "HTTP")}
# HTTP API first-class integrations: subtype prefix -> IAM service prefix.
SUBTYPE_SERVICES = {
    "StepFunctions": "states",
    "SQS": "sqs",
    "EventBridge": "events",
    "Kinesis": "kinesis",
    "AppConfig": "appconfig",
}
SERVICE_ACTION = re.compile(r":([a-z0-9-]+):action/([A-Za-z0-9]+)")
LAMBDA_INVOCATION = re.compile(r"functions/(.+?)/invocations")


def load_apis(template: TemplateFile) -> dict[str, Api]:
    return _ApiCollector(template).collect()


class _ApiCollector:
    def __init__(self, template: TemplateFile):
        self.template = template
        self.references = template.references
        self.routes: dict[str, list[Route]] = {}
        self.bodies: dict[str, Any] = {}

    def collect(self) -> dict[str, Api]:
        declared = self.template.of_type(frozenset(API_PROTOCOLS))
        for logical_id in declared:
            self.routes.setdefault(logical_id, [])
            self.add_openapi_routes(logical_id)
        for logical_id in sorted(self.template.resources):
            resource_type = self.template.resources[logical_id].get("Type")
            if resource_type in ("AWS::Serverless::Function", "AWS::Serverless::StateMachine"):
                self.add_event_routes(logical_id, resource_type)
        for logical_id, resource in self.template.resources.items():
            if resource.get("Type") == "AWS::ApiGateway::Method":
                self.add_method_route(logical_id)
            elif resource.get("Type") == "AWS::ApiGatewayV2::Route":
                self.add_v2_route(logical_id)
        apis = {}
        for api_id in sorted(self.routes):
            routes = tuple(self.routes[api_id])
            if api_id in declared:
                apis[api_id] = Api(
                    api_id,
                    self.protocol(api_id),
                    self.template.resources[api_id]["Type"],
                    routes,
                    self.bodies.get(api_id),
                    self.template.location(api_id),
                )
            else:
                protocol = routes[0].protocol if routes else "REST"
                location = routes[0].location if routes else Location(self.template.relative)
                apis[api_id] = Api(api_id, protocol, None, routes, None, location, implicit=True)
        return apis

    def protocol(self, api_id: str) -> str:
        resource = self.template.resources.get(api_id) or {}
        if resource.get("Type") == "AWS::ApiGatewayV2::Api":
            protocol = (resource.get("Properties") or {}).get("ProtocolType")
            return "WEBSOCKET" if protocol == "WEBSOCKET" else "HTTP"
        return API_PROTOCOLS.get(resource.get("Type", ""), "HTTP")

    def add(self, route: Route) -> None:
        routes = self.routes.setdefault(route.api_id, [])
        if not any(known.route_key == route.route_key for known in routes):
            routes.append(route)

    # -- OpenAPI ------------------------------------------------------------------------------

    def add_openapi_routes(self, api_id: str) -> None:
        found = self.openapi_body(api_id)
        if found is None:
            return
        body, relative, shown = found
        what = f"the OpenAPI body of resource {api_id}"
        if not isinstance(body, Mapping):
            raise wrong_type(what, "a mapping", body, shown, line_of(body))
        self.bodies[api_id] = to_plain(body)
        for path, item in expect_mapping(body, "paths", f"paths of {what}", shown).items():
            if not isinstance(item, Mapping):
                continue
            for key, operation in item.items():
                method = OPENAPI_METHODS.get(str(key).lower())
                if method is None or not isinstance(operation, Mapping):
                    continue
                self.add(
                    self.route(
                        api_id,
                        f"{method} {path}",
                        operation.get("x-amazon-apigateway-integration"),
                        "openapi",
                        Location(relative, key_line(item, key)),
                        method=method,
                        path=str(path),
                    )
                )

    def openapi_body(self, api_id: str) -> tuple[Any, str, str] | None:
        """The OpenAPI body (inline, ``AWS::Include``d or a local file), its file and how
        messages name it."""
        template = self.template
        properties = template.properties(api_id)
        for inline_key, file_key in BODY_PROPERTIES:
            body = properties.get(inline_key)
            if isinstance(body, Mapping) and "Fn::Transform" in body:
                owner = f"{inline_key}.Fn::Transform of resource {api_id}"
                transform = expect_mapping(body, "Fn::Transform", owner, template.shown)
                parameters = expect_mapping(
                    transform, "Parameters", f"Parameters of {owner}", template.shown
                )
                return self.body_file(api_id, parameters, "Location")
            if isinstance(body, Mapping):
                return body, template.relative, template.shown
            if isinstance(properties.get(file_key), str):
                return self.body_file(api_id, properties, file_key)
        return None

    def body_file(
        self, api_id: str, holder: Mapping[str, Any], key: str
    ) -> tuple[Any, str, str] | None:
        path = self.template.local_file(holder.get(key), key, api_id, holder, key)
        if path is None:
            return None
        project = self.template.project
        return parse_document(project, path), project.relative(path), project.display(path)

    # -- SAM events ---------------------------------------------------------------------------

    def add_event_routes(self, owner: str, owner_type: str) -> None:
        events = expect_events(
            self.template.properties(owner), f"resource {owner}", self.template.shown
        )
        for event_name, event in events.items():
            if not isinstance(event, Mapping) or event.get("Type") not in IMPLICIT_APIS:
                continue
            implicit_id, protocol = IMPLICIT_APIS[event["Type"]]
            properties = event.get("Properties") or {}
            api = properties.get("RestApiId") or properties.get("ApiId")
            resolved = self.references.resolve(api) if api is not None else implicit_id
            api_id = resolved.logical_id if isinstance(resolved, ResourceRef) else str(resolved)
            if api_id in self.template.resources:
                protocol = self.protocol(api_id)
            method, path = properties.get("Method"), properties.get("Path")
            if isinstance(method, str) and isinstance(path, str):
                method = "ANY" if method.lower() == "any" else method.upper()
                route_key = f"{method} {path}"
            else:
                method, path, route_key = None, None, "$default"
            location = Location(self.template.relative, key_line(events, event_name))
            is_function = owner_type == "AWS::Serverless::Function"
            self.add(
                Route(
                    api_id=api_id,
                    protocol=protocol,
                    route_key=route_key,
                    method=method,
                    path=path,
                    integration_type="aws_proxy" if is_function else "aws",
                    integration_uri=None,
                    target_function=owner if is_function else None,
                    target_state_machine=None if is_function else owner,
                    service_action=None if is_function else "states:StartExecution",
                    source="event",
                    integration=to_plain(event),
                    location=location,
                )
            )

    # -- API Gateway resources ----------------------------------------------------------------

    def add_method_route(self, logical_id: str) -> None:
        properties = self.template.properties(logical_id)
        api = self.references.resolve(properties.get("RestApiId"))
        api_id = api.logical_id if isinstance(api, ResourceRef) else str(api)
        method = str(properties.get("HttpMethod", "ANY")).upper()
        path = self.resource_path(properties.get("ResourceId"))
        self.add(
            self.route(
                api_id,
                f"{method} {path}",
                properties.get("Integration"),
                "resource",
                self.template.location(logical_id),
                method=method,
                path=path,
                protocol="REST",
            )
        )

    def resource_path(self, resource_id: Any, depth: int = 0) -> str:
        """``/orders/{id}`` from a chain of ``AWS::ApiGateway::Resource`` (root: ``/``)."""
        resolved = self.references.resolve(resource_id)
        if not isinstance(resolved, ResourceRef) or depth > 50:
            return "/"
        if resolved.resource_type != "AWS::ApiGateway::Resource":
            return "/"
        properties = self.template.properties(resolved.logical_id)
        parent = self.resource_path(properties.get("ParentId"), depth + 1)
        return f"{parent.rstrip('/')}/{properties.get('PathPart')}"

    def add_v2_route(self, logical_id: str) -> None:
        properties = self.template.properties(logical_id)
        api = self.references.resolve(properties.get("ApiId"))
        api_id = api.logical_id if isinstance(api, ResourceRef) else str(api)
        route_key = str(properties.get("RouteKey"))
        integration = None
        for ref in self.references.references_in(properties.get("Target")):
            if ref.resource_type == "AWS::ApiGatewayV2::Integration":
                integration = self.template.properties(ref.logical_id)
        method, _, path = route_key.partition(" ")
        protocol = self.protocol(api_id)
        http_route = protocol == "HTTP" and bool(path)
        self.add(
            self.route(
                api_id,
                route_key,
                integration,
                "resource",
                self.template.location(logical_id),
                method=method if http_route else None,
                path=path if http_route else None,
                protocol=protocol,
            )
        )

    # -- integrations -------------------------------------------------------------------------

    def route(
        self,
        api_id: str,
        route_key: str,
        integration: Any,
        source: str,
        location: Location,
        method: str | None = None,
        path: str | None = None,
        protocol: str | None = None,
    ) -> Route:
        """A route whose integration is described by an OpenAPI or resource integration object."""
        raw = to_plain(integration) if isinstance(integration, Mapping) else {}
        fields = {key.lower(): value for key, value in raw.items()}
        integration_type = fields.get("type") or fields.get("integrationtype")
        uri_raw = fields.get("uri", fields.get("integrationuri"))
        uri_text = self.references.render(uri_raw) if uri_raw is not None else None
        references = self.references.references_in(raw)
        return Route(
            api_id=api_id,
            protocol=protocol or self.protocol(api_id),
            route_key=route_key,
            method=method,
            path=path,
            integration_type=str(integration_type).lower() if integration_type else None,
            integration_uri=self.references.resolve(uri_raw) if uri_raw is not None else None,
            target_function=self.target_function(integration_type, uri_text, references),
            target_state_machine=next(
                (ref.logical_id for ref in references if ref.resource_type in STATE_MACHINE_TYPES),
                None,
            ),
            service_action=_service_action(uri_text, fields.get("integrationsubtype")),
            source=source,
            integration=raw,
            location=location,
        )

    def target_function(
        self, integration_type: Any, uri_text: str | None, references: tuple[ResourceRef, ...]
    ) -> str | None:
        lambda_uri = uri_text is not None and (":lambda:" in uri_text or "function:" in uri_text)
        if str(integration_type).lower() != "aws_proxy" and not lambda_uri:
            return None
        for ref in references:
            function_id = self.references.function_of(ref)
            if function_id is not None:
                return function_id
        if uri_text is None:
            return None
        invocation = LAMBDA_INVOCATION.search(uri_text)
        return self.references.function_named(invocation.group(1) if invocation else uri_text)


def _service_action(uri_text: str | None, subtype: Any) -> str | None:
    if isinstance(subtype, str) and "-" in subtype:
        service, _, action = subtype.partition("-")
        return f"{SUBTYPE_SERVICES.get(service, service.lower())}:{action}"
    match = SERVICE_ACTION.search(uri_text or "")
    return f"{match.group(1)}:{match.group(2)}" if match else None
