"""The IR round-trips through JSON: a cache stores summaries."""

from __future__ import annotations

import json

from analysis_support import FIXTURES, summary_of
from hypothesis import given
from hypothesis import strategies as st

from lambdaslim.analysis import ir


def test_every_fixture_summary_round_trips_through_json() -> None:
    for path in sorted(FIXTURES.glob("*.py")):
        summary = summary_of(path.stem)
        text = json.dumps(summary.to_dict())
        assert ir.HandlerSummary.from_dict(json.loads(text)) == summary, path.name


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
paths = st.lists(st.one_of(st.text(max_size=3), st.integers(0, 3)), max_size=3).map(tuple)
exprs = st.recursive(
    st.one_of(
        scalars.map(ir.Const),
        paths.map(ir.EventPath),
        st.text(min_size=1, max_size=5).map(ir.EnvRef),
        st.builds(ir.Generated, st.sampled_from(["uuid", "timestamp"]), st.integers(1, 9)),
    ),
    lambda inner: st.one_of(
        st.builds(ir.JsonDumps, inner),
        st.builds(ir.StrCase, inner, st.sampled_from(["lower", "upper"])),
        st.lists(inner, max_size=3).map(lambda xs: ir.Concat(tuple(xs))),
        st.lists(st.tuples(st.text(max_size=3), inner), max_size=3).map(
            lambda xs: ir.DictExpr(tuple(xs))
        ),
        st.builds(ir.Compare, st.sampled_from(["==", "in", "is None"]), inner, inner),
        st.builds(ir.WithKeys, inner, st.lists(st.tuples(paths, inner), max_size=2).map(tuple)),
    ),
    max_leaves=8,
)


@given(exprs)
def test_any_expression_round_trips(expr: ir.Expr) -> None:
    summary = ir.HandlerSummary("f.py", "handler", 1, returns=expr,
                                steps=(ir.Guard(expr, "ValueError", ir.Const("m"), 3),))
    assert ir.HandlerSummary.from_dict(json.loads(json.dumps(summary.to_dict()))) == summary


def test_walk_is_pre_order_over_fields_in_order_then_tuple_items() -> None:
    from lambdaslim.analysis.ir import Concat, Const, DictExpr, EventPath, walk

    node = DictExpr((("id", EventPath(("a", 0))), ("text", Concat((Const("x"), Const(None))))))
    assert list(walk(node)) == [
        node, node.items, node.items[0], "id", EventPath(("a", 0)), ("a", 0), "a", 0, False,
        None, node.items[1], "text", node.items[1][1], node.items[1][1].parts, Const("x"), "x",
        Const(None), None,
    ]
