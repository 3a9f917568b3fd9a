"""The Step Functions integration that takes a handler's call: resource, arguments, result, IAM.

Optimized integrations (``dynamodb:putItem``, ``sqs:sendMessage``...) and ``aws-sdk`` ones take
the API's parameters (``aws-sdk`` in PascalCase). The boto3 *resource* API takes Python values
and condition objects, so those are marshalled to DynamoDB's typed values and expression
strings the way boto3 itself does (``#n0``/``:v0`` placeholders), with the values' types decided
at run time, as boto3 decides them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lambdaslim.analysis import ir
from lambdaslim.analysis.sdk_model import iam_action, service_errors
from lambdaslim.catalog import Catalog
from lambdaslim.model import Function, ResourceRef, Table, references_of
from lambdaslim.plan import Connection, Declared, IamStatement, Substitution
from lambdaslim.rewrite.ir_terms import Scope, value
from lambdaslim.rewrite.state_io import Unsupported
from lambdaslim.rewrite.terms import Expr, Lit, Obj, Path, Ref, Term, get

# A DynamoDB attribute value from any JSON value, as boto3's TypeSerializer writes it.
MARSHAL_FUNCTION = (
    '$m := function($v) { $type($v) = "string" ? {"S": $v} : $type($v) = "number" ? '
    '{"N": $string($v)} : $type($v) = "boolean" ? {"BOOL": $v} : $type($v) = "null" ? '
    '{"NULL": true} : $type($v) = "array" ? {"L": [$map($v, $m)]} : '
    '{"M": $merge([$each($v, function($x, $k) { {$k: $m($x)} })])} }'
)
_RESOURCE_ARNS = {
    "AWS::DynamoDB::Table": lambda rid: {"Fn::GetAtt": [rid, "Arn"]},
    "AWS::Serverless::SimpleTable": lambda rid: {"Fn::GetAtt": [rid, "Arn"]},
    "AWS::SQS::Queue": lambda rid: {"Fn::GetAtt": [rid, "Arn"]},
    "AWS::SNS::Topic": lambda rid: {"Ref": rid},
    "AWS::Events::EventBus": lambda rid: {"Fn::GetAtt": [rid, "Arn"]},
    "AWS::StepFunctions::StateMachine": lambda rid: {"Ref": rid},
    "AWS::Serverless::StateMachine": lambda rid: {"Ref": rid},
}
_CALL_TABLE_PARAMS = ("TableName",)
STATE_MACHINE_ARN = "arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:"
# The HTTP Task is authorised on the calling state machine itself; planning narrows this to the
# machine's own ARN when the template names the machine (its ARN is otherwise unknown).
ANY_STATE_MACHINE = {"Fn::Sub": STATE_MACHINE_ARN + "*"}


@dataclass
class Bindings:
    """Environment variables bound to ``DefinitionSubstitutions`` for one state machine."""

    existing: dict[str, object]
    added: list[Substitution] = field(default_factory=list)

    def bind(self, name_hint: str, raw: object) -> str:
        for name, bound in [*self.existing.items(), *((s.name, s.value) for s in self.added)]:
            if bound == raw:
                return name
        base = "".join(part.capitalize() for part in name_hint.lower().split("_")) or "Value"
        name, index = base, 2
        taken = set(self.existing) | {s.name for s in self.added}
        while name in taken:
            name, index = f"{base}{index}", index + 1
        self.added.append(Substitution(name, raw))
        return name


@dataclass(frozen=True)
class Integration:
    """``errors`` maps an error name the handler raised (a boto3 exception class) to the name
    the integration reports for the same failure."""

    resource: str
    arguments: Term
    result: Callable[[Path], Term]
    statements: tuple[IamStatement, ...]
    declared: tuple[Declared, ...] = ()
    connection: Connection | None = None
    errors: dict[str, str] = field(default_factory=dict)


class Environment:
    """Resolves a handler's environment variables to substitutions and resources."""

    def __init__(self, function: Function, bindings: Bindings, tables: dict[str, Table]):
        self.function = function
        self.bindings = bindings
        self.tables = tables

    def term(self, ref: ir.EnvRef) -> Term:
        if ref.name not in self.function.environment:
            if ref.default is not None and isinstance(ref.default, ir.Const):
                return Lit(ref.default.value)
            raise Unsupported(f"environment variable {ref.name} is not set in the template")
        return Lit("${" + self.bindings.bind(ref.name, self.raw(ref)) + "}")

    def raw(self, ref: ir.EnvRef) -> object:
        """The template value an environment variable is set to."""
        bound = self.function.environment.get(ref.name)
        return getattr(bound, "raw", bound)

    def resource(self, expr: ir.Expr | None) -> ResourceRef | None:
        if not isinstance(expr, ir.EnvRef) or expr.name not in self.function.environment:
            return None
        refs = references_of(self.function.environment[expr.name])
        return refs[0] if refs else None

    def key_types(self, expr: ir.Expr | None) -> dict[str, str]:
        """The declared types of a table's key attributes (its indexes' too)."""
        ref = self.resource(expr)
        table = self.tables.get(ref.logical_id) if ref else None
        if table is None:
            return {}
        keys = [table.partition_key, table.sort_key]
        for index in table.indexes:
            keys += [index.partition_key, index.sort_key]
        return {key.name: key.type for key in keys if key is not None}

    def arn(self, expr: ir.Expr | None, what: str) -> object:
        ref = self.resource(expr)
        maker = _RESOURCE_ARNS.get(ref.resource_type or "") if ref else None
        if ref is None or maker is None:
            raise Unsupported(f"the {what} is not a resource of the template, so its ARN for a "
                              "least-privilege policy is unknown")
        return maker(ref.logical_id)


def pascal(name: str) -> str:
    return name[:1].upper() + name[1:]


def sdk_integration(call: ir.SdkCall, scope: Scope, env: Environment, catalog: Catalog,
                    result_base: str) -> Integration:
    """The integration for one boto3 call."""
    rule = catalog.match_sdk_call(call.service, call.operation, call.api_style)
    if rule is None:
        raise Unsupported(f"Step Functions has no integration for {call.service}.{call.operation}")
    generic = rule.is_generic_sdk
    resource = catalog.sdk_integration_arn(call.service, call.operation) if generic \
        else rule.integration
    params = dict(call.params)
    if call.api_style == "resource":
        arguments = _dynamodb_resource_arguments(call, scope, env.key_types(call.target))
    elif call.api_style == "client":
        arguments = Obj(tuple(
            (pascal(name) if generic or name[:1].islower() else name, value(expr, scope))
            for name, expr in call.params
        ))
    else:
        raise Unsupported(f"the {call.api_style} API style is not rewritten yet")
    statements = (IamStatement(_iam_actions(call), tuple(_iam_resources(call, params, env))),)

    def result(path: Path) -> Term:
        if call.api_style == "resource" and path[:1] and path[0] in ("Item", "Items",
                                                                    "Attributes"):
            raise Unsupported("the handler reads items the resource API unmarshalled; the "
                              "integration returns typed DynamoDB values")
        return get(Ref(result_base), tuple(pascal(p) if isinstance(p, str) else p
                                           for p in path[:1]) + path[1:])

    declared: tuple[Declared, ...] = ()
    if resource == "arn:aws:states:::events:putEvents":
        declared = (
            Declared("event_resources", "events sent by the events:putEvents integration carry "
                     "the state machine's and the execution's ARNs in their resources field", ""),
            Declared("error_name", "an entry EventBridge rejects fails the task "
                     "(EventBridge.FailedEntry); boto3 only reported it in FailedEntryCount", ""),
        )
    prefix = catalog.sdk_error_prefix(call.service) if generic else rule.error_prefix
    errors = {name: prefix + name for name in service_errors(call.service)}
    return Integration(resource, arguments, result, statements, declared, errors=errors)


def _iam_actions(call: ir.SdkCall) -> tuple[str, ...]:
    return (iam_action(call.service, call.operation),)


def _iam_resources(call: ir.SdkCall, params: dict[str, ir.Expr], env: Environment) -> list[object]:
    target = call.target if call.api_style == "resource" else None
    for name in ("TableName", "QueueUrl", "TopicArn", "stateMachineArn", "StateMachineArn"):
        if name in params:
            target = params[name]
    if call.service == "events":
        entries = params.get("Entries")
        buses = {dict(e.items).get("EventBusName") for e in getattr(entries, "items", ())
                 if isinstance(e, ir.DictExpr)}
        if len(buses) == 1:
            target = buses.pop()
        if target is None:
            return [{"Fn::Sub": "arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}"
                                ":event-bus/default"}]
    if target is None:
        raise Unsupported(f"cannot tell which resource {call.service}.{call.operation} acts on")
    arn = env.arn(target, f"{call.service} resource")
    index = params.get("IndexName")
    if isinstance(index, ir.Const) and isinstance(arn, dict) and "Fn::GetAtt" in arn:
        logical_id = arn["Fn::GetAtt"][0]
        return [{"Fn::Sub": "${" + logical_id + ".Arn}/index/" + str(index.value)}]
    return [arn]


# ---- DynamoDB resource API -----------------------------------------------------------------

class _Marshaller:
    """Typed attribute values for Python values (boto3's TypeSerializer).

    Key attributes have the type the table declares; any other value whose type is only known
    at run time goes through one JSONata function ``$m``, defined once per field.
    """

    def __init__(self, key_types: dict[str, str]):
        self.key_types = key_types
        self.dynamic = False

    def attribute(self, term: Term, name: str | None = None) -> Term:
        key_type = self.key_types.get(name or "")
        if isinstance(term, Lit):
            return Lit(_marshal_literal(term.value))
        if key_type == "S":
            return Obj((("S", term),))
        if key_type == "N":
            return Obj((("N", Expr("$string({0})", (term,))),))
        if isinstance(term, Obj):
            return Obj((("M", Obj(tuple((k, self.attribute(v)) for k, v in term.items))),))
        self.dynamic = True
        return Expr("$m({0})", (term,))

    def attributes(self, term: Term) -> Term:
        """A map of attribute values (``Item``, ``Key``, ``ExpressionAttributeValues``)."""
        if isinstance(term, Obj):
            return Obj(tuple((k, self.attribute(v, k)) for k, v in term.items))
        self.dynamic = True
        return Expr('$merge([$each({0}, function($x, $k) { {$k: $m($x)} })])', (term,))

    def finish(self, term: Term) -> Term:
        if not self.dynamic:
            return term
        self.dynamic = False
        return Expr("( " + MARSHAL_FUNCTION + "; {0} )", (term,))


def _marshal_literal(item: object) -> object:
    if isinstance(item, bool):
        return {"BOOL": item}
    if item is None:
        return {"NULL": True}
    if isinstance(item, str):
        return {"S": item}
    if isinstance(item, int | float):
        if isinstance(item, float):
            raise Unsupported("boto3's resource API rejects float values (it needs Decimal)")
        return {"N": str(item)}
    if isinstance(item, list):
        return {"L": [_marshal_literal(i) for i in item]}
    if isinstance(item, dict):
        return {"M": {k: _marshal_literal(v) for k, v in item.items()}}
    raise Unsupported(f"cannot marshal {item!r}")


class _Placeholders:
    """``#n0``/``:v0`` names in the order boto3's ConditionExpressionBuilder gives them."""

    def __init__(self, scope: Scope, marshaller: _Marshaller):
        self.scope = scope
        self.marshaller = marshaller
        self.names: list[tuple[str, Term]] = []
        self.values: list[tuple[str, Term]] = []

    def name(self, attribute: str) -> str:
        placeholder = f"#n{len(self.names)}"
        self.names.append((placeholder, Lit(attribute)))
        return placeholder

    def value(self, expr: ir.Expr, attribute: str) -> str:
        placeholder = f":v{len(self.values)}"
        self.values.append(
            (placeholder, self.marshaller.attribute(value(expr, self.scope), attribute))
        )
        return placeholder


_OPERATORS = {"eq": "=", "ne": "<>", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}


def _condition_text(expr: ir.Expr, names: _Placeholders, top: bool = True) -> str:
    if isinstance(expr, ir.ConditionExpr):
        if expr.op == "not":
            return f"(NOT {_condition_text(expr.operands[0], names, False)})"
        joined = f" {expr.op.upper()} ".join(
            _condition_text(o, names, False) for o in expr.operands
        )
        return joined if top else f"({joined})"
    if not isinstance(expr, ir.KeyCondition):
        raise Unsupported("a condition that is not built with Key()/Attr()")
    attribute = names.name(expr.name)

    def operand(index: int) -> str:
        return names.value(expr.values[index], expr.name)

    if expr.op in _OPERATORS:
        return f"{attribute} {_OPERATORS[expr.op]} {operand(0)}"
    if expr.op == "begins_with":
        return f"begins_with({attribute}, {operand(0)})"
    if expr.op == "between":
        return f"{attribute} BETWEEN {operand(0)} AND {operand(1)}"
    if expr.op in ("exists", "not_exists"):
        function = "attribute_exists" if expr.op == "exists" else "attribute_not_exists"
        return f"{function}({attribute})"
    if expr.op == "contains":
        return f"contains({attribute}, {operand(0)})"
    raise Unsupported(f"the condition {expr.builder}(...).{expr.op}() is not rewritten yet")


def _dynamodb_resource_arguments(
    call: ir.SdkCall, scope: Scope, key_types: dict[str, str]
) -> Term:
    if call.target is None:
        raise Unsupported("the table the resource API acts on is unknown")
    items: list[tuple[str, Term]] = [("TableName", value(call.target, scope))]
    marshaller = _Marshaller(key_types)
    placeholders = _Placeholders(scope, marshaller)
    # The caller's own placeholders, merged with the builder's as boto3 merges them.
    names: list[tuple[str, Term]] = []
    values: list[tuple[str, Term]] = []
    for name, expr in call.params:
        if name in ("Item", "Key", "ExclusiveStartKey"):
            items.append((name, marshaller.finish(marshaller.attributes(value(expr, scope)))))
        elif name in ("ExpressionAttributeNames", "ExpressionAttributeValues"):
            given = value(expr, scope)
            if not isinstance(given, Obj):
                raise Unsupported(f"{name} built at run time cannot be merged with conditions")
            if name == "ExpressionAttributeNames":
                names += given.items
            else:
                values += [(k, marshaller.attribute(v)) for k, v in given.items]
        elif name in ("KeyConditionExpression", "FilterExpression", "ConditionExpression") \
                and isinstance(expr, ir.ConditionExpr | ir.KeyCondition):
            items.append((name, Lit(_condition_text(expr, placeholders))))
        else:
            items.append((name, value(expr, scope)))
    names += placeholders.names
    values += placeholders.values
    if names:
        items.append(("ExpressionAttributeNames", Obj(tuple(names))))
    if values:
        items.append(("ExpressionAttributeValues", marshaller.finish(Obj(tuple(values)))))
    return Obj(tuple(items))


# ---- third-party HTTP ----------------------------------------------------------------------

def http_integration(call: ir.HttpCall, scope: Scope, env: Environment, machine_id: str,
                     result_base: str) -> Integration:
    if not call.raises_for_status:
        raise Unsupported("the handler does not call raise_for_status(): it accepts 4xx/5xx "
                          "answers, which an HTTP Task turns into failures")
    if call.library != "requests":
        raise Unsupported(f"{call.library} calls are not rewritten yet")
    hint = call.url.name if isinstance(call.url, ir.EnvRef) else f"{machine_id}_http"
    words = [w for w in hint.lower().split("_") if w and w not in ("url", "endpoint")]
    stem = "".join(w.capitalize() for w in words)
    endpoint = env.raw(call.url) if isinstance(call.url, ir.EnvRef) else value(call.url, scope)
    connection = Connection(f"{stem}Connection", endpoint,
                            f"Authorization for the HTTP Task calling {hint}")
    arn_name = env.bindings.bind("_".join([*words, "connection", "arn"]),
                                 {"Fn::GetAtt": [connection.logical_id, "Arn"]})
    items: list[tuple[str, Term]] = [
        ("ApiEndpoint", value(call.url, scope)),
        ("Method", Lit(call.method.upper())),
        ("Authentication", Obj((("ConnectionArn", Lit("${" + arn_name + "}")),))),
    ]
    if call.query is not None:
        _never_null(call.query, "query parameter")
        items.append(("QueryParameters", _texts(value(call.query, scope))))
    if call.headers is not None:
        _never_null(call.headers, "header")
        items.append(("Headers", _texts(value(call.headers, scope))))
    if call.json_body is not None:
        items.append(("RequestBody", value(call.json_body, scope)))
    elif call.body is not None:
        items.append(("RequestBody", value(call.body, scope)))

    def result(path: Path) -> Term:
        head, rest = (path[0], path[1:]) if path else ("", ())
        if head == "json":
            return get(Ref(result_base), ("ResponseBody", *rest))
        if head == "status_code":
            return Ref(result_base, ("StatusCode",))
        raise Unsupported(f"the handler reads response.{head}, which the HTTP Task does not "
                          "return the same way")

    statements = (
        IamStatement(("states:InvokeHTTPEndpoint",), (ANY_STATE_MACHINE,)),
        IamStatement(("events:RetrieveConnectionCredentials",),
                     ({"Fn::GetAtt": [connection.logical_id, "Arn"]},)),
        IamStatement(("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"),
                     ({"Fn::GetAtt": [connection.logical_id, "SecretArn"]},)),
    )
    declared = (Declared(
        "http_headers", "the HTTP Task authenticates through an EventBridge connection, which "
        "adds its API-key header to every request", ""),)
    return Integration("arn:aws:states:::http:invoke", Obj(tuple(items)), result, statements,
                       declared, connection)


def _never_null(members: ir.Expr, what: str) -> None:
    """requests leaves out a query parameter or header whose value is None; an HTTP Task would
    send the text ``null``. Only members that cannot be None are rewritten."""
    if not isinstance(members, ir.DictExpr):
        raise Unsupported(f"the {what}s come from a value of the event, whose members may be "
                          "None (requests leaves those out)")
    for name, member in members.items:
        optional = isinstance(member, ir.EventPath | ir.PathInto | ir.CallResult) and (
            member.optional and member.default is None)
        if optional or member == ir.Const(None):
            raise Unsupported(f"the {what} {name!r} may be None, which requests leaves out "
                              "and an HTTP Task would send as null")


def _texts(term: Term) -> Term:
    """Query string and header values as requests sends them: text."""
    if isinstance(term, Obj):
        return Obj(tuple((k, _texts(v)) for k, v in term.items))
    if isinstance(term, Lit) and isinstance(term.value, int | float) and not isinstance(
        term.value, bool
    ):
        return Lit(str(term.value))
    if isinstance(term, Lit):
        return term
    return Expr("$string({0})", (term,))
