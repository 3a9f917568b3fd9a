"""Evaluation of calls: boto3 factories and API calls, HTTP calls, json/uuid/datetime, builtins.

Anything a call does that the IR cannot express exactly becomes an ``Unknown`` whose reason
names the call.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

from lambdaslim.analysis import ir
from lambdaslim.analysis.expressions import ExpressionEvaluator
from lambdaslim.analysis.ir import (
    CallResult,
    Const,
    ContextRef,
    DictExpr,
    EventPath,
    Expr,
    Generated,
    HttpCall,
    JsonDumps,
    JsonLoads,
    KeyCondition,
    PathInto,
    SdkCall,
    StrCase,
    Unknown,
    WithKeys,
)
from lambdaslim.analysis.sdk_model import is_known_service, operation_for_method
from lambdaslim.analysis.values import (
    Client,
    ConditionBuilder,
    Context,
    DateTime,
    ExceptionClass,
    ExceptionValue,
    Function,
    HttpPool,
    HttpResponse,
    NoOp,
    PynamoItem,
    PynamoModel,
    Qual,
    Session,
    Table,
    Value,
)

#: Qualified-name prefixes whose objects only log, trace or emit metrics.
NOOP_PREFIXES = (
    "logging",
    "aws_lambda_powertools.Logger",
    "aws_lambda_powertools.Tracer",
    "aws_lambda_powertools.Metrics",
    "aws_lambda_powertools.logging",
    "aws_lambda_powertools.tracing",
    "aws_lambda_powertools.metrics",
    "aws_xray_sdk",
)



def is_noop_name(name: str) -> bool:
    """``logging.getLogger``, ``aws_lambda_powertools.Logger``...: a whole dotted prefix, so a
    team's own ``logging_utils.normalise_order`` is not taken for a logger."""
    return any(name == prefix or name.startswith(prefix + ".") for prefix in NOOP_PREFIXES)


#: boto3 client methods that exist on every client or S3 but are not one API call.
LOCAL_METHODS = {
    "generate_presigned_url": "generate_presigned_url is a local signing operation, not an "
    "API call",
    "generate_presigned_post": "generate_presigned_post is a local signing operation, not an "
    "API call",
    "get_paginator": "get_paginator pages through results with several API calls",
    "get_waiter": "get_waiter polls the API until a condition holds",
    "upload_file": "upload_file uses the S3 transfer manager (multipart, local files)",
    "download_file": "download_file uses the S3 transfer manager (multipart, local files)",
    "upload_fileobj": "upload_fileobj uses the S3 transfer manager (multipart, streams)",
    "download_fileobj": "download_fileobj uses the S3 transfer manager (multipart, streams)",
    "copy": "copy uses the S3 transfer manager (multipart copy)",
}

_CONDITION_METHODS = frozenset(
    {
        "eq", "ne", "lt", "lte", "gt", "gte", "begins_with", "between", "is_in", "exists",
        "not_exists", "contains", "attribute_type", "size",
    }
)
_TABLE_METHODS = frozenset({"put_item", "get_item", "update_item", "delete_item", "query", "scan"})
_HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})
_HTTP_KWARGS = {
    "params": "query",
    "fields": "query",
    "headers": "headers",
    "data": "body",
    "body": "body",
    "content": "body",
    "json": "json_body",
    "timeout": "timeout",
}
_CLIENT_CONFIG_KWARGS = frozenset(
    {
        "region_name", "endpoint_url", "config", "api_version", "use_ssl", "verify",
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "profile_name",
        "botocore_session",
    }
)


class CallEvaluator(ExpressionEvaluator):
    """Adds calls to expression evaluation. Helper inlining is left to the statement walker."""

    unknowns: list[Unknown]

    def inline(self, function: Function, node: cst.Call) -> Value:  # pragma: no cover
        raise NotImplementedError

    # ---- arguments ------------------------------------------------------------------------

    def arguments(self, node: cst.Call) -> tuple[list[Value], dict[str, Value]] | Unknown:
        args: list[Value] = []
        kwargs: dict[str, Value] = {}
        for arg in node.args:
            if arg.star == "*":
                return self.unknown("a *args call", arg)
            value = self.ev(arg.value)
            if arg.star == "**":
                if not isinstance(value, DictExpr):
                    return (
                        value
                        if isinstance(value, Unknown)
                        else self.unknown(f"keyword arguments passed as **{self.code(arg.value)}",
                                          arg)
                    )
                kwargs.update(value.items)
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = value
            else:
                args.append(value)
        return args, kwargs

    def expr_items(
        self, kwargs: dict[str, Value], node: cst.CSTNode
    ) -> tuple[tuple[str, Expr], ...]:
        return tuple((k, self.as_expr(v, node)) for k, v in kwargs.items())

    def emit(self, step: ir.Step, node: cst.CSTNode) -> int | Unknown:
        """Append a step; an Unknown (always recorded) when a step cannot happen here."""
        problem = None
        if self.frame.func is None:
            problem = self.unknown("an API call made at import time", node)
        elif self.conditional:
            problem = self.unknown("an API call made conditionally", node)
        if problem is not None:
            if problem not in self.unknowns:
                self.unknowns.append(problem)
            return problem
        self.steps.append(step)
        return len(self.steps) - 1

    # ---- dispatch -------------------------------------------------------------------------

    def call(self, node: cst.Call) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            base = self.ev(func.value)
            if isinstance(base, Unknown):
                return base
            if not isinstance(base, Qual):
                return self.method_call(base, func.attr.value, node)
            target: Value = Qual(f"{base.name}.{func.attr.value}")
        else:
            target = self.ev(func)
        if isinstance(target, Unknown):
            return target
        if isinstance(target, Qual):
            return self.qualified_call(target.name, node)
        if isinstance(target, NoOp):
            self.arguments(node)
            return target
        if isinstance(target, Function):
            return self.inline(target, node)
        if isinstance(target, ExceptionClass):
            return self.exception(target.name, node)
        if isinstance(target, PynamoModel):
            return self.pynamo_item(target, node)
        return self.unknown(f"a call of {self.describe(target)}", node)

    def exception(self, name: str, node: cst.Call) -> Value:
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        if kwargs or len(args) > 1:
            return self.unknown(f"{name}(...) with several arguments", node)
        message = self.stringify(args[0], node) if args else Const("")
        return ExceptionValue(name, self.as_expr(message, node))

    def qualified_call(self, name: str, node: cst.Call) -> Value:
        name = name.replace("boto3.session.Session", "boto3.Session").replace(
            "botocore.client.Config", "botocore.config.Config"
        )
        if is_noop_name(name):
            self.arguments(node)
            return NoOp(name)
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        for value in (*args, *kwargs.values()):
            if isinstance(value, Unknown):
                return value  # the argument's own reason is the precise one
        short = name.rsplit(".", 1)[-1]
        if name in ("boto3.client", "boto3.resource"):
            return self.make_client(short, args, kwargs, (), node)
        if name == "boto3.Session":
            return Session(self.expr_items(kwargs, node))
        if name == "botocore.config.Config":
            return DictExpr(self.expr_items(kwargs, node))
        if name in ("boto3.dynamodb.conditions.Key", "boto3.dynamodb.conditions.Attr"):
            if len(args) == 1 and isinstance(args[0], Const) and isinstance(args[0].value, str):
                return ConditionBuilder(short, args[0].value)
            return self.unknown(f"{short}() with a dynamic attribute name", node)
        if name in ("os.getenv", "os.environ.get"):
            return self.getenv(args, kwargs, node)
        if name == "json.dumps":
            return self.json_dumps(args, kwargs, node)
        if name == "json.loads" and len(args) == 1 and not kwargs:
            return JsonLoads(self.as_expr(args[0], node))
        if name in ("uuid.uuid4", "uuid.uuid1"):
            return Generated("uuid", self.line_of(node), short)
        if name in ("datetime.datetime.now", "datetime.datetime.utcnow", "datetime.date.today"):
            ctor = short if not args and not kwargs else f"{short}(tz)"
            return DateTime(self.line_of(node), ctor)
        if name in ("time.time", "time.time_ns"):
            return Generated("timestamp", self.line_of(node), name)
        if name.startswith(("requests.", "httpx.")) and short in (*_HTTP_METHODS, "request"):
            return self.http_call(name.split(".", 1)[0], short, args, kwargs, node)
        if name in ("requests.Session", "httpx.Client", "urllib3.PoolManager"):
            return HttpPool(name.split(".", 1)[0])
        if name.startswith("builtins."):
            return self.builtin_call(short, args, kwargs, node)
        if name in ("copy.copy", "copy.deepcopy") and len(args) == 1:
            return WithKeys(self.as_expr(args[0], node), ())
        if name.startswith("re."):
            return self.unknown(f"a regular expression ({name})", node)
        if name.startswith("random."):
            return self.unknown(f"a random value ({name})", node)
        if short.endswith(("Error", "Exception")):
            return self.exception(short, node)
        return self.unknown(f"a call to {name}, which is not modelled", node)

    def builtin_call(
        self, name: str, args: list[Value], kwargs: dict[str, Value], node: cst.Call
    ) -> Value:
        if name == "str" and len(args) == 1 and not kwargs:
            return self.stringify(args[0], node)
        if name == "int" and len(args) == 1 and isinstance(args[0], Generated):
            return dataclasses.replace(args[0], detail=f"int({args[0].detail})")
        if name == "dict" and not args:
            return DictExpr(self.expr_items(kwargs, node))
        if name == "dict" and len(args) == 1:
            base = self.as_expr(args[0], node)
            return WithKeys(base, tuple(((k,), v) for k, v in self.expr_items(kwargs, node)))
        if name == "getattr":
            return self.unknown("a dynamic attribute access via getattr()", node)
        return self.unknown(f"a call to {name}()", node)

    def getenv(self, args: list[Value], kwargs: dict[str, Value], node: cst.Call) -> Value:
        key = args[0] if args else kwargs.get("key")
        default = args[1] if len(args) > 1 else kwargs.get("default")
        if not isinstance(key, Const) or not isinstance(key.value, str):
            return self.unknown("an environment variable with a dynamic name", node)
        return self.env_ref(
            key.value, None if default is None else self.as_expr(default, node), required=False
        )

    def json_dumps(self, args: list[Value], kwargs: dict[str, Value], node: cst.Call) -> Value:
        if len(args) != 1:
            return self.unknown("json.dumps with several positional arguments", node)
        options: list[tuple[str, ir.Scalar]] = []
        for key, value in kwargs.items():
            if not isinstance(value, Const):
                return self.unknown(f"json.dumps({key}={self.describe(value)})", node)
            options.append((key, value.value))
        return JsonDumps(self.as_expr(args[0], node), tuple(options))

    # ---- boto3 ----------------------------------------------------------------------------

    def make_client(
        self,
        style: str,
        args: list[Value],
        kwargs: dict[str, Value],
        base_config: tuple[tuple[str, Expr], ...],
        node: cst.Call,
    ) -> Value:
        service = args[0] if args else kwargs.pop("service_name", None)
        if not isinstance(service, Const) or not isinstance(service.value, str):
            shown = "nothing" if service is None else self.describe(service)
            if service is not None and not isinstance(service, Const):
                shown = self.code(node.args[0].value) if node.args else shown
            return self.unknown(f"a dynamic client name ({shown})", node)
        if not is_known_service(service.value):
            return self.unknown(f"an unknown boto3 service {service.value!r}", node)
        extra = [k for k in kwargs if k not in _CLIENT_CONFIG_KWARGS]
        if extra or len(args) > 1:
            return self.unknown(f"boto3.{style}() arguments {extra or args[1:]}", node)
        config = dict(base_config)
        config.update(self.expr_items(kwargs, node))
        return Client(service.value, style, tuple(config.items()))

    def method_call(self, base: Value, method: str, node: cst.Call) -> Value:
        if isinstance(base, NoOp):
            self.arguments(node)
            return base
        if isinstance(base, Session) and method in ("client", "resource"):
            parsed = self.arguments(node)
            if isinstance(parsed, Unknown):
                return parsed
            return self.make_client(method, *parsed, base.config, node)
        if isinstance(base, Client) and base.style == "client":
            return self.client_call(base, method, node)
        if isinstance(base, Client) and base.style == "resource":
            return self.resource_call(base, method, node)
        if isinstance(base, Table):
            return self.table_call(base, method, node)
        if isinstance(base, ConditionBuilder):
            return self.condition_call(base, method, node)
        if isinstance(base, HttpPool):
            return self.pool_call(base, method, node)
        if isinstance(base, HttpResponse):
            return self.response_call(base, method, node)
        if isinstance(base, PynamoItem):
            return self.pynamo_call(base, method, node)
        if isinstance(base, PynamoModel):
            return self.unknown(f"PynamoDB {base.name}.{method}() is not modelled", node)
        if isinstance(base, DateTime):
            return self.datetime_call(base, method, node)
        if isinstance(base, Context):
            return self.unknown(f"context.{method}()", node)
        return self.data_method(base, method, node)

    def client_call(self, client: Client, method: str, node: cst.Call) -> Value:
        if method in LOCAL_METHODS:
            return self.unknown(LOCAL_METHODS[method], node)
        info = operation_for_method(client.service, method)
        if info is None:
            return self.unknown(f"{client.service} client method {method}() is not an API call",
                                node)
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        if args:
            return self.unknown(f"positional arguments to {method}()", node)
        problem = self.check_params(client.service, info.name, kwargs, info.input_members,
                                    info.required, node)
        if problem is not None:
            return problem
        step = SdkCall(
            client.service, info.name, method, self.expr_items(kwargs, node), "client",
            self.line_of(node), client_config=client.config,
        )
        index = self.emit(step, node)
        return index if isinstance(index, Unknown) else CallResult(index)

    def check_params(
        self,
        service: str,
        operation: str,
        kwargs: dict[str, Value],
        members: frozenset[str],
        required: frozenset[str],
        node: cst.CSTNode,
    ) -> Unknown | None:
        for key in kwargs:
            if key not in members:
                return self.unknown(f"parameter {key} is not an input of {service}.{operation}",
                                    node)
        missing = sorted(required - set(kwargs))
        if missing:
            return self.unknown(f"{service}.{operation} without required {', '.join(missing)}",
                                node)
        return None

    def resource_call(self, resource: Client, method: str, node: cst.Call) -> Value:
        if resource.service == "dynamodb" and method == "Table":
            parsed = self.arguments(node)
            if isinstance(parsed, Unknown):
                return parsed
            args, kwargs = parsed
            name = args[0] if len(args) == 1 and not kwargs else kwargs.get("name")
            if name is None:
                return self.unknown("Table() without a name", node)
            return Table(self.as_expr(name, node), resource.config)
        return self.unknown(f"boto3 {resource.service} resource .{method}() is not modelled",
                            node)

    def table_call(self, table: Table, method: str, node: cst.Call) -> Value:
        if method == "batch_writer":
            return self.unknown("a DynamoDB batch writer (buffers, batches and retries writes)",
                                node)
        info = operation_for_method("dynamodb", method)
        if method not in _TABLE_METHODS or info is None:
            return self.unknown(f"DynamoDB Table.{method}() is not modelled", node)
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        if args:
            return self.unknown(f"positional arguments to {method}()", node)
        problem = self.check_params("dynamodb", info.name, kwargs, info.input_members - {
            "TableName"}, info.required - {"TableName"}, node)
        if problem is not None:
            return problem
        step = SdkCall(
            "dynamodb", info.name, method, self.expr_items(kwargs, node), "resource",
            self.line_of(node), target=table.name, client_config=table.config,
        )
        index = self.emit(step, node)
        return index if isinstance(index, Unknown) else CallResult(index)

    def condition_call(self, builder: ConditionBuilder, method: str, node: cst.Call) -> Value:
        if method not in _CONDITION_METHODS:
            return self.unknown(f"{builder.builder}().{method}() is not modelled", node)
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        if kwargs:
            return self.unknown(f"{builder.builder}().{method}() with keyword arguments", node)
        values = tuple(self.as_expr(a, node) for a in args)
        return KeyCondition(builder.builder, builder.name, method, values)  # type: ignore[arg-type]

    # ---- PynamoDB -------------------------------------------------------------------------

    def pynamo_item(self, model: PynamoModel, node: cst.Call) -> Value:
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        keys = [k for k in (model.hash_key, model.range_key) if k is not None]
        if len(args) > len(keys):
            return self.unknown(f"{model.name}() with {len(args)} positional arguments", node)
        values = dict(zip(keys, args, strict=False))
        attributes = dict(model.attributes)
        for key, value in kwargs.items():
            if key not in attributes:
                return self.unknown(f"{model.name}() has no attribute {key}", node)
            values[key] = value
        return PynamoItem(model, tuple((k, self.as_expr(v, node)) for k, v in values.items()))

    def pynamo_call(self, item: PynamoItem, method: str, node: cst.Call) -> Value:
        if method != "save" or node.args:
            return self.unknown(f"PynamoDB {item.model.name}.{method}() is not modelled", node)
        attributes = dict(item.model.attributes)
        body = DictExpr(tuple((attributes[k], v) for k, v in item.values))
        step = SdkCall(
            "dynamodb", "PutItem", "save", (("Item", body),), "pynamodb", self.line_of(node),
            target=item.model.table,
        )
        index = self.emit(step, node)
        return index if isinstance(index, Unknown) else CallResult(index)

    # ---- HTTP -----------------------------------------------------------------------------

    def http_call(
        self,
        library: str,
        method: str,
        args: list[Value],
        kwargs: dict[str, Value],
        node: cst.Call,
    ) -> Value:
        if method == "request":
            if not args or not isinstance(args[0], Const) or not isinstance(args[0].value, str):
                return self.unknown("an HTTP request with a dynamic method", node)
            method = args[0].value.lower()
            args = args[1:]
        url = args[0] if args else kwargs.pop("url", None)
        if url is None or len(args) > 1:
            return self.unknown("an HTTP call without a single URL argument", node)
        fields: dict[str, Expr] = {}
        for key, value in kwargs.items():
            if key not in _HTTP_KWARGS:
                return self.unknown(f"HTTP argument {key}= is not modelled", node)
            fields[_HTTP_KWARGS[key]] = self.as_expr(value, node)
        step = HttpCall(
            library, method.upper(), self.as_expr(url, node), self.line_of(node),  # type: ignore[arg-type]
            **fields,  # type: ignore[arg-type]
        )
        index = self.emit(step, node)
        return index if isinstance(index, Unknown) else HttpResponse(index, library)

    def pool_call(self, pool: HttpPool, method: str, node: cst.Call) -> Value:
        if method not in (*_HTTP_METHODS, "request"):
            return self.unknown(f"{pool.library} client .{method}() is not modelled", node)
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        return self.http_call(pool.library, method, *parsed, node)

    def response_call(self, response: HttpResponse, method: str, node: cst.Call) -> Value:
        if method == "json" and not node.args:
            return CallResult(response.step, ("json",))
        if method == "raise_for_status" and not node.args:
            if len(self.steps) - 1 != response.step:
                return self.unknown("raise_for_status() after other steps", node)
            step = self.steps[response.step]
            assert isinstance(step, HttpCall)
            self.steps[response.step] = dataclasses.replace(step, raises_for_status=True)
            return Const(None)
        return self.unknown(f"HTTP response .{method}() is not modelled", node)

    # ---- data values ----------------------------------------------------------------------

    def datetime_call(self, value: DateTime, method: str, node: cst.Call) -> Value:
        if method == "isoformat" and not node.args:
            return Generated("timestamp", value.line, f"{value.ctor}.isoformat")
        if method == "timestamp" and not node.args:
            return Generated("timestamp", value.line, f"{value.ctor}.timestamp")
        if method == "strftime" and len(node.args) == 1:
            fmt = self.ev(node.args[0].value)
            if isinstance(fmt, Const):
                return Generated("timestamp", value.line, f"{value.ctor}.strftime:{fmt.value}")
        return self.unknown(f"datetime .{method}()", node)

    def data_method(self, base: Value, method: str, node: cst.Call) -> Value:
        if isinstance(base, Unknown):
            return base
        parsed = self.arguments(node)
        if isinstance(parsed, Unknown):
            return parsed
        args, kwargs = parsed
        data = isinstance(base, EventPath | CallResult | PathInto | DictExpr | WithKeys
                          | JsonLoads) or (isinstance(base, Qual) and base.name == "os.environ")
        if method == "get" and data and not kwargs and 1 <= len(args) <= 2:
            key = args[0]
            if not isinstance(key, Const) or not isinstance(key.value, str | int):
                return self.unknown("a .get() with a dynamic key", node)
            default = self.as_expr(args[1], node) if len(args) == 2 else None
            return self.item(base, key.value, node, optional=True, default=default)
        if method in ("lower", "upper") and not args and not kwargs:
            return StrCase(self.as_expr(base, node), method)  # type: ignore[arg-type]
        if method == "copy" and not args and data:
            return WithKeys(self.as_expr(base, node), ())
        if method == "decode" and isinstance(base, CallResult) and base.path[:1] in (("data",),
                                                                                      ("content",)):
            return CallResult(base.step, ("text",))
        if method == "read" and isinstance(base, CallResult):
            return self.unknown("reading a streaming body (S3 object or payload) and processing "
                                "it", node)
        if isinstance(base, ContextRef):
            return self.unknown(f"context.{base.attr}.{method}()", node)
        return self.unknown(f"a .{method}() call on {self.describe(base)}", node)
