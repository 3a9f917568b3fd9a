"""The errors Python raises while it evaluates a guard, before the guard decides.

``if event["firstname"].lower() != card["firstnames"][0].lower(): raise ValueError(...)``
raises ``KeyError('firstname')`` when the field is missing, ``IndexError`` when the list is
empty and ``AttributeError`` when the value is not text; the replaced Task's catcher saw those
errors. A JSONata Choice rule reads a missing field as ``undefined`` and compares it as false,
so on its own it would take the Default: the success path.

:func:`preconditions` lists, in Python's evaluation order (left operand fully before right,
``a`` before ``a["b"]`` before ``a["b"][0]``), the rules that reproduce those errors. The
rewrite puts them right before the guard's own rule: Choice rules are tried in order and the
first match wins, as Python evaluates guards in order.

A read evaluated only sometimes (second and later operands of ``and``/``or``, the raised
message, only built when the guard fires) is checked only under the condition Python evaluates
it under, so each check is exact. Paths read with ``.get()`` need no check: the summary cannot
tell ``event["a"].get("b")`` from ``event.get("a", {}).get("b")``, and neither raises when
``b`` is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from lambdaslim.analysis import ir
from lambdaslim.rewrite.ir_terms import Scope, error_term, truth, value
from lambdaslim.rewrite.state_io import Unsupported
from lambdaslim.rewrite.terms import Arr, Expr, Lit, Obj, Path, Ref, SetPath, Term, get, render

INDEX_ERROR = "list index out of range"
# Python's type name of a JSON value, as ``'<type>' object has no attribute 'lower'`` says it.
PY_TYPE = ('($t := $type({0}); $t = "null" ? "NoneType" : $t = "boolean" ? "bool" : '
           '$t = "array" ? "list" : $t = "object" ? "dict" : '
           '$t = "number" ? ($floor({0}) = {0} ? "int" : "float") : $t)')


@dataclass(frozen=True)
class Precondition:
    """A rule raising ``error`` when ``condition`` holds; ``key`` names what it checks (the
    same key checked unconditionally earlier in the Choice needs no second rule)."""

    condition: Term
    error: str
    error_object: Term
    key: str
    unconditional: bool


def preconditions(guard: ir.Guard, scope: Scope,
                  first_subscript: Callable[[int], int]) -> list[Precondition]:
    """The checks to evaluate before ``guard``'s own rule, in order.

    ``first_subscript(step)`` is the index in a ``CallResult`` path of its first subscript
    (``response["Items"]``: 0; ``response.json()["id"]``: 1, after the attribute).
    """
    walker = _Walker(scope, first_subscript)
    checks = list(walker.walk(guard.condition, None))
    # The message is built only when the guard fires.
    checks.extend(walker.walk(guard.message, truth(guard.condition, scope)))
    return checks


class _Walker:
    def __init__(self, scope: Scope, first_subscript: Callable[[int], int]):
        self.scope = scope
        self.first_subscript = first_subscript

    def walk(self, expr: ir.Expr, when: Term | None) -> Iterator[Precondition]:
        """Checks for ``expr`` evaluated under ``when`` (None: always)."""
        if isinstance(expr, ir.EventPath):
            yield from self._path(self.scope.event, expr.path, expr, when)
        elif isinstance(expr, ir.CallResult):
            start = self.first_subscript(expr.step)
            base = self.scope.result(expr.step, expr.path[:start])
            yield from self._path(base, expr.path[start:], expr, when)
        elif isinstance(expr, ir.PathInto):
            yield from self.walk(expr.base, when)
            yield from self._path(value(expr.base, self.scope), expr.path, expr, when)
        elif isinstance(expr, ir.JsonDumps | ir.JsonLoads):
            yield from self.walk(expr.arg, when)
        elif isinstance(expr, ir.StrCase):
            yield from self.walk(expr.arg, when)
            yield from self._text(expr, when)
        elif isinstance(expr, ir.Concat):
            for part in expr.parts:
                yield from self.walk(part, when)
        elif isinstance(expr, ir.DictExpr):
            for _, item in expr.items:
                yield from self.walk(item, when)
        elif isinstance(expr, ir.ListExpr):
            for item in expr.items:
                yield from self.walk(item, when)
        elif isinstance(expr, ir.WithKeys):
            yield from self.walk(expr.base, when)
            for _, item in expr.assignments:
                yield from self.walk(item, when)
        elif isinstance(expr, ir.Compare):
            yield from self.walk(expr.left, when)
            if expr.op not in ("is None", "is not None"):
                yield from self.walk(expr.right, when)
        elif isinstance(expr, ir.BoolOp):
            # Python evaluates an operand only while the ones before it leave the answer open.
            reached = when
            for operand in expr.operands:
                yield from self.walk(operand, reached)
                test = truth(operand, self.scope)
                if expr.op == "or":
                    test = Expr("$not({0})", (test,))
                reached = test if reached is None else Expr("{0} and {1}", (reached, test))
        elif isinstance(expr, ir.Not):
            yield from self.walk(expr.operand, when)
        elif isinstance(expr, ir.Truthy):
            yield from self.walk(expr.arg, when)

    def _path(self, base: Term, path: Path, expr: ir.EventPath | ir.CallResult | ir.PathInto,
              when: Term | None) -> Iterator[Precondition]:
        """``base[p0][p1]...``: each subscript raises when its key or index is missing."""
        if expr.optional:
            # The default is an argument of .get(): always evaluated.
            if expr.default is not None:
                yield from self.walk(expr.default, when)
            return
        for count in range(1, len(path) + 1):
            parent = get(base, path[:count - 1])
            key = path[count - 1]
            present = _presence(parent, key)
            if present is True:
                continue
            if present is False:
                raise Unsupported(f"the guard reads [{key!r}] from a value that never has it: "
                                  "the handler always fails there")
            item = get(base, path[:count])
            missing = Expr("$not($exists({0}))", (item,))
            if isinstance(key, int):
                error, message = "IndexError", INDEX_ERROR
            else:
                error, message = "KeyError", repr(key)  # str(KeyError("a")) is "'a'"
            yield self._check(missing, error, Lit(message), f"exists {render(item)}", when)

    def _text(self, expr: ir.StrCase, when: Term | None) -> Iterator[Precondition]:
        """``x.lower()`` on a value that is not text raises AttributeError in Python, where
        ``$lowercase`` fails the Choice itself (States.Runtime, which no catcher sees)."""
        subject = value(expr.arg, self.scope)
        if isinstance(subject, Lit) and isinstance(subject.value, str):
            return
        wrong = Expr('$type({0}) != "string"', (subject,))
        message = Expr('"\'" & {0} & "\' object has no attribute \'' + expr.op + '\'"',
                       (Expr(PY_TYPE, (subject,)),))
        yield self._check(wrong, "AttributeError", message,
                          f"text {expr.op} {render(subject)}", when)

    @staticmethod
    def _check(test: Term, error: str, message: Term, key: str,
               when: Term | None) -> Precondition:
        condition = test if when is None else Expr("{0} and {1}", (when, test))
        return Precondition(condition, error, error_term(error, message), key, when is None)


def _presence(parent: Term, key: str | int) -> bool | None:
    """Whether ``parent[key]`` exists, when the rewrite knows it (a dict the state's
    Parameters built, a value the handler set); None when only the run can tell."""
    if isinstance(parent, Ref | Expr):
        return None
    if isinstance(parent, SetPath):
        if parent.path[0] == key:
            return True
        return _presence(parent.base, key)
    if isinstance(parent, Obj):
        return isinstance(key, str) and any(name == key for name, _ in parent.items)
    if isinstance(parent, Arr):
        return isinstance(key, int) and -len(parent.items) <= key < len(parent.items)
    data = parent.value
    if isinstance(data, dict):
        return key in data
    if isinstance(data, list):
        return isinstance(key, int) and -len(data) <= key < len(data)
    return False
