"""Analysis and plan together, so ``analyze`` and ``rewrite`` never disagree.

The classification says what a handler does; only planning knows whether the workflow around
it can be rewritten exactly (a state keeping Lambda's response metadata cannot). A function
the plan declines is reported as kept by ``analyze`` too, with the plan's reason.
"""

from __future__ import annotations

import dataclasses

from lambdaslim.analysis import Reason
from lambdaslim.catalog import Catalog
from lambdaslim.classification import KEEP, Analysis, FunctionVerdict
from lambdaslim.plan import Declined, Plan
from lambdaslim.rewrite.machine_builds import StatesBuiltAhead
from lambdaslim.rewrite.planning import build_plan


def plan_analysis(
    analysis: Analysis, catalog: Catalog, ahead: StatesBuiltAhead | None = None
) -> tuple[Analysis, Plan]:
    """The plan of every replaceable function, and the analysis with declined ones kept
    (taking the states built ``ahead`` that it would build)."""
    plan = build_plan(analysis, catalog, ahead=ahead)
    return with_declined(analysis, plan.declined), plan


def with_declined(analysis: Analysis, declined: tuple[Declined, ...]) -> Analysis:
    if not declined:
        return analysis
    first: dict[str, Declined] = {}
    for item in declined:
        first.setdefault(item.function_id, item)
    functions = tuple(
        _kept(analysis, verdict, first[verdict.function_id])
        if verdict.function_id in first else verdict
        for verdict in analysis.functions
    )
    machines = tuple(
        dataclasses.replace(machine, becomes_sync_express=False)
        if machine.entry_function in first else machine
        for machine in analysis.machines
    )
    return dataclasses.replace(analysis, functions=functions, machines=machines)


def _kept(analysis: Analysis, verdict: FunctionVerdict, why: Declined) -> FunctionVerdict:
    links = analysis.app.tasks_for_function(verdict.function_id)
    location = links[0].location if links else analysis.app.functions[
        verdict.function_id].location
    reason = Reason(f"{why.where}: {why.reason}", location.file, location.line)
    return dataclasses.replace(
        verdict, verdict=KEEP, category="keep", rule_id=None, resources=(),
        reasons=(reason, *verdict.reasons),
    )
