"""Handler-level classification: what may replace a handler, judged from its summary alone.

Categories: ``transport`` (one SDK call), ``query_decision`` (one SDK call, then guards or early
returns), ``decision`` (guards and data shaping only), ``http`` (one third-party HTTP call) and
``keep``. The context categories (``workflow_entry``, ``callback_channel``) are decided later from
the application model; :attr:`HandlerVerdict.sdk_call` exposes the call they need to see.

A wrong "replace" is the worst outcome, so every doubt keeps the handler, with the reason and the
line that decides it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from lambdaslim.analysis.ir import (
    Assign,
    BoolOp,
    CallResult,
    Compare,
    Concat,
    Const,
    ContextRef,
    DictExpr,
    EnvRef,
    EventPath,
    Expr,
    Generated,
    Guard,
    HandlerSummary,
    HttpCall,
    JsonDumps,
    Not,
    PathInto,
    ReturnIf,
    SdkCall,
    StrCase,
    Truthy,
    WithKeys,
    field_names,
    walk,
)

_PORTABLE_CONFIG = frozenset({"retries", "connect_timeout", "read_timeout", "max_pool_connections",
                              "user_agent_extra", "tcp_keepalive"})


class RuleLike(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def integration(self) -> str: ...
    @property
    def error_prefix(self) -> str: ...


class CatalogLike(Protocol):
    """The part of :class:`lambdaslim.catalog.Catalog` the classifier uses."""

    def match_sdk_call(self, service: str, operation: str, api_style: str) -> RuleLike | None: ...
    def for_category(self, category: str) -> RuleLike: ...
    def sdk_integration_arn(self, service: str, operation: str) -> str: ...
    def sdk_error_prefix(self, service: str) -> str: ...


@dataclass(frozen=True)
class Reason:
    message: str
    file: str
    line: int | None


@dataclass(frozen=True)
class Declared:
    """A difference the rewrite keeps on purpose and must state in the plan.

    ``kind``: ``generated`` (uuid/timestamp produced by the workflow), ``json_serialisation``
    (compact JSON instead of ``json.dumps``), ``marshalling`` (boto3 resource/PynamoDB Python
    values become DynamoDB typed values), ``error_name`` (errors are renamed), ``missing_field``
    (a missing event field fails with ``States.Runtime``), ``environment`` (an environment
    variable is resolved at deploy time), ``http_status``, ``async_errors``.
    """

    kind: str
    message: str
    line: int | None


@dataclass(frozen=True)
class HandlerVerdict:
    category: str
    rule_id: str | None
    integration: str | None
    reasons: tuple[Reason, ...]
    needs_jsonata: bool
    declared: tuple[Declared, ...]
    decisive_line: int | None
    summary: HandlerSummary
    #: The rule of the SDK call itself (LS101..LS109) for transport and query_decision.
    call_rule_id: str | None = None

    @property
    def replaceable(self) -> bool:
        return self.category != "keep"

    @property
    def sdk_call(self) -> SdkCall | None:
        """The one SDK call (``stepfunctions.StartExecution`` for a workflow entry, ...)."""
        calls = [s for s in self.summary.steps if isinstance(s, SdkCall)]
        return calls[0] if len(calls) == 1 else None


def classify_handler(
    summary: HandlerSummary, catalog: CatalogLike, *, invoked_async: bool = False
) -> HandlerVerdict:
    return _Classifier(summary, catalog, invoked_async).run()


class _Keep(Exception):
    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


class _Classifier:
    def __init__(self, summary: HandlerSummary, catalog: CatalogLike, invoked_async: bool):
        self.summary = summary
        self.catalog = catalog
        self.invoked_async = invoked_async
        self.declared: list[Declared] = []

    def reason(self, message: str, line: int | None) -> Reason:
        return Reason(message, self.summary.file, line)

    def keep(self, reasons: list[Reason]) -> HandlerVerdict:
        return HandlerVerdict(
            "keep", None, None, tuple(reasons), False, (), reasons[0].line, self.summary
        )

    def run(self) -> HandlerVerdict:
        summary = self.summary
        if summary.unknowns:
            return self.keep([self.reason(u.reason, u.line) for u in summary.unknowns])
        try:
            self.check_error_handling()
            return self.categorise()
        except _Keep as keep:
            return self.keep([self.reason(keep.message, keep.line)])

    def check_error_handling(self) -> None:
        for handling in self.summary.error_handling:
            if handling.kind == "transparent":
                continue
            caught = ", ".join(handling.caught) or "errors"
            if self.invoked_async:
                self.declared.append(Declared(
                    "async_errors",
                    f"the except block at line {handling.line} ({handling.kind} of {caught}) is "
                    "dropped: the function is invoked asynchronously, so the workflow never saw "
                    "its errors", handling.line))
                continue
            if handling.kind == "swallow":
                raise _Keep(f"catches {caught} at line {handling.line} and does not re-raise: "
                            "the workflow would see a failure where the function succeeded",
                            handling.line)
            raise _Keep(f"catches {caught} at line {handling.line} and raises "
                        f"{handling.raises} instead", handling.line)

    def categorise(self) -> HandlerVerdict:
        steps = self.summary.steps
        calls = [s for s in steps if isinstance(s, SdkCall | HttpCall)]
        if len(calls) > 1:
            lines = ", ".join(str(c.line) for c in calls)
            raise _Keep(f"{len(calls)} API calls (lines {lines}): a second call with logic "
                        "around it is not a single transport", calls[1].line)
        call = calls[0] if calls else None
        index = steps.index(call) if call is not None else len(steps)
        after = steps[index + 1:]
        for step in steps:
            if isinstance(step, Guard | ReturnIf):
                self.check_condition(step.condition, step.line)
        for node, line in self.values():
            self.check_value(node, line)
            self.check_response_read(node, line)
        if isinstance(call, HttpCall):
            return self.http(call)
        if isinstance(call, SdkCall):
            decides = any(isinstance(s, Guard | ReturnIf) for s in after)
            return self.sdk(call, "query_decision" if decides else "transport")
        rule = self.catalog.for_category("decision")
        first = steps[0].line if steps else self.summary.returns_line
        return self.verdict("decision", rule.id, rule.integration, first, [self.reason(
            "only guards and data shaping over the event", first)])

    # ---- categories -----------------------------------------------------------------------

    def sdk(self, call: SdkCall, category: str) -> HandlerVerdict:
        rule = self.catalog.match_sdk_call(call.service, call.operation, call.api_style)
        if rule is None:
            raise _Keep(f"Step Functions has no integration for {call.service}.{call.operation} "
                        f"called through the boto3 {call.api_style} API", call.line)
        integration = rule.integration
        if "{" in integration:
            integration = self.catalog.sdk_integration_arn(call.service, call.operation)
        self.check_client_config(call)
        if call.api_style in ("resource", "pynamodb"):
            self.declared.append(Declared(
                "marshalling", f"the {call.api_style} API's Python values are written as typed "
                "DynamoDB values ({'S': ...}); numbers and nested values must be marshalled the "
                "same way", call.line))
        prefix = rule.error_prefix
        if "{" in prefix:  # the generic aws-sdk rule: the prefix depends on the service
            prefix = self.catalog.sdk_error_prefix(call.service)
        self.declared.append(Declared(
            "error_name", f"{call.service}.{call.operation} errors are named "
            f"{prefix}<Error> instead of the boto3 exception class name", call.line))
        chosen = rule if category == "transport" else self.catalog.for_category(category)
        message = (f"one {call.service}.{call.operation} call (line {call.line}) built from the "
                   "event, environment variables and constants")
        if category == "query_decision":
            message += ", followed by decisions on its result"
        return self.verdict(category, chosen.id, integration, call.line,
                            [self.reason(message, call.line)], call_rule_id=rule.id)

    def http(self, call: HttpCall) -> HandlerVerdict:
        rule = self.catalog.for_category("http")
        reads_status = any(
            isinstance(node, CallResult) and node.path[:1] in (("status_code",), ("status",),
                                                               ("ok",))
            for value, _ in self.values()
            for node in walk(value)
        )
        if reads_status and not call.raises_for_status:
            raise _Keep(f"reads the HTTP status of the call at line {call.line}: an HTTP task "
                        "fails on a non-2xx status before any decision can see it", call.line)
        self.declared.append(Declared(
            "http_status", "a non-2xx response fails the task with States.Http.StatusCode.<code>"
            + (" instead of requests' HTTPError" if call.raises_for_status else
               " where the function went on with the response"), call.line))
        message = f"one {call.library} {call.method} call (line {call.line}) and decisions on it"
        return self.verdict("http", rule.id, rule.integration, call.line,
                            [self.reason(message, call.line)])

    def check_client_config(self, call: SdkCall) -> None:
        """A client pinned to its own region, endpoint or credentials cannot move to the
        workflow; retry and timeout settings can (the task's Retry and timeout replace them)."""
        for key, value in call.client_config:
            if key == "region_name" and isinstance(value, EnvRef) and value.name in (
                    "AWS_REGION", "AWS_DEFAULT_REGION"):
                continue
            if key == "config" and isinstance(value, DictExpr) and all(
                    k in _PORTABLE_CONFIG for k, _ in value.items):
                self.declared.append(Declared(
                    "client_config", f"the client's botocore Config at line {call.line} "
                    "(retries/timeouts) is replaced by the task's Retry and timeout", call.line))
                continue
            raise _Keep(f"the {call.service} client is configured with {key}= (used at line "
                        f"{call.line}), which a direct integration cannot reproduce", call.line)

    def verdict(
        self,
        category: str,
        rule_id: str,
        integration: str | None,
        line: int | None,
        reasons: list[Reason],
        call_rule_id: str | None = None,
    ) -> HandlerVerdict:
        self.declare_values()
        return HandlerVerdict(
            category, rule_id, integration, tuple(reasons), self.needs_jsonata(),
            tuple(dict.fromkeys(self.declared)), line, self.summary, call_rule_id,
        )

    # ---- checks ---------------------------------------------------------------------------

    def values(self, conditions: bool = True) -> Iterator[tuple[Expr, int | None]]:
        """Every expression the handler's behaviour depends on, with its line."""
        for step in self.summary.steps:
            if isinstance(step, SdkCall):
                for _, value in step.params:
                    yield value, step.line
                if step.target is not None:
                    yield step.target, step.line
            elif isinstance(step, HttpCall):
                for part in (step.url, step.query, step.headers, step.body, step.json_body,
                             step.timeout):
                    if part is not None:
                        yield part, step.line
            elif isinstance(step, Guard):
                if conditions:
                    yield step.condition, step.line
                yield step.message, step.line
            elif isinstance(step, Assign | ReturnIf):
                yield step.value, step.line
                if isinstance(step, ReturnIf) and conditions:
                    yield step.condition, step.line
        if self.summary.returns is not None:
            yield self.summary.returns, self.summary.returns_line

    def check_value(self, expr: Expr, line: int | None) -> None:
        for node in walk(expr):
            if isinstance(node, ContextRef):
                raise _Keep(f"uses the Lambda context (context.{node.attr}) at line {line}, "
                            "which a workflow does not have", line)

    def check_response_read(self, expr: Expr, line: int | None) -> None:
        """The whole boto3 response (``return response``) or its ``ResponseMetadata`` is not
        what an integration returns: boto3 adds ``ResponseMetadata`` (request id, HTTP status
        and headers), a Task's result has ``SdkHttpMetadata``/``SdkResponseMetadata`` instead.
        ``"Item" in response`` only tests a key, which both have alike."""
        stack: list[object] = [expr]
        while stack:
            node = stack.pop()
            if isinstance(node, Compare) and node.op in ("in", "not in") and isinstance(
                    node.right, CallResult) and not node.right.path:
                stack.append(node.left)
                continue
            if isinstance(node, CallResult) and isinstance(
                    self.summary.steps[node.step], SdkCall):
                call = self.summary.steps[node.step]
                assert isinstance(call, SdkCall)
                if not node.path:
                    raise _Keep(f"uses the whole response of the {call.service}."
                                f"{call.operation} call at line {line}: boto3's response "
                                "carries ResponseMetadata (request id, HTTP status and headers), "
                                "which a Step Functions integration's result does not", line)
                if node.path[0] == "ResponseMetadata":
                    raise _Keep(f"reads ResponseMetadata of the {call.service}.{call.operation} "
                                f"response at line {line}, which a Step Functions integration's "
                                "result does not have", line)
            stack.extend(_children(node))

    def check_condition(self, condition: Expr, line: int) -> None:
        for node in walk(condition):
            if isinstance(node, Generated):
                raise _Keep(f"decides at line {line} on a generated {node.kind} "
                            f"({node.detail}, line {node.line})", line)
        env = [n for n in walk(condition) if isinstance(n, EnvRef)]
        data = [n for n in walk(condition) if isinstance(n, EventPath | CallResult)]
        if env and not data:
            self.declared.append(Declared(
                "environment", f"the guard at line {line} tests only environment variables "
                f"({', '.join(e.name for e in env)}): it is decided at deploy time", line))

    def declare_values(self) -> None:
        env_vars = set()
        missing = None
        # A guard's condition and message raise KeyError as the handler did: the rewrite puts
        # a rule for each field they read before the guard's rule.
        guarded = [id(expr) for step in self.summary.steps if isinstance(step, Guard)
                   for expr in (step.condition, step.message)]
        for value, line in self.values():
            for node in walk(value):
                if isinstance(node, Generated):
                    self.declared.append(Declared(
                        "generated", f"the {node.kind} generated at line {node.line} "
                        f"({node.detail}) is generated by the workflow instead", node.line))
                elif isinstance(node, JsonDumps):
                    self.declared.append(Declared(
                        "json_serialisation", f"the JSON text built at line {line} is "
                        "serialised compactly by Step Functions, not byte-identical to "
                        "json.dumps", line))
                elif isinstance(node, Concat) and not all(_is_const(p) for p in node.parts):
                    self.declared.append(Declared(
                        "text_conversion", f"the text built at line {line} converts values "
                        "the way Step Functions does: identical for strings and integers, but "
                        "True/None/lists/dicts would read true/null/JSON instead of Python's "
                        "repr", line))
                elif isinstance(node, EnvRef):
                    env_vars.add(node.name)
                elif isinstance(node, EventPath) and node.path and not node.optional and \
                        id(value) not in guarded:
                    missing = missing or line
        for name in sorted(env_vars):
            self.declared.append(Declared(
                "environment", f"environment variable {name} is resolved at deploy time", None))
        if missing is not None:
            self.declared.append(Declared(
                "missing_field", "a missing event field fails with States.Runtime instead of "
                "KeyError", missing))

    def needs_jsonata(self) -> bool:
        """JSONPath cannot compute booleans, case changes, merges or defaults as data, nor
        test several conditions exactly (see ``_condition_needs_jsonata``)."""
        for step in self.summary.steps:
            if isinstance(step, Guard | ReturnIf) and _condition_needs_jsonata(step.condition):
                return True
        for value, _ in self.values(conditions=False):
            for node in walk(value):
                if isinstance(node, StrCase | BoolOp | Compare | Truthy | Not):
                    return True
                if isinstance(node, WithKeys) and node.assignments:
                    return True
                if isinstance(node, EventPath | CallResult | PathInto) and node.optional:
                    return True
        return False


def _condition_needs_jsonata(condition: Expr) -> bool:
    """True when a Choice rule in JSONPath cannot test ``condition`` with the same meaning."""
    for node in walk(condition):
        if isinstance(node, StrCase | Concat | Truthy | JsonDumps | PathInto):
            return True
        if isinstance(node, Compare):
            if node.op in ("in", "not in"):
                return True
            if node.op not in ("is None", "is not None") and not (
                _is_const(node.left) or _is_const(node.right)
            ):
                return True
        if isinstance(node, EventPath | CallResult) and node.default is not None:
            return True
    return False


def _children(node: object) -> list[object]:
    names = field_names(node)
    if names:
        return [getattr(node, name) for name in names]
    return list(node) if isinstance(node, tuple) else []


def _is_const(expr: Expr) -> bool:
    return isinstance(expr, Const)
