"""The read-only model of a serverless application (no libcst, click or moto in here)."""

from lambdaslim.model.apis import Api, Route
from lambdaslim.model.application import Application
from lambdaslim.model.functions import Function
from lambdaslim.model.links import TaskLink
from lambdaslim.model.location import Location, Warning
from lambdaslim.model.resources import KeyAttribute, Resource, Table, TableIndex
from lambdaslim.model.state_machines import StateMachine, StatePath, definition_pointer
from lambdaslim.model.values import (
    Expression,
    ParameterRef,
    Raw,
    ResourceRef,
    Value,
    references_of,
)

__all__ = [
    "Api",
    "Application",
    "Expression",
    "Function",
    "KeyAttribute",
    "Location",
    "ParameterRef",
    "Raw",
    "Resource",
    "ResourceRef",
    "Route",
    "StateMachine",
    "StatePath",
    "Table",
    "TableIndex",
    "TaskLink",
    "Value",
    "Warning",
    "definition_pointer",
    "references_of",
]
