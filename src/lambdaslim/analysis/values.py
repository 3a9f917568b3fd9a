"""What a Python name can stand for while a handler is interpreted, besides IR expressions.

These objects never leave the analysis: a step or a returned value that would contain one gets
an :class:`~lambdaslim.analysis.ir.Unknown` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeAlias

import libcst as cst

from lambdaslim.analysis.ir import Expr


@dataclass(frozen=True)
class Qual:
    """A module or an imported symbol, by qualified name (``boto3``, ``json.dumps``)."""

    name: str


@dataclass(frozen=True)
class Client:
    """A boto3 client (``style="client"``) or resource (``style="resource"``)."""

    service: str
    style: str
    config: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class Session:
    config: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class Table:
    """``boto3.resource("dynamodb").Table(name)``."""

    name: Expr
    config: tuple[tuple[str, Expr], ...] = ()


@dataclass(frozen=True)
class ConditionBuilder:
    """``Key("pk")`` / ``Attr("status")`` before its comparison method is called."""

    builder: str
    name: str


@dataclass(frozen=True)
class HttpResponse:
    """The response of the HttpCall at ``step``."""

    step: int
    library: str


@dataclass(frozen=True)
class HttpPool:
    """``urllib3.PoolManager()`` or an ``httpx``/``requests`` session-like object."""

    library: str


@dataclass(frozen=True)
class DateTime:
    """``datetime.now(...)``/``utcnow()``: a timestamp, until formatted. ``ctor`` says which."""

    line: int
    ctor: str


@dataclass(frozen=True)
class NoOp:
    """Logging, tracing and metrics objects: calling them changes nothing the workflow sees."""

    what: str


@dataclass(frozen=True)
class Context:
    """The Lambda context parameter."""


@dataclass(frozen=True)
class Function:
    """A function defined in the analysed module (or a lambda)."""

    name: str
    node: cst.FunctionDef


@dataclass(frozen=True)
class PynamoModel:
    """A PynamoDB model class: its table and its attributes (python name → item name)."""

    name: str
    table: Expr
    attributes: tuple[tuple[str, str], ...]
    hash_key: str | None
    range_key: str | None


@dataclass(frozen=True)
class PynamoItem:
    model: PynamoModel
    values: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class ExceptionClass:
    """A class derived from an exception, defined in the module or built in."""

    name: str


@dataclass(frozen=True)
class ExceptionValue:
    """``SomeError("message")``, as raised."""

    name: str
    message: Expr


Obj: TypeAlias = (
    Qual
    | Client
    | Session
    | Table
    | ConditionBuilder
    | HttpResponse
    | HttpPool
    | DateTime
    | NoOp
    | Context
    | Function
    | PynamoModel
    | PynamoItem
    | ExceptionClass
    | ExceptionValue
)
Value: TypeAlias = Expr | Obj
