"""States built ahead (while handlers are still being classified) give the very plan the
planner builds on its own, and a guess that does not match is built again."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import analyze_application
from lambdaslim.loading import load_application
from lambdaslim.pipeline import plan_analysis
from lambdaslim.rewrite.machine_builds import StatesBuiltAhead
from lambdaslim.rewrite.planning import build_plan

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from generate_monorepo import generate

ROOT = Path(__file__).resolve().parents[2]
APPS = [ROOT / "samples" / "original_13_lambdas",
        *(ROOT / "tests" / "fixtures" / "apps" / name
          for name in ("order_pipeline", "cdk_orders", "nested_checks", "ticket_booking"))]
CATALOG = load_catalog()


class CountingAhead(StatesBuiltAhead):
    """Counts the machines the plan takes."""

    taken = 0

    def take(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        built = super().take(*args, **kwargs)
        self.taken += built is not None
        return built


def _analysed(root: Path) -> tuple[object, CountingAhead]:
    app = load_application(root)
    ahead = CountingAhead(app, CATALOG)
    return analyze_application(app, CATALOG, on_verdict=ahead.add), ahead


@pytest.mark.parametrize("root", APPS, ids=lambda path: path.name)
def test_the_plan_with_states_built_ahead_is_the_plan_without(root: Path) -> None:
    analysis, ahead = _analysed(root)
    assert plan_analysis(analysis, CATALOG, ahead) == plan_analysis(analysis, CATALOG)


def test_machines_built_ahead_are_taken_with_their_declines_in_link_order(
        tmp_path: Path) -> None:
    """The benchmark's generator: many machines, some with states the plan declines."""
    generate(tmp_path / "mono", 120, seed=11)
    analysis, ahead = _analysed(tmp_path / "mono")
    with_ahead = build_plan(analysis, CATALOG, ahead=ahead)
    alone = build_plan(analysis, CATALOG)
    assert with_ahead == alone
    assert alone.declined, "the repository must hold declined states"
    assert ahead.taken == len(analysis.app.state_machines)


def test_a_guess_that_does_not_match_the_plan_is_built_again(tmp_path: Path) -> None:
    """Skipping a function changes the tasks of its machine: that machine is rebuilt, the
    others are taken."""
    generate(tmp_path / "mono", 40, seed=3)
    analysis, ahead = _analysed(tmp_path / "mono")
    skipped = next(f.function_id for f in analysis.functions if f.replaced)
    machines = {link.state_machine_id for link in analysis.app.tasks_for_function(skipped)}
    plan = build_plan(analysis, CATALOG, skip={skipped}, ahead=ahead)
    assert plan == build_plan(analysis, CATALOG, skip={skipped})
    assert ahead.taken == len(analysis.app.state_machines) - len(machines)


def test_another_query_language_takes_nothing(tmp_path: Path) -> None:
    generate(tmp_path / "mono", 20, seed=5)
    analysis, ahead = _analysed(tmp_path / "mono")
    plan = build_plan(analysis, CATALOG, query_language="jsonata", ahead=ahead)
    assert plan == build_plan(analysis, CATALOG, query_language="jsonata")
    assert ahead.taken == 0
