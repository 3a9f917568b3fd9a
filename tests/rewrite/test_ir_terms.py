"""Handler expressions translated to JSONata mean what Python meant: evaluated side by side."""

from __future__ import annotations

import json
from typing import Any

import jsonata
import pytest

from lambdaslim.analysis import ir
from lambdaslim.rewrite.ir_terms import Scope, condition, value
from lambdaslim.rewrite.state_io import Unsupported
from lambdaslim.rewrite.terms import Lit, Ref, get, render

SCOPE = Scope(Ref("input"), lambda step, path: get(Ref("result"), path),
              lambda env: Lit(f"${{{env.name}}}"))
VALUES: list[Any] = [0, 1, -2, 0.5, "", "x", [], [0], [""], [{}], {}, {"a": 0}, None, True, False]


def evaluate(expression: str, state_input: Any, result: Any = None) -> Any:
    program = f"($states := {{'input': {json.dumps(state_input)}, " \
              f"'result': {json.dumps(result)}}}; {expression})"
    return jsonata.Jsonata(program).evaluate(None)


@pytest.mark.parametrize("sample", VALUES, ids=repr)
def test_truthiness_is_pythons(sample: Any) -> None:
    term = condition(ir.Truthy(ir.EventPath(("v",))), SCOPE)
    assert evaluate(render(term), {"v": sample}) is bool(sample)
    negated = condition(ir.Not(ir.EventPath(("v",))), SCOPE)
    assert evaluate(render(negated), {"v": sample}) is (not sample)


@pytest.mark.parametrize(("left", "right"), [(1, 2), (2, 2), ("a", "b"), ("b", "a")])
@pytest.mark.parametrize("op", ["==", "!=", "<", "<=", ">", ">="])
def test_comparisons_are_pythons(op: str, left: Any, right: Any) -> None:
    term = condition(ir.Compare(op, ir.EventPath(("a",)), ir.EventPath(("b",))), SCOPE)  # type: ignore[arg-type]
    expected = eval(f"{left!r} {op} {right!r}")  # the comparison under test, on literals
    assert evaluate(render(term), {"a": left, "b": right}) is expected


def test_key_presence_in_a_response_and_list_membership() -> None:
    present = condition(ir.Compare("in", ir.Const("Item"), ir.CallResult(0, ())), SCOPE)
    assert evaluate(render(present), {}, {"Item": {"pk": {"S": "1"}}}) is True
    assert evaluate(render(present), {}, {"Count": 0}) is False
    listed = ir.Compare("not in", ir.EventPath(("tier",)),
                        ir.ListExpr((ir.Const("gold"), ir.Const("silver"))))
    assert evaluate(render(condition(listed, SCOPE)), {"tier": "bronze"}) is True
    with pytest.raises(Unsupported):
        condition(ir.Compare("in", ir.Const("x"), ir.EventPath(("name",))), SCOPE)


@pytest.mark.parametrize("sample", ["text", 'q"uote', 3, 2.5, True, None, [1, "a"], {"k": []}],
                         ids=repr)
def test_json_dumps_is_the_json_text(sample: Any) -> None:
    term = value(ir.JsonDumps(ir.EventPath(("v",))), SCOPE)
    text = evaluate(render(term), {"v": sample})
    assert json.loads(text) == sample


def test_fstring_text_and_case() -> None:
    message = ir.Concat((ir.Const("Hello "), ir.StrCase(ir.EventPath(("name",)), "upper"),
                         ir.Const("!")))
    assert evaluate(render(value(message, SCOPE)), {"name": "Ada"}) == "Hello ADA!"
