"""The handler summary: a small, closed intermediate representation of what a handler does.

A handler is replaceable only if everything it does is captured exactly by these nodes. Anything
the analyzer cannot express becomes :class:`Unknown` (with the reason and the line), and the
classifier keeps such a handler.

Every node is a frozen dataclass; sequences are tuples so nodes are hashable and comparable.
``to_dict``/``from_dict`` give a JSON-compatible form (a type tag per node) so summaries
can be cached; the node type is under the key
``"_type"``. ``Const`` only holds JSON scalars: dict and list literals are ``DictExpr`` and
``ListExpr``.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias

PathPart: TypeAlias = str | int
Path: TypeAlias = tuple[PathPart, ...]
Scalar: TypeAlias = str | int | float | bool | None


# --------------------------------------------------------------------------------------------
# Expressions


@dataclass(frozen=True)
class Const:
    """A literal JSON scalar (``"x"``, ``1``, ``2.5``, ``True``, ``None``)."""

    value: Scalar


@dataclass(frozen=True)
class EventPath:
    """A value read from the event. ``EventPath(())`` is the event itself.

    ``optional`` is true when the last part was read with ``.get`` (missing → ``default``, or
    ``None`` when ``default`` is None); otherwise a missing key raises in Python.
    """

    path: Path
    optional: bool = False
    default: Expr | None = None


@dataclass(frozen=True)
class EnvRef:
    """An environment variable (``os.environ["X"]``, ``os.environ.get("X", d)``, ``os.getenv``).

    ``required`` is true for ``os.environ["X"]`` (a missing variable raises ``KeyError``).
    """

    name: str
    default: Expr | None = None
    required: bool = False


@dataclass(frozen=True)
class CallResult:
    """A part of the result of step number ``step`` (an SdkCall or HttpCall) in ``steps``.

    For an HttpCall the path starts with the response attribute: ``("json", ...)`` for
    ``response.json()[...]``, ``("status_code",)``, ``("text",)``, ``("headers", name)``.
    """

    step: int
    path: Path = ()
    optional: bool = False
    default: Expr | None = None


@dataclass(frozen=True)
class PathInto:
    """A path into another expression's value, e.g. ``json.loads(event["body"])["id"]``."""

    base: Expr
    path: Path
    optional: bool = False
    default: Expr | None = None


@dataclass(frozen=True)
class JsonDumps:
    """``json.dumps(arg, **options)``: Python's separators differ from Step Functions'."""

    arg: Expr
    options: tuple[tuple[str, Scalar], ...] = ()


@dataclass(frozen=True)
class JsonLoads:
    arg: Expr


@dataclass(frozen=True)
class StrCase:
    arg: Expr
    op: Literal["lower", "upper"]


@dataclass(frozen=True)
class Concat:
    """String concatenation: f-strings and ``+`` on strings. Non-string parts are ``str()``-ed."""

    parts: tuple[Expr, ...]


@dataclass(frozen=True)
class DictExpr:
    items: tuple[tuple[str, Expr], ...]


@dataclass(frozen=True)
class ListExpr:
    items: tuple[Expr, ...]


CompareOp: TypeAlias = Literal[
    "==", "!=", "<", "<=", ">", ">=", "in", "not in", "is None", "is not None"
]


@dataclass(frozen=True)
class Compare:
    """A comparison. For ``is None``/``is not None`` ``right`` is ``Const(None)``."""

    op: CompareOp
    left: Expr
    right: Expr


@dataclass(frozen=True)
class BoolOp:
    """Python ``and``/``or``. Used in a condition only (operands are truth-tested)."""

    op: Literal["and", "or"]
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Not:
    operand: Expr


@dataclass(frozen=True)
class Truthy:
    """Python truthiness of a value: false for None, False, 0, "", [], {}."""

    arg: Expr


@dataclass(frozen=True)
class KeyCondition:
    """One ``boto3.dynamodb.conditions`` condition: ``Key("pk").eq(x)``, ``Attr("s").exists()``.

    ``builder`` is ``"Key"`` or ``"Attr"``; ``op`` the method name (``eq``, ``begins_with``,
    ``between``, ``exists``, ...); ``values`` its arguments.
    """

    builder: Literal["Key", "Attr"]
    name: str
    op: str
    values: tuple[Expr, ...] = ()


@dataclass(frozen=True)
class ConditionExpr:
    """Conditions combined with ``&`` (``"and"``), ``|`` (``"or"``) or ``~`` (``"not"``)."""

    op: Literal["and", "or", "not"]
    operands: tuple[Expr, ...]


@dataclass(frozen=True)
class Generated:
    """A nondeterministic value the rewrite must produce itself and declare.

    ``kind`` is ``"uuid"`` or ``"timestamp"``; ``detail`` says which form
    (``"uuid4"``, ``"isoformat"``, ``"epoch_seconds_float"``, ``"epoch_seconds_int"``, ...).
    """

    kind: Literal["uuid", "timestamp"]
    line: int
    detail: str = ""


@dataclass(frozen=True)
class ContextRef:
    """An attribute of the Lambda context object (``context.aws_request_id``)."""

    attr: str


@dataclass(frozen=True)
class WithKeys:
    """``base`` with these paths set, e.g. a copy of the event mutated before it is used."""

    base: Expr
    assignments: tuple[tuple[Path, Expr], ...]


@dataclass(frozen=True)
class Unknown:
    """Something outside the IR. ``reason`` is a complete sentence fragment for a reviewer."""

    reason: str
    line: int


Expr: TypeAlias = (
    Const
    | EventPath
    | EnvRef
    | CallResult
    | PathInto
    | JsonDumps
    | JsonLoads
    | StrCase
    | Concat
    | DictExpr
    | ListExpr
    | Compare
    | BoolOp
    | Not
    | Truthy
    | KeyCondition
    | ConditionExpr
    | Generated
    | ContextRef
    | WithKeys
    | Unknown
)


# --------------------------------------------------------------------------------------------
# Steps


@dataclass(frozen=True)
class SdkCall:
    """One AWS SDK call.

    ``service`` is the boto3 client name (``"dynamodb"``), ``operation`` the botocore operation
    name (``"PutItem"``), ``method`` the Python method called (``"put_item"``).
    ``params`` are the API's parameters. For the resource and PynamoDB styles they are the
    *Python* values the call was given (not DynamoDB-typed ``{"S": ...}``) and ``target`` is the
    table name; ``TableName`` is not repeated in ``params``.
    ``client_config`` holds what configured the client (``region_name``, ``endpoint_url``,
    ``config``), which a direct integration may not be able to reproduce.
    """

    service: str
    operation: str
    method: str
    params: tuple[tuple[str, Expr], ...]
    api_style: Literal["client", "resource", "pynamodb"]
    line: int
    target: Expr | None = None
    client_config: tuple[tuple[str, Expr], ...] = ()
    result_var: str | None = None


@dataclass(frozen=True)
class HttpCall:
    """One third-party HTTP call (``requests``, ``httpx`` or ``urllib3``)."""

    library: Literal["requests", "httpx", "urllib3"]
    method: str
    url: Expr
    line: int
    query: Expr | None = None
    headers: Expr | None = None
    body: Expr | None = None
    json_body: Expr | None = None
    timeout: Expr | None = None
    raises_for_status: bool = False
    result_var: str | None = None


@dataclass(frozen=True)
class Guard:
    """Raise ``error`` (the exception class name, as Lambda reports it) when ``condition``."""

    condition: Expr
    error: str
    message: Expr
    line: int


@dataclass(frozen=True)
class Assign:
    """Set ``path`` in the event (``event["status"] = ...``); later reads see the new value."""

    path: Path
    value: Expr
    line: int


@dataclass(frozen=True)
class ReturnIf:
    """Return ``value`` early when ``condition`` holds (``if not item: return {...}``)."""

    condition: Expr
    value: Expr
    line: int


Step: TypeAlias = SdkCall | HttpCall | Guard | Assign | ReturnIf


# --------------------------------------------------------------------------------------------
# The summary


@dataclass(frozen=True)
class ErrorHandling:
    """A ``try``/``except`` in the handler.

    ``kind``: ``"transparent"`` (logs and re-raises the same error), ``"swallow"`` (catches and
    returns or continues), ``"transform"`` (raises another error).
    """

    kind: Literal["transparent", "swallow", "transform"]
    line: int
    caught: tuple[str, ...] = ()
    raises: str | None = None


@dataclass(frozen=True)
class HandlerSummary:
    """What one handler does.

    ``returns`` is the value of the final ``return`` (``EventPath(())`` for the event itself),
    or None when the body ends without one (the function returns null). ``returns_line`` is
    that return's line. ``unknowns`` non-empty means the handler must be kept.
    """

    file: str
    function: str
    line: int
    params: tuple[str, ...] = ()
    env_vars_read: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    returns: Expr | None = None
    returns_line: int | None = None
    error_handling: tuple[ErrorHandling, ...] = ()
    unknowns: tuple[Unknown, ...] = ()
    imports_seen: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    exception_classes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return to_dict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> HandlerSummary:
        node = from_dict(data)
        if not isinstance(node, HandlerSummary):
            raise ValueError("not a HandlerSummary")
        return node


# --------------------------------------------------------------------------------------------
# JSON form

_NODE_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (
        Const, EventPath, EnvRef, CallResult, PathInto, JsonDumps, JsonLoads, StrCase, Concat,
        DictExpr, ListExpr, Compare, BoolOp, Not, Truthy, KeyCondition, ConditionExpr,
        Generated, ContextRef, WithKeys, Unknown, SdkCall, HttpCall, Guard, Assign, ReturnIf,
        ErrorHandling, HandlerSummary,
    )
}


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def field_names(node: object) -> tuple[str, ...]:
    """The field names of a dataclass instance, () for anything else.

    Memoised per class: ``dataclasses.fields`` rebuilds its answer on every call, and the IR is
    walked hundreds of thousands of times in a large repository.
    """
    cls = type(node)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = ()
        if dataclasses.is_dataclass(cls) and not issubclass(cls, type):
            names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELD_NAMES[cls] = names
    return names


_LEAVES = frozenset({str, int, float, bool, type(None)})
_CHILDREN: dict[type, Callable[[object], tuple[object, ...]]] = {}


def walk(node: object) -> Iterator[object]:
    """``node`` and every value inside it (fields of dataclasses, items of tuples), pre-order.

    The IR is walked hundreds of thousands of times in a large repository (classification
    walks each summary several times): the fields of each class are read by one
    ``attrgetter``, last first, and plain values are never looked up."""
    stack = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        current = pop()
        yield current
        cls = type(current)
        if cls in _LEAVES:
            continue
        children = _CHILDREN.get(cls)
        if children is None:
            children = _CHILDREN[cls] = _children_reversed(current)
        extend(children(current))


def _children_reversed(node: object) -> Callable[[object], tuple[object, ...]]:
    """What ``walk`` pushes for a node of this class: its fields (or tuple items), reversed."""
    names = field_names(node)
    if len(names) > 1:
        return operator.attrgetter(*reversed(names))
    if names:
        single = operator.attrgetter(names[0])
        return lambda current: (single(current),)
    if isinstance(node, tuple):
        return lambda current: tuple(reversed(current))  # type: ignore[call-overload]
    return lambda current: ()


def to_dict(node: Any) -> Any:
    """The JSON-compatible form of a node (or of a value inside one)."""
    names = field_names(node)
    if names:
        out: dict[str, Any] = {"_type": type(node).__name__}
        for name in names:
            out[name] = to_dict(getattr(node, name))
        return out
    if isinstance(node, tuple | list):
        return [to_dict(item) for item in node]
    return node


def from_dict(data: Any) -> Any:
    """Rebuild a node from :func:`to_dict`'s output. Lists become tuples."""
    if isinstance(data, dict):
        cls = _NODE_TYPES.get(data.get("_type", ""))
        if cls is None:
            raise ValueError(f"unknown IR node type: {data.get('_type')!r}")
        return cls(**{k: from_dict(v) for k, v in data.items() if k != "_type"})
    if isinstance(data, list):
        return tuple(from_dict(item) for item in data)
    return data
