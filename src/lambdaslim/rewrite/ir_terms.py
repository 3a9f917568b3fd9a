"""Handler IR expressions as terms: what the handler computed, in the workflow's own language.

Every translation here is exact or refused. Where Python and JSONata differ at the edges
(truthiness of lists, text of booleans), the translation reproduces Python's behaviour or the
difference is declared by the classifier; a construct with no faithful translation raises
:class:`~lambdaslim.rewrite.state_io.Unsupported`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lambdaslim.analysis import ir
from lambdaslim.rewrite.state_io import Unsupported
from lambdaslim.rewrite.terms import Arr, Expr, Lit, Obj, Path, Term, get, set_path

# Python truthiness: JSONata's $boolean says an array is true only if a member is.
TRUTHY = '($type({0}) = "array" ? $count({0}) > 0 : $boolean({0}))'
JSON_OF_OBJECT = "$string({0})"
JSON_OF_VALUE = '($s := $string({"v": {0}}); $substring($s, 5, $length($s) - 6))'
_COMPARE = {"==": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}


@dataclass(frozen=True)
class Scope:
    """Where the handler's inputs live at run time.

    ``event`` is the event as a term; ``result`` maps a step's ``CallResult`` path to the
    term of the integration result that holds it; ``env`` gives the term of an environment
    variable (a ``${Substitution}`` bound to the same template value).
    """

    event: Term
    result: Callable[[int, Path], Term]
    env: Callable[[ir.EnvRef], Term]


def value(expr: ir.Expr, scope: Scope) -> Term:
    """The term computing the Python value of ``expr``."""
    if isinstance(expr, ir.Const):
        return Lit(expr.value)
    if isinstance(expr, ir.EventPath):
        return _optional(get(scope.event, expr.path), expr.optional, expr.default, scope)
    if isinstance(expr, ir.EnvRef):
        return scope.env(expr)
    if isinstance(expr, ir.CallResult):
        return _optional(scope.result(expr.step, expr.path), expr.optional, expr.default, scope)
    if isinstance(expr, ir.PathInto):
        return _optional(get(value(expr.base, scope), expr.path), expr.optional, expr.default,
                         scope)
    if isinstance(expr, ir.JsonDumps):
        if expr.options:
            raise Unsupported("json.dumps with options has no exact counterpart")
        return json_text(value(expr.arg, scope))
    if isinstance(expr, ir.JsonLoads):
        return Expr("$eval({0})", (value(expr.arg, scope),))
    if isinstance(expr, ir.StrCase):
        function = "$lowercase" if expr.op == "lower" else "$uppercase"
        return Expr(function + "({0})", (value(expr.arg, scope),))
    if isinstance(expr, ir.Concat):
        parts = tuple(value(part, scope) for part in expr.parts)
        if len(parts) == 1 and not (isinstance(parts[0], Lit) and isinstance(parts[0].value,
                                                                              str)):
            # str(x) alone: "" & x is text, as str() is ({0} alone would keep a number a number)
            parts = (Lit(""), *parts)
        return Expr(_joined(" & ", len(parts)), parts)
    if isinstance(expr, ir.DictExpr):
        return Obj(tuple((key, value(item, scope)) for key, item in expr.items))
    if isinstance(expr, ir.ListExpr):
        return Arr(tuple(value(item, scope) for item in expr.items))
    if isinstance(expr, ir.WithKeys):
        term = value(expr.base, scope)
        for path, item in expr.assignments:
            term = set_path(term, path, value(item, scope))
        return term
    if isinstance(expr, ir.Generated):
        return Expr("$uuid()" if expr.kind == "uuid" else "$now()")
    if isinstance(expr, ir.BoolOp):
        return _bool_value(expr, scope)
    if isinstance(expr, ir.Compare | ir.Not | ir.Truthy):
        return condition(expr, scope)
    if isinstance(expr, ir.Unknown):
        raise Unsupported(expr.reason)
    raise Unsupported(f"{type(expr).__name__} values have no workflow counterpart here")


def json_text(term: Term) -> Term:
    """The JSON text of a value. ``$string`` gives it for objects and arrays, but returns a
    string unquoted, so a value of unknown type is serialised inside an object and unwrapped
    (inside an array, JSONata would flatten an array value)."""
    if isinstance(term, Obj | Arr):
        return Expr(JSON_OF_OBJECT, (term,))
    return Expr(JSON_OF_VALUE, (term,))


def condition(expr: ir.Expr, scope: Scope) -> Term:
    """A JSONata boolean with Python's meaning of ``expr`` used as a condition."""
    if isinstance(expr, ir.Compare):
        left = value(expr.left, scope)
        if expr.op == "is None":
            return Expr('($not($exists({0})) or {0} = null)', (left,))
        if expr.op == "is not None":
            return Expr('($exists({0}) and {0} != null)', (left,))
        right = value(expr.right, scope)
        if expr.op in ("in", "not in"):
            test = _membership(expr, left, right)
            return test if expr.op == "in" else Expr("$not({0})", (test,))
        if expr.op in ("==", "!=") and any(
                isinstance(side, ir.Const) and isinstance(side.value, bool)
                for side in (expr.left, expr.right)):
            # Python's True == 1 == 1.0 (False == 0); JSONata's true = 1 is false.
            flag, other = (expr.left, right) if isinstance(expr.left, ir.Const) and isinstance(
                expr.left.value, bool) else (expr.right, left)
            assert isinstance(flag, ir.Const) and isinstance(flag.value, bool)
            template = "({0} = {1} or {0} = {2})" if expr.op == "==" else \
                "({0} != {1} and {0} != {2})"
            return Expr(template, (other, Lit(flag.value), Lit(int(flag.value))))
        return Expr("{0} " + _COMPARE[expr.op] + " {1}", (left, right))
    if isinstance(expr, ir.BoolOp):
        operands = tuple(truth(operand, scope) for operand in expr.operands)
        return Expr(_joined(f" {expr.op} ", len(operands)), operands)
    if isinstance(expr, ir.Not):
        return Expr("$not({0})", (truth(expr.operand, scope),))
    return truth(expr.arg if isinstance(expr, ir.Truthy) else expr, scope)


def _membership(expr: ir.Compare, left: Term, right: Term) -> Term:
    """``x in [..]`` is list membership; ``"key" in response`` (a boto3 response, or the whole
    event: both always dicts) is key presence. Anything else could be a list or a text."""
    if isinstance(expr.right, ir.ListExpr):
        return Expr("{0} in {1}", (left, right))
    whole = isinstance(expr.right, ir.CallResult) and not expr.right.path
    if (whole or expr.right == ir.EventPath(())) and isinstance(expr.left, ir.Const) and \
            isinstance(expr.left.value, str):
        return Expr("$exists({0})", (get(right, (expr.left.value,)),))
    raise Unsupported("'in' over a value of unknown type (list or text?)")


def _joined(separator: str, count: int) -> str:
    """``{0} & {1} & {2}``: a template joining ``count`` arguments."""
    return separator.join(f"{{{i}}}" for i in range(count))


def _bool_value(expr: ir.BoolOp, scope: Scope) -> Term:
    """``a or b`` / ``a and b`` as data: Python gives an operand, not a boolean
    (``event.get("priority") or "normal"`` is the priority or ``"normal"``)."""
    term = value(expr.operands[-1], scope)
    for operand in reversed(expr.operands[:-1]):
        test, chosen = truth(operand, scope), value(operand, scope)
        template = "{0} ? {1} : {2}" if expr.op == "or" else "{0} ? {2} : {1}"
        term = Expr(template, (test, chosen, term))
    return term


def truth(expr: ir.Expr, scope: Scope) -> Term:
    """A JSONata boolean: whether Python finds ``expr`` true."""
    if isinstance(expr, ir.Compare | ir.BoolOp | ir.Not):
        return condition(expr, scope)
    return Expr(TRUTHY, (value(expr, scope),))


def _optional(term: Term, optional: bool, default: ir.Expr | None, scope: Scope) -> Term:
    if not optional:
        return term
    fallback = value(default, scope) if default is not None else Lit(None)
    return Expr("($exists({0}) ? {0} : {1})", (term, fallback))


def error_object(error: str, message: ir.Expr, scope: Scope) -> Term:
    """The ``{"Error", "Cause"}`` object a Lambda error with this exception produces."""
    return error_term(error, value(message, scope))


def error_term(error: str, message: Term) -> Term:
    """The ``{"Error", "Cause"}`` object of exception ``error`` with the text ``message``."""
    cause = Obj((("errorMessage", message), ("errorType", Lit(error))))
    return Obj((("Error", Lit(error)), ("Cause", Expr("$string({0})", (cause,)))))
