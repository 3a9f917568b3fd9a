"""The whole report: gathers every section's context and renders ``report_rewrite.md.j2``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdaslim.catalog import Catalog
from lambdaslim.classification import Analysis
from lambdaslim.plan import Plan
from lambdaslim.report.analysis_view import analysis_context
from lambdaslim.report.architecture import Architecture
from lambdaslim.report.changes import change_sections
from lambdaslim.report.cost import CostModel
from lambdaslim.report.diffs import file_diffs
from lambdaslim.report.links import Links
from lambdaslim.report.markdown import render
from lambdaslim.report.mermaid import state_diagram
from lambdaslim.report.state_graphs import MachineGraphs, machine_graphs
from lambdaslim.report.summary import (
    code_lines_removed,
    iam_changes,
    workflow_changes,
)
from lambdaslim.report.verification import CASES_FOLDER, verification_rows
from lambdaslim.report.workload import workload


@dataclass(frozen=True)
class ReportInput:
    """What the rewrite knows when it writes the report.

    ``root`` is the input application (resolved); ``changed``/``deleted`` are the rewrite's
    changes relative to it; ``verification`` the verify document when ``--verify`` ran;
    ``verify_requested`` whether it was asked for (it runs nothing without a ``cases/`` folder).
    """

    analysis: Analysis
    plan: Plan
    catalog: Catalog
    root: Path
    changed: Mapping[str, str]
    deleted: Sequence[str]
    links: Links
    prices: dict[str, Any]
    verification: dict[str, Any] | None = None
    verify_requested: bool = False


def render_report(source: ReportInput) -> str:
    analysis, plan = source.analysis, source.plan
    graphs = machine_graphs(analysis, plan)
    before = len(analysis.app.functions)
    lines, files = code_lines_removed(source.root, source.deleted)
    model = CostModel(analysis, plan, source.prices)
    return render(
        "report_rewrite.md.j2",
        h="##",
        title=source.root.name,
        app=source.links.base or ".",
        functions_before=before,
        functions_after=before - len(set(plan.removed_functions) & set(analysis.app.functions)),
        removed=sorted(plan.removed_functions),
        code_lines=lines,
        code_files=files,
        machines_changed=[m.machine_id for m in plan.machines],
        apis_changed=sorted({f"{r.api_id} {r.route_key}" for r in plan.routes}),
        workflow_changes=workflow_changes(analysis, plan),
        iam=iam_changes(analysis, plan),
        diagrams=[_diagrams(g) for g in graphs if g.edit is not None],
        architecture=Architecture(analysis, plan),
        changes=change_sections(analysis, plan, source.catalog, source.root, source.links),
        declined=[{"id": d.function_id, "where": d.where, "reason": d.reason}
                  for d in plan.declined],
        diffs=file_diffs(source.root, source.changed, source.deleted),
        verification=source.verification,
        verify_requested=source.verify_requested,
        cases_folder=CASES_FOLDER,
        verification_rows=verification_rows(source.verification) if source.verification
        else [],
        costs=[model.machine(g, workload(g, source.verification)) for g in graphs],
        prices=source.prices,
        **analysis_context(analysis, source.catalog, source.links),
    )


def _diagrams(graphs: MachineGraphs) -> dict[str, str]:
    notes_before = dict(graphs.lambda_before)
    marks_before = {p: "replaced" if p in graphs.replaced else "lambda" for p in notes_before}
    marks_after = {p: "lambda" for p in graphs.lambda_after}
    marks_after.update({p: "added" for p in graphs.added})
    return {
        "machine": graphs.machine_id,
        "type_before": graphs.type_before,
        "type_after": graphs.type_after,
        "before": state_diagram(graphs.before, graphs.start_before, marks_before, notes_before),
        "after": state_diagram(graphs.after, graphs.start_after, marks_after,
                               dict(graphs.lambda_after)),
    }
