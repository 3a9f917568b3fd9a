"""API Gateway APIs (REST, HTTP, WebSocket) and their routes."""

from __future__ import annotations

from dataclasses import dataclass

from lambdaslim.model.location import Location
from lambdaslim.model.values import Raw, Value


@dataclass(frozen=True)
class Route:
    """One route and its integration.

    REST/HTTP routes have ``method`` and ``path`` and ``route_key`` ``"GET /orders/{id}"``;
    WebSocket routes only a ``route_key`` (``$connect``). ``integration_type`` is lower case
    (``aws_proxy``, ``aws``, ``http_proxy``, ``mock``...). ``service_action`` names an AWS service
    integration (``states:StartExecution``). ``source`` is ``openapi``, ``event`` (a SAM ``Events``
    entry) or ``resource`` (``AWS::ApiGateway::Method`` / ``AWS::ApiGatewayV2::Route``).
    """

    api_id: str
    protocol: str
    route_key: str
    method: str | None
    path: str | None
    integration_type: str | None
    integration_uri: Value
    target_function: str | None
    target_state_machine: str | None
    service_action: str | None
    source: str
    integration: Raw
    location: Location


@dataclass(frozen=True)
class Api:
    """An API. ``implicit`` APIs are the ones SAM creates for events without an explicit API
    (``ServerlessRestApi``, ``ServerlessHttpApi``)."""

    logical_id: str
    protocol: str
    resource_type: str | None
    routes: tuple[Route, ...]
    body: Raw
    location: Location
    implicit: bool = False
