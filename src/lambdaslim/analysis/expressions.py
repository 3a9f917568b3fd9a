"""Evaluation of libcst expressions (other than calls) into IR expressions or analysis objects.

The interpreter state (frames, steps, collected env vars) lives here too, because expression
evaluation needs it: a name's meaning depends on the frame, and an expression may contain an
SDK call that becomes a step.
"""

from __future__ import annotations

import ast
import builtins
import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import libcst as cst

from lambdaslim.analysis import ir
from lambdaslim.analysis.ir import (
    BoolOp,
    CallResult,
    Compare,
    Concat,
    ConditionExpr,
    Const,
    ContextRef,
    DictExpr,
    EnvRef,
    EventPath,
    Expr,
    Generated,
    JsonDumps,
    KeyCondition,
    ListExpr,
    Not,
    PathInto,
    StrCase,
    Truthy,
    Unknown,
    WithKeys,
)
from lambdaslim.analysis.lines import LineIndex
from lambdaslim.analysis.values import (
    Client,
    Context,
    DateTime,
    ExceptionClass,
    HttpResponse,
    NoOp,
    PynamoItem,
    Qual,
    Table,
    Value,
)

EXPR_TYPES = (
    Const, EventPath, EnvRef, CallResult, PathInto, ir.JsonDumps, ir.JsonLoads, StrCase, Concat,
    DictExpr, ListExpr, Compare, BoolOp, Not, Truthy, KeyCondition, ConditionExpr, Generated,
    ContextRef, WithKeys, Unknown,
)

BUILTIN_EXCEPTIONS = frozenset(
    name
    for name, value in vars(builtins).items()
    if isinstance(value, type) and issubclass(value, BaseException)
)

_COMPARE_OPS: dict[type, str] = {
    cst.Equal: "==",
    cst.NotEqual: "!=",
    cst.LessThan: "<",
    cst.LessThanEqual: "<=",
    cst.GreaterThan: ">",
    cst.GreaterThanEqual: ">=",
    cst.In: "in",
    cst.NotIn: "not in",
}

_FOLD: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}

_STRINGY = (Concat, StrCase, JsonDumps, Generated)


def is_expr(value: object) -> bool:
    return isinstance(value, EXPR_TYPES)


@dataclass
class Frame:
    """One function being interpreted (``func`` None: the module body)."""

    func: cst.FunctionDef | None
    locals: dict[str, Value] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    name: str = "<module>"
    returned: Value | None = None
    returned_line: int | None = None


class ExpressionEvaluator:
    """Evaluates expressions in the current frame. Calls are handled by a subclass."""

    def __init__(self, module: cst.Module, lines: LineIndex):
        self.module = module
        self.lines = lines
        self.module_env: dict[str, Value] = {}
        self.frame = Frame(func=None)
        self.statement_line = 1
        #: The statement being run in a function (a node inside it is located from it).
        self.statement_node: cst.CSTNode | None = None
        #: The module-level statement being run; its line is looked up only when reported.
        self.module_statement_node: cst.CSTNode | None = None
        self.steps: list[ir.Step] = []
        self.env_vars: dict[str, None] = {}
        self.conditional = 0

    # ---- helpers --------------------------------------------------------------------------

    def line_of(self, node: cst.CSTNode | None) -> int:
        if self.frame.func is None:
            statement = self.module_statement_node
            return (self.lines.line(statement, None) or 1) if statement is not None else 1
        found = None if node is None else self.lines.line(node, self.frame.func,
                                                          self.statement_node)
        return self.statement_line if found is None else found

    def unknown(self, reason: str, node: cst.CSTNode | None = None) -> Unknown:
        line = self.line_of(node)
        return Unknown(f"{reason} at line {line}", line)

    def code(self, node: cst.CSTNode) -> str:
        """The source of ``node`` on one line (whitespace runs collapsed)."""
        dotted = _dotted(node)
        return dotted if dotted is not None else " ".join(self.module.code_for_node(node).split())

    def as_expr(self, value: Value, node: cst.CSTNode) -> Expr:
        """``value`` as data, or an Unknown saying what object it is."""
        if is_expr(value):
            return value  # type: ignore[return-value]
        if isinstance(value, DateTime):
            return self.unknown("a datetime object used as data", node)
        return self.unknown(f"{self.describe(value)} used as data", node)

    @staticmethod
    def describe(value: Value) -> str:
        if isinstance(value, Qual):
            return value.name
        if isinstance(value, Client):
            return f"boto3 {value.service} {value.style}"
        if isinstance(value, Table):
            return "a DynamoDB Table resource"
        return f"a {type(value).__name__} object"

    def env_ref(self, name: str, default: Expr | None, required: bool) -> EnvRef:
        self.env_vars[name] = None
        return EnvRef(name, default, required)

    # ---- names ----------------------------------------------------------------------------

    def lookup(self, name: str, node: cst.CSTNode) -> Value:
        if name in ("True", "False", "None"):
            return Const({"True": True, "False": False, "None": None}[name])
        frame = self.frame
        if name in frame.locals and name not in frame.global_names:
            return frame.locals[name]
        if name in self.module_env:
            return self.module_env[name]
        if name in BUILTIN_EXCEPTIONS:
            return ExceptionClass(name)
        if name == "print":
            return NoOp("print")
        if hasattr(builtins, name):
            return Qual(f"builtins.{name}")
        return self.unknown(f"name {name} is not defined in this module", node)

    # ---- expressions ----------------------------------------------------------------------

    def ev(self, node: cst.BaseExpression) -> Value:
        # Dispatch on the node's class (then its bases, as isinstance would): libcst's classes
        # are ABCs, and a chain of isinstance checks that fail costs an ABC check each.
        for klass in type(node).__mro__:
            method = _EVALUATORS.get(klass)
            if method is not None:
                return getattr(self, method)(node)
        return self.unknown(f"a {type(node).__name__} expression", node)

    def ev_name(self, node: cst.Name) -> Value:
        return self.lookup(node.value, node)

    def ev_string(self, node: cst.SimpleString | cst.ConcatenatedString) -> Value:
        if isinstance(node, cst.ConcatenatedString):
            if any(isinstance(part, cst.FormattedString) for part in (node.left, node.right)):
                return self.concat([self.ev(node.left), self.ev(node.right)], node)
            value = node.evaluated_value
        else:
            value = _literal(node.value)
        if isinstance(value, str):
            return Const(value)
        return self.unknown("a bytes literal", node)

    def ev_number(self, node: cst.Integer | cst.Float) -> Value:
        return Const(node.evaluated_value)

    def ev_attribute(self, node: cst.Attribute) -> Value:
        return self.attribute(self.ev(node.value), node.attr.value, node)

    def ev_comprehension(self, node: cst.BaseExpression) -> Value:
        return self.unknown("a comprehension over data", node)

    def ev_conditional(self, node: cst.IfExp) -> Value:
        return self.unknown("a conditional expression (x if c else y)", node)

    def ev_lambda(self, node: cst.Lambda) -> Value:
        return self.unknown("a lambda", node)

    def ev_await(self, node: cst.Await) -> Value:
        return self.unknown("an await expression", node)

    def call(self, node: cst.Call) -> Value:  # pragma: no cover - overridden
        raise NotImplementedError

    def fstring(self, node: cst.FormattedString) -> Value:
        parts: list[Value] = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(Const(part.value.replace("{{", "{").replace("}}", "}")))
                continue
            assert isinstance(part, cst.FormattedStringExpression)
            if part.format_spec or part.conversion not in (None, "s"):
                parts.append(self.unknown("an f-string format spec or !r conversion", part))
                continue
            parts.append(self.stringify(self.ev(part.expression), part.expression))
        return self.concat(parts, node)

    def stringify(self, value: Value, node: cst.CSTNode) -> Value:
        """``str(value)`` as Python computes it, where the IR can say it."""
        if isinstance(value, Const):
            return Const(value.value if isinstance(value.value, str) else str(value.value))
        if isinstance(value, Generated):
            return value
        if isinstance(value, DateTime):
            return Generated("timestamp", value.line, f"str({value.ctor})")
        expr = self.as_expr(value, node)
        if isinstance(expr, Concat | StrCase | JsonDumps | EnvRef | Unknown):
            return expr  # already text (or already unknown)
        if isinstance(expr, DictExpr | ListExpr | WithKeys) or expr == EventPath(()):
            return self.unknown(
                "str() of a dict or list gives Python's repr, which a workflow cannot produce",
                node,
            )
        # The value's type is unknown here: keep the conversion in the IR, so a rewrite writes
        # text (DynamoDB "N" values must be strings) and the difference can be declared.
        return Concat((expr,))

    def concat(self, parts: list[Value], node: cst.CSTNode) -> Expr:
        flat: list[Expr] = []
        for part in parts:
            expr = self.as_expr(part, node)
            if isinstance(expr, Concat):
                flat.extend(expr.parts)
            elif isinstance(expr, Const) and expr.value == "":
                continue
            else:
                flat.append(expr)
        merged: list[Expr] = []
        for expr in flat:
            if merged and isinstance(expr, Const) and isinstance(merged[-1], Const):
                merged[-1] = Const(f"{merged[-1].value}{expr.value}")
            else:
                merged.append(expr)
        if len(merged) == 1 and isinstance(merged[0], Const):
            return merged[0]
        return Concat(tuple(merged)) if merged else Const("")

    def attribute(self, base: Value, attr: str, node: cst.CSTNode) -> Value:
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Qual):
            return Qual(f"{base.name}.{attr}")
        if isinstance(base, NoOp):
            return base
        if isinstance(base, Context):
            return ContextRef(attr)
        if isinstance(base, HttpResponse):
            return CallResult(base.step, (attr,))
        if isinstance(base, Table) and attr in ("name", "table_name"):
            return base.name
        if isinstance(base, Client) and attr == "exceptions":
            return Qual("botocore.exceptions")
        if isinstance(base, Client) and base.style == "resource" and attr == "meta":
            return Client(base.service, "resource-meta", base.config)
        if isinstance(base, Client) and base.style == "resource-meta" and attr == "client":
            return Client(base.service, "client", base.config)
        if isinstance(base, PynamoItem):
            for name, value in base.values:
                if name == attr:
                    return value
        if isinstance(base, Generated) and base.kind == "uuid" and attr == "hex":
            return Generated("uuid", base.line, f"{base.detail}.hex")
        return self.unknown(f"attribute .{attr} of {self.describe(base)}", node)

    def key_of(self, node: cst.Subscript) -> Value:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return self.unknown("a slice or multi-index subscript", node)
        key = self.ev(node.slice[0].slice.value)
        if isinstance(key, Const) and isinstance(key.value, str | int) and not isinstance(
            key.value, bool
        ):
            return key
        if isinstance(key, Unknown):
            return key
        return self.unknown(f"a dynamic key {self.code(node.slice[0].slice.value)}", node)

    def subscript(self, node: cst.Subscript) -> Value:
        base = self.ev(node.value)
        key = self.key_of(node)
        if isinstance(key, Unknown):
            return key
        assert isinstance(key, Const)
        return self.item(base, key.value, node, optional=False, default=None)  # type: ignore[arg-type]

    def item(
        self,
        base: Value,
        key: str | int,
        node: cst.CSTNode,
        *,
        optional: bool,
        default: Expr | None,
    ) -> Value:
        """``base[key]`` (or ``base.get(key, default)`` when ``optional``)."""
        if isinstance(base, Unknown):
            return base
        if isinstance(base, Qual) and base.name == "os.environ" and isinstance(key, str):
            return self.env_ref(key, default, required=not optional)
        if isinstance(base, EventPath | CallResult | PathInto):
            if base.optional and base.default is None and optional:
                return self.unknown(".get() on a value that may be None", node)
            if base.optional and base.default not in (None, DictExpr(())):
                return self.unknown("a path below a .get() default", node)
            if isinstance(base, EventPath):
                return EventPath((*base.path, key), optional, default)
            if isinstance(base, CallResult):
                return CallResult(base.step, (*base.path, key), optional, default)
            return PathInto(base.base, (*base.path, key), optional, default)
        if isinstance(base, DictExpr):
            for name, value in base.items:
                if name == key:
                    return value
            if optional:
                return default if default is not None else Const(None)
            return self.unknown(f"key {key!r} missing from a local dict", node)
        if isinstance(base, ListExpr) and isinstance(key, int) and -len(base.items) <= key < len(
            base.items
        ):
            return base.items[key]
        if is_expr(base):
            return PathInto(base, (key,), optional, default)  # type: ignore[arg-type]
        return self.unknown(f"item access on {self.describe(base)}", node)

    # ---- operators ------------------------------------------------------------------------

    def binary(self, node: cst.BinaryOperation) -> Value:
        left = self.ev(node.left)
        right = self.ev(node.right)
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if isinstance(node.operator, cst.Add) and any(
            isinstance(s, _STRINGY) or (isinstance(s, Const) and isinstance(s.value, str))
            for s in (left, right)
        ):
            # With one side a string, ``+`` either concatenates or raises TypeError.
            return self.concat([left, right], node)
        if isinstance(node.operator, cst.BitAnd | cst.BitOr) and all(
            isinstance(s, KeyCondition | ConditionExpr) for s in (left, right)
        ):
            op = "and" if isinstance(node.operator, cst.BitAnd) else "or"
            return ConditionExpr(op, (left, right))  # type: ignore[arg-type]
        if isinstance(left, DateTime) or isinstance(right, DateTime):
            return self.unknown(f"datetime arithmetic ({self.code(node)})", node)
        return self.unknown(f"computation ({self.code(node)})", node)

    def unary(self, node: cst.UnaryOperation) -> Value:
        value = self.ev(node.expression)
        if isinstance(value, Unknown):
            return value
        if isinstance(node.operator, cst.Not):
            return fold(Not(self.condition_of(value, node.expression)))
        if isinstance(node.operator, cst.BitInvert) and isinstance(
            value, KeyCondition | ConditionExpr
        ):
            return ConditionExpr("not", (value,))
        if (
            isinstance(node.operator, cst.Minus)
            and isinstance(value, Const)
            and isinstance(value.value, int | float)
        ):
            return Const(-value.value)
        return self.unknown(f"computation ({self.code(node)})", node)

    def boolean(self, node: cst.BooleanOperation) -> Value:
        op = "and" if isinstance(node.operator, cst.And) else "or"
        left = self.ev(node.left)
        self.conditional += 1
        try:
            right = self.ev(node.right)
        finally:
            self.conditional -= 1
        operands: list[Expr] = []
        for value, child in ((left, node.left), (right, node.right)):
            expr = self.as_expr(value, child)
            if isinstance(expr, BoolOp) and expr.op == op:
                operands.extend(expr.operands)
            else:
                operands.append(expr)
        return BoolOp(op, tuple(operands))  # type: ignore[arg-type]

    def comparison(self, node: cst.Comparison) -> Value:
        left = self.as_expr(self.ev(node.left), node.left)
        parts: list[Expr] = []
        for target in node.comparisons:
            right = self.as_expr(self.ev(target.comparator), target.comparator)
            op_type = type(target.operator)
            if op_type in (cst.Is, cst.IsNot):
                if right != Const(None):
                    return self.unknown(f"an identity comparison ({self.code(node)})", node)
                op = "is None" if op_type is cst.Is else "is not None"
            elif op_type in _COMPARE_OPS:
                op = _COMPARE_OPS[op_type]
            else:
                return self.unknown(f"a comparison ({self.code(node)})", node)
            parts.append(fold(Compare(op, left, right)))  # type: ignore[arg-type]
            left = right
        if len(parts) == 1:
            return parts[0]
        return BoolOp("and", tuple(parts))

    def condition_of(self, value: Value, node: cst.CSTNode) -> Expr:
        """``value`` as a truth test: comparisons stay, other values become ``Truthy``."""
        expr = self.as_expr(value, node)
        if isinstance(expr, Compare | Not | Truthy | Unknown):
            return expr
        if isinstance(expr, BoolOp):
            return BoolOp(expr.op, tuple(self.condition_of(o, node) for o in expr.operands))
        return fold(Truthy(expr))

    def condition(self, node: cst.BaseExpression) -> Expr:
        return self.condition_of(self.ev(node), node)

    # ---- literals -------------------------------------------------------------------------

    def dict_literal(self, node: cst.Dict) -> Value:
        items: dict[str, Expr] = {}
        base: Expr | None = None
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                spread = self.as_expr(self.ev(element.value), element.value)
                if isinstance(spread, DictExpr):
                    items.update(spread.items)
                elif base is None and not items:
                    base = spread
                else:
                    return self.unknown("a ** spread after other keys", element)
                continue
            assert isinstance(element, cst.DictElement)
            key = self.ev(element.key)
            if not isinstance(key, Const) or not isinstance(key.value, str):
                return self.unknown(f"a dict key {self.code(element.key)}", element.key)
            items[key.value] = self.as_expr(self.ev(element.value), element.value)
        if base is not None:
            return WithKeys(base, tuple(((k,), v) for k, v in items.items()))
        return DictExpr(tuple(items.items()))

    def list_literal(self, node: cst.List | cst.Tuple) -> Value:
        items: list[Expr] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                return self.unknown("a * spread in a list", element)
            items.append(self.as_expr(self.ev(element.value), element.value))
        return ListExpr(tuple(items))


def fold(expr: Expr) -> Expr:
    """Evaluate a comparison or truth test whose operands are all constants."""
    if isinstance(expr, Compare) and isinstance(expr.left, Const):
        left, right = expr.left.value, expr.right
        if expr.op == "is None":
            return Const(left is None)
        if expr.op == "is not None":
            return Const(left is not None)
        if isinstance(right, Const) and expr.op in _FOLD:
            try:
                return Const(bool(_FOLD[expr.op](left, right.value)))
            except TypeError:
                return expr
    if isinstance(expr, Truthy) and isinstance(expr.arg, Const):
        return Const(bool(expr.arg.value))
    if isinstance(expr, Not) and isinstance(expr.operand, Const):
        return Const(not expr.operand.value)
    return expr


# Which method of ExpressionEvaluator evaluates each kind of expression (see ``ev``).
_EVALUATORS: dict[type, str] = {
    cst.Name: "ev_name",
    cst.SimpleString: "ev_string",
    cst.ConcatenatedString: "ev_string",
    cst.Integer: "ev_number",
    cst.Float: "ev_number",
    cst.FormattedString: "fstring",
    cst.Attribute: "ev_attribute",
    cst.Subscript: "subscript",
    cst.Call: "call",
    cst.BinaryOperation: "binary",
    cst.UnaryOperation: "unary",
    cst.BooleanOperation: "boolean",
    cst.Comparison: "comparison",
    cst.Dict: "dict_literal",
    cst.List: "list_literal",
    cst.Tuple: "list_literal",
    cst.ListComp: "ev_comprehension",
    cst.DictComp: "ev_comprehension",
    cst.SetComp: "ev_comprehension",
    cst.GeneratorExp: "ev_comprehension",
    cst.IfExp: "ev_conditional",
    cst.Lambda: "ev_lambda",
    cst.Await: "ev_await",
}


@functools.lru_cache(maxsize=4096)
def _literal(text: str) -> str | bytes:
    """The value of a string literal (``SimpleString.evaluated_value``, which compiles the
    literal with ``ast.literal_eval`` each time; handlers repeat the same keys many times)."""
    value: str | bytes = ast.literal_eval(text)
    return value


def _dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` written without spaces or parentheses, read straight from the nodes (most names
    the analysis prints are such: generating code for them costs more than the rest)."""
    parts = []
    while isinstance(node, cst.Attribute):
        dot = node.dot
        if (node.lpar or not isinstance(dot.whitespace_before, cst.SimpleWhitespace)
                or not isinstance(dot.whitespace_after, cst.SimpleWhitespace)
                or dot.whitespace_before.value or dot.whitespace_after.value):
            return None
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name) or node.lpar:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


__all__ = ["ExpressionEvaluator", "Frame", "fold", "is_expr"]
