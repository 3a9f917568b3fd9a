"""A function the planner declines leaves no trace in the plan: the plan is the one made with
that function skipped from the start (its substitutions rolled back, its machine's other
states unchanged). Checked on a generated monorepo where many states cannot be built."""

from __future__ import annotations

import sys
from pathlib import Path

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import analyze_application
from lambdaslim.loading import load_application
from lambdaslim.rewrite.planning import build_plan

sys.path.insert(0, str(Path(__file__).parents[2] / "benchmarks"))
from generate_monorepo import generate


def test_declined_functions_leave_the_plan_as_if_skipped(tmp_path: Path) -> None:
    generate(tmp_path / "mono", 200, seed=7)
    catalog = load_catalog()
    analysis = analyze_application(load_application(tmp_path / "mono"), catalog)
    plan = build_plan(analysis, catalog)
    declined = {item.function_id for item in plan.declined}
    assert len(declined) >= 5
    shared = {link.state_machine_id for fid in declined
              for link in analysis.app.tasks_for_function(fid)}
    assert shared & {machine.machine_id for machine in plan.machines}, (
        "some declined function must share its machine with replaced states")
    skipped = build_plan(analysis, catalog, skip=declined)
    assert skipped.declined == ()
    assert skipped.machines == plan.machines
    assert skipped.routes == plan.routes
    assert skipped.removed_functions == plan.removed_functions
