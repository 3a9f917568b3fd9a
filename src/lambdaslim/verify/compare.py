"""Compare two runs of one case: the original application's and the optimized one's.

:func:`compare_runs` takes two :class:`RunObservation` and the differences the rewrite declared
(:class:`~lambdaslim.plan.Declared`) and returns every difference, each either **tolerated** (a
declaration explains it: listed with that declaration) or **not** (the runs diverge).

What is compared, in this order (the first difference is the one a report shows):

1. ``status``, ``error``, ``cause`` and ``output`` of the execution;
2. tables (rows matched by the table's key), queues (messages: ``body``, ``attributes``,
   ``group_id``), topics, event buses (``source``, ``detail-type``, ``detail``, ``resources``),
   buckets (objects by key);
3. HTTP requests to third parties (``method``, ``url``, ``query``, ``body``: headers are a
   transport detail, connection credentials differ by design), AWS calls answered by fixtures
   (``service``, ``operation``, ``params``) and WebSocket posts (``connectionId``, ``data``).

Lambda invocations, asynchronous invocations, states entered and state transitions are not
compared: removing them is the point of the rewrite. They are reported, for cost.

Value rules:

- JSON values are compared by value: object key order never matters, ``1`` equals ``1.0`` but
  ``true`` is not ``1``. Message, event and HTTP bodies are already parsed when they are JSON.
- A string that holds JSON text (an object or an array) on both sides is compared as the parsed
  value: a difference inside is reported at the string's path followed by the inner path
  (``$.attributes.cause.errorMessage``). When the values are equal but the texts are not, it is a
  difference of its own (serialisation), except for error causes (a key named ``Cause``/``cause``)
  and message attributes, which are always compared as values.
- A Lambda error payload (an object with ``errorMessage`` and ``errorType``) is compared without
  ``stackTrace`` and ``requestId``: where a function raised, a workflow's Fail state or catcher
  cannot reproduce its stack. This applies to the execution cause and to causes carried in data.
- Rows of a table are paired by key; messages, events, requests, calls and posts are paired as
  multisets (a standard queue and the branches of a Parallel promise no order): each original
  item takes the first optimized item equal to it up to tolerated differences, preferring the
  same position; items left over are paired in order and their first difference reported, and
  the rest are absent on one side.

Declarations (matching rules; a declaration of another kind tolerates nothing — ``marshalling``,
``text_conversion``, ``environment``, ``delivery_semantics``, ``async_errors``, ``http_headers``
(headers are not compared) describe risks a reviewer must weigh, not differences a run shows):

- ``generated`` with a ``path`` (``$.user.createdAt``, ``[*]``/``.*`` wildcards allowed):
  a difference at or under that path in the output or the cause is tolerated; so is, anywhere,
  a difference where the original value is the original output's value at that path and the
  optimized value the optimized output's (the same id stored in a table row, sent in a message,
  also inside a longer string: ``"ORDER#<id>"``); when ``where`` names a resource of the app
  (a table, queue, topic, bus or bucket), the path is also tolerated at the root of that
  resource's items (a generated value stored but not returned). Rows whose key is a generated
  value are paired through that rule. Only text and numbers count as generated values: a
  boolean at the path is tolerated there, not wherever a ``true`` became ``false``.
- ``error_name``: the execution error, or an ``Error`` in a catcher's ``{"Error", "Cause"}``
  object, may be renamed with a service prefix (``X`` -> ``DynamoDB.X``; ``ClientError`` -> any
  ``Service.X``; ``States.*`` are Step Functions' own errors, not a service's, and are never a
  rename); the cause that goes with a renamed error is then tolerated too.
- ``http_status``: an error may become ``States.Http.StatusCode.<code>`` (with its cause).
- ``missing_field``: ``KeyError`` may become ``States.Runtime`` (with its cause).
- These three rename an error only when the optimized run went through the state they were
  declared for (``where``: the state's name, or ``Machine: state 'Name'``).
- ``json_serialisation``: a JSON text in a string may differ in its serialisation as long as it
  holds the same value.
- ``callback_channel``: WebSocket posts of the original may be absent from the optimized run
  (the synchronous API answer replaces them). Posts the optimized run makes are still compared.
- ``event_resources``: an event put by the ``events:putEvents`` integration may carry more
  ``resources``: the state machine's and the execution's ARNs (``arn:aws:states:...``).

Every tolerated difference is kept (:attr:`CaseComparison.declared`) with the declaration that
tolerates it: nothing is ignored silently.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from lambdaslim.plan import Declared
from lambdaslim.verify.observation import RunObservation

Segment = str | int
Segments = tuple[Segment, ...]


class _Absent:
    """A value one side does not have (a missing key, row, message)."""

    def __repr__(self) -> str:
        return "ABSENT"


ABSENT: Final = _Absent()

_LAMBDA_ERROR_NOISE = frozenset({"stackTrace", "requestId"})
STATES_ERROR_PREFIX = "States"
"""``States.Runtime``, ``States.TaskFailed``...: Step Functions' own errors, no service's."""


@dataclass(frozen=True)
class Difference:
    """One thing that differs: ``what`` (``output``, ``table UsersTable row {id: "1"}``,
    ``queue Dlq message 0 body``), the JSONPath ``path`` inside it (None for a whole value), and
    both values (``ABSENT`` when one side has nothing there)."""

    what: str
    path: str | None
    original: Any = ABSENT
    optimized: Any = ABSENT

    def to_json(self) -> dict[str, Any]:
        document: dict[str, Any] = {"what": self.what, "path": self.path}
        for side in ("original", "optimized"):
            value = getattr(self, side)
            if value is not ABSENT:
                document[side] = value
        return document

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> Difference:
        """The difference :meth:`to_json` wrote (a side it left out is ``ABSENT``)."""
        return cls(
            document["what"],
            document.get("path"),
            document.get("original", ABSENT),
            document.get("optimized", ABSENT),
        )


@dataclass(frozen=True)
class Tolerated:
    """A difference a declaration of the plan explains."""

    difference: Difference
    declared: Declared

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.declared.kind,
            "where": self.declared.where,
            "message": self.declared.message,
            **self.difference.to_json(),
        }


@dataclass
class CaseComparison:
    differences: list[Difference] = field(default_factory=list)
    declared: list[Tolerated] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return not self.differences

    def extend(self, other: CaseComparison) -> None:
        self.differences += other.differences
        self.declared += other.declared


def compare_runs(
    original: RunObservation,
    optimized: RunObservation,
    declared: Iterable[Declared] = (),
    table_keys: Mapping[str, tuple[str, ...]] | None = None,
) -> CaseComparison:
    """Every difference between the two runs; ``table_keys`` names each table's key attributes
    (partition, then sort key), by logical id."""
    return _Comparison(original, optimized, tuple(declared), table_keys or {}).run()


def value_differences(original: Any, optimized: Any) -> list[tuple[str, Any, Any]]:
    """Where two JSON values differ, by the value rules above (no declaration applies):
    ``(path, original, optimized)``, ``ABSENT`` for a side that has nothing there."""
    return [
        (path_text(leaf.segments), leaf.original, leaf.optimized)
        for leaf in _leaves(original, optimized)
    ]


# -- paths ----------------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")
_PATH_PART = re.compile(r"\.([^.\[]+)|\[(\d+|\*)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")


def path_text(segments: Segments) -> str:
    text = "$"
    for segment in segments:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif _IDENTIFIER.match(segment):
            text += f".{segment}"
        else:
            text += "[" + json.dumps(segment) + "]"
    return text


def parse_path(path: str) -> Segments | None:
    """``$.a.b[0]['c d']`` as segments (``*`` for a wildcard); None when it is not such a path."""
    if not path.startswith("$"):
        return None
    segments: list[Segment] = []
    position = 1
    while position < len(path):
        match = _PATH_PART.match(path, position)
        if match is None:
            return None
        name, index, quoted, double_quoted = match.groups()
        if index is not None:
            segments.append("*" if index == "*" else int(index))
        else:
            segments.append(next(p for p in (name, quoted, double_quoted) if p is not None))
        position = match.end()
    return tuple(segments)


def _under(pattern: Segments, segments: Segments) -> bool:
    """Whether ``segments`` is at or under ``pattern`` (``*`` matches any one segment)."""
    return len(segments) >= len(pattern) and all(
        want == "*" or want == got for want, got in zip(pattern, segments, strict=False)
    )


def _value_at(value: Any, segments: Segments) -> Any:
    for segment in segments:
        in_list = isinstance(segment, int) and isinstance(value, list) and segment < len(value)
        if not (in_list or (isinstance(value, dict) and segment in value)):
            return ABSENT
        value = value[segment]
    return value


# -- values ---------------------------------------------------------------------------------------


def _same(a: Any, b: Any) -> bool:
    """JSON equality: key order aside, ``1 == 1.0``, but ``True`` is not ``1``; Lambda error
    payloads without their noise, at any depth (as :func:`_leaves` compares them)."""
    a, b = _without_noise(a), _without_noise(b)
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and a == b


def _json_text(value: Any) -> Any:
    """The parsed object or array a string holds, else ABSENT."""
    if not isinstance(value, str) or not value.lstrip().startswith(("{", "[")):
        return ABSENT
    try:
        parsed = json.loads(value)
    except ValueError:
        return ABSENT
    return parsed if isinstance(parsed, dict | list) else ABSENT


def _without_noise(value: Any) -> Any:
    if isinstance(value, dict) and "errorMessage" in value and "errorType" in value:
        return {k: v for k, v in value.items() if k not in _LAMBDA_ERROR_NOISE}
    return value


@dataclass(frozen=True)
class _Leaf:
    """A raw difference inside one document; ``text_only``: same JSON value, different text."""

    segments: Segments
    original: Any
    optimized: Any
    text_only: bool = False


def _leaves(a: Any, b: Any, segments: Segments = ()) -> Iterator[_Leaf]:
    a, b = _without_noise(a), _without_noise(b)
    if _same(a, b):
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            yield from _leaves(a.get(key, ABSENT), b.get(key, ABSENT), (*segments, key))
        return
    if isinstance(a, list) and isinstance(b, list):
        for index in range(max(len(a), len(b))):
            left = a[index] if index < len(a) else ABSENT
            right = b[index] if index < len(b) else ABSENT
            yield from _leaves(left, right, (*segments, index))
        return
    parsed_a, parsed_b = _json_text(a), _json_text(b)
    if parsed_a is not ABSENT and parsed_b is not ABSENT:
        if _same(parsed_a, parsed_b):
            yield _Leaf(segments, a, b, text_only=True)
        else:
            yield from _leaves(parsed_a, parsed_b, segments)
        return
    yield _Leaf(segments, a, b)


# -- declarations ---------------------------------------------------------------------------------


_RENAMING = frozenset({"error_name", "http_status", "missing_field"})
_STATE_WHERE = re.compile(r".*: state ('.*'|\".*\")")


def _state_of(declared: Declared) -> str:
    """The state a declaration is about: ``where`` is the state's name, or ``M: state 'X'``."""
    quoted = _STATE_WHERE.fullmatch(declared.where)
    return ast.literal_eval(quoted.group(1)) if quoted else declared.where


def _renamed_error(kind: str, original: Any, optimized: Any) -> bool:
    """Whether a declaration of ``kind`` explains error name ``original`` becoming ``optimized``."""
    if not isinstance(original, str) or not isinstance(optimized, str):
        return False
    if kind == "error_name":
        prefix, dot, rest = optimized.partition(".")
        service = bool(dot) and bool(prefix) and prefix != STATES_ERROR_PREFIX
        return service and (rest == original or original == "ClientError")
    if kind == "http_status":
        return optimized.startswith("States.Http.StatusCode.")
    if kind == "missing_field":
        return original == "KeyError" and optimized == "States.Runtime"
    return False


def _generated_scalar(value: Any) -> bool:
    """An id or a timestamp (text or a number), never a flag."""
    return isinstance(value, str | int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class _Generated:
    declared: Declared
    pattern: Segments | None
    values: tuple[Any, Any] | None


@dataclass(frozen=True)
class _Scope:
    """Where a document sits: ``output``, ``cause``, ``http``, ``aws``, ``websocket``, or the
    items of a resource (``tables``, ``queues``... and the resource's logical id)."""

    name: str
    resource: str | None = None
    cause_is_error_of: Declared | None = None


# -- the comparison -------------------------------------------------------------------------------


class _Comparison:
    def __init__(
        self,
        original: RunObservation,
        optimized: RunObservation,
        declared: tuple[Declared, ...],
        table_keys: Mapping[str, tuple[str, ...]],
    ):
        self.original = original
        self.optimized = optimized
        self.declared = declared
        self.table_keys = table_keys
        self.generated = [self._generated(d) for d in declared if d.kind == "generated" and d.path]
        entered = set(optimized.states_entered)
        # An error is renamed only by a declaration of a state this run went through.
        self.renamers = [d for d in declared if d.kind in _RENAMING and _state_of(d) in entered]
        self.result = CaseComparison()

    def _generated(self, declared: Declared) -> _Generated:
        pattern = parse_path(declared.path or "")
        values = None
        if pattern is not None and "*" not in pattern:
            a = _value_at(self.original.output, pattern)
            b = _value_at(self.optimized.output, pattern)
            if _generated_scalar(a) and _generated_scalar(b) and not _same(a, b):
                values = (a, b)
        return _Generated(declared, pattern, values)

    def _first(self, kind: str) -> Declared | None:
        return next((d for d in self.declared if d.kind == kind), None)

    def run(self) -> CaseComparison:
        original, optimized = self.original, self.optimized
        if original.status != optimized.status:
            self.result.differences.append(
                Difference("status", None, original.status, optimized.status)
            )
        renamed = self._compare_error(original.error, optimized.error)
        cause_scope = _Scope("cause", cause_is_error_of=renamed)
        self._commit(self._document("cause", False, original.cause, optimized.cause, cause_scope))
        self._commit(
            self._document("output", False, original.output, optimized.output, _Scope("output"))
        )
        for table in sorted(set(original.tables) | set(optimized.tables)):
            self._table(table, original.tables.get(table, []), optimized.tables.get(table, []))
        for kind, noun, item in (
            ("queues", "queue", "message"),
            ("topics", "topic", "message"),
            ("events", "bus", "event"),
        ):
            mine: dict[str, list[Any]] = getattr(original, kind)
            theirs: dict[str, list[Any]] = getattr(optimized, kind)
            for name in sorted(set(mine) | set(theirs)):
                self._items(
                    f"{noun} {name} {item}",
                    mine.get(name, []),
                    theirs.get(name, []),
                    _Scope(kind, name),
                )
        for bucket in sorted(set(original.objects) | set(optimized.objects)):
            objects = original.objects.get(bucket, {})
            self._objects(bucket, objects, optimized.objects.get(bucket, {}))
        self._items(
            "http request",
            [_http(r) for r in original.http_requests],
            [_http(r) for r in optimized.http_requests],
            _Scope("http"),
        )
        self._items(
            "aws call", original.aws_fixture_calls, optimized.aws_fixture_calls, _Scope("aws")
        )
        self._items(
            "websocket post",
            [_post(p) for p in original.websocket_posts],
            [_post(p) for p in optimized.websocket_posts],
            _Scope("websocket"),
            dropped=self._first("callback_channel"),
        )
        return self.result

    def _commit(self, comparison: CaseComparison) -> None:
        self.result.extend(comparison)

    # -- execution error ------------------------------------------------------------------------

    def _compare_error(self, original: str | None, optimized: str | None) -> Declared | None:
        """Compare the error names; the declaration that renamed the error, if one did."""
        if original == optimized:
            return None
        difference = Difference("error", None, original, optimized)
        renamer = next(
            (d for d in self.renamers if _renamed_error(d.kind, original, optimized)), None
        )
        if renamer is not None:
            self.result.declared.append(Tolerated(difference, renamer))
        else:
            self.result.differences.append(difference)
        return renamer

    # -- one document ---------------------------------------------------------------------------

    def _document(self, what: str, sections: bool, a: Any, b: Any, scope: _Scope) -> CaseComparison:
        """Compare two values; with ``sections``, the first segment of a path joins ``what``
        (``queue Q message 0`` + ``body``), as items have named parts."""
        comparison = CaseComparison()
        leaves = list(_leaves(a, b))
        renamed = self._renamed_catches(leaves)
        for leaf in leaves:
            if leaf.text_only and _always_as_value(leaf.segments, scope):
                continue
            difference = _difference(what, sections, leaf)
            declaration = self._tolerating(leaf, scope, renamed)
            if declaration is not None:
                comparison.declared.append(Tolerated(difference, declaration))
            else:
                comparison.differences.append(difference)
        return comparison

    def _renamed_catches(self, leaves: list[_Leaf]) -> dict[Segments, Declared]:
        """Catcher objects (``{"Error", "Cause"}``) whose ``Error`` a declaration renamed."""
        renamed: dict[Segments, Declared] = {}
        for leaf in leaves:
            if leaf.segments and leaf.segments[-1] == "Error":
                for declared in self.renamers:
                    if _renamed_error(declared.kind, leaf.original, leaf.optimized):
                        renamed[leaf.segments[:-1]] = declared
                        break
        return renamed

    def _tolerating(
        self, leaf: _Leaf, scope: _Scope, renamed: dict[Segments, Declared]
    ) -> Declared | None:
        segments = leaf.segments
        if leaf.text_only:
            serialisation = self._first("json_serialisation")
            if serialisation is not None:
                return serialisation
        if scope.cause_is_error_of is not None:
            return scope.cause_is_error_of
        for catch, declared in renamed.items():
            inside = segments[len(catch) :]
            if segments[: len(catch)] == catch and inside and inside[0] in ("Error", "Cause"):
                return declared
        for generated in self.generated:
            if self._generated_explains(generated, leaf, scope):
                return generated.declared
        added_arn = isinstance(leaf.optimized, str) and leaf.optimized.startswith("arn:aws:states:")
        if scope.name == "events" and segments[:1] == ("resources",) and added_arn:
            return self._first("event_resources") if leaf.original is ABSENT else None
        return None

    def _generated_explains(self, generated: _Generated, leaf: _Leaf, scope: _Scope) -> bool:
        pattern = generated.pattern
        if pattern is not None:
            if scope.name in ("output", "cause") and _under(pattern, leaf.segments):
                return True
            if scope.resource is not None and scope.resource == generated.declared.where:
                sectioned = scope.name in ("queues", "topics", "events")
                if _under(pattern, leaf.segments[1:] if sectioned else leaf.segments):
                    return True
        if generated.values is None:
            return False
        was, now = generated.values
        a, b = leaf.original, leaf.optimized
        if _same(a, was) and _same(b, now):
            return True
        return (
            isinstance(a, str)
            and isinstance(b, str)
            and isinstance(was, str)
            and isinstance(now, str)
            and was in a
            and a.replace(was, now) == b
        )

    def _clean(self, a: Any, b: Any, scope: _Scope) -> bool:
        return not self._document("", False, a, b, scope).differences

    # -- collections ----------------------------------------------------------------------------

    def _table(self, table: str, rows: list[dict[str, Any]], others: list[dict[str, Any]]) -> None:
        keys = self.table_keys.get(table) or ()
        scope = _Scope("tables", table)

        def key(row: dict[str, Any]) -> dict[str, Any]:
            return {name: row.get(name, ABSENT) for name in keys}

        used: set[int] = set()
        for row in rows:
            match = next(
                (
                    j
                    for j, other in enumerate(others)
                    if j not in used and self._clean(key(row), key(other), scope)
                ),
                None,
            )
            what = f"table {table} row {_key_text(key(row))}"
            if match is None:
                self.result.differences.append(Difference(what, None, row, ABSENT))
                continue
            used.add(match)
            self._commit(self._document(what, False, row, others[match], scope))
        for j, other in enumerate(others):
            if j not in used:
                what = f"table {table} row {_key_text(key(other))}"
                self.result.differences.append(Difference(what, None, ABSENT, other))

    def _items(
        self,
        what: str,
        items: list[Any],
        others: list[Any],
        scope: _Scope,
        dropped: Declared | None = None,
    ) -> None:
        """Pair items as multisets (see the module docstring) and compare each pair."""
        pairs: dict[int, int] = {}
        for i, item in enumerate(items):
            order = ([i] if i < len(others) else []) + [j for j in range(len(others)) if j != i]
            for j in order:
                if j not in pairs.values() and self._clean(item, others[j], scope):
                    pairs[i] = j
                    break
        left = [i for i in range(len(items)) if i not in pairs]
        right = [j for j in range(len(others)) if j not in pairs.values()]
        if dropped is None:
            pairs.update(zip(left, right, strict=False))
            left, right = left[len(right) :], right[len(left) :]
        for i in sorted(pairs):
            pair = items[i], others[pairs[i]]
            self._commit(self._document(f"{what} {i}", True, *pair, scope))
        for i in left:
            difference = Difference(f"{what} {i}", None, items[i], ABSENT)
            if dropped is not None:
                self.result.declared.append(Tolerated(difference, dropped))
            else:
                self.result.differences.append(difference)
        for j in right:
            self.result.differences.append(
                Difference(f"{what} {j} (only in the optimized run)", None, ABSENT, others[j])
            )

    def _objects(self, bucket: str, objects: dict[str, str], others: dict[str, str]) -> None:
        scope = _Scope("objects", bucket)
        for key in [*objects, *(k for k in others if k not in objects)]:
            a, b = objects.get(key, ABSENT), others.get(key, ABSENT)
            self._commit(
                self._document(
                    f"bucket {bucket} object {key}", False, _parsed(a), _parsed(b), scope
                )
            )


def _always_as_value(segments: Segments, scope: _Scope) -> bool:
    """Error causes and message attributes are compared as JSON values, whatever their text."""
    is_cause = any(isinstance(s, str) and s.lower() == "cause" for s in segments)
    attribute = scope.name in ("queues", "topics") and segments[:1] == ("attributes",)
    return is_cause or attribute or scope.name == "cause"


def _difference(what: str, sections: bool, leaf: _Leaf) -> Difference:
    segments = leaf.segments
    if sections and segments:
        what, segments = f"{what} {segments[0]}", segments[1:]
        path = path_text(segments) if segments else None
    else:
        path = path_text(segments) if segments or what == "output" else None
    return Difference(what, path, leaf.original, leaf.optimized)


def _key_text(key: dict[str, Any]) -> str:
    parts = [f"{name}: {json.dumps(value)}" for name, value in key.items() if value is not ABSENT]
    return "{" + ", ".join(parts) + "}"


def _parsed(text: Any) -> Any:
    if not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _http(request: dict[str, Any]) -> dict[str, Any]:
    return {key: request.get(key) for key in ("method", "url", "query", "body")}


def _post(post: dict[str, Any]) -> dict[str, Any]:
    return {key: post.get(key) for key in ("connectionId", "data")}


def table_keys_of(tables: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Key attribute names per table, from the model's :class:`~lambdaslim.model.Table`."""
    return {
        logical_id: tuple(k.name for k in (table.partition_key, table.sort_key) if k is not None)
        for logical_id, table in tables.items()
    }
