"""The analysis as the report shows it: one row per function, one entry per state machine.

Used by the full report and alone by ``lambdaslim analyze --format markdown``; it reads only
the analysis and the catalog, so ``analyze`` pays for nothing else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from lambdaslim.catalog import Catalog
from lambdaslim.classification import REPLACE, Analysis, FunctionVerdict
from lambdaslim.output.analysis_json import summary_counts
from lambdaslim.output.analysis_text import replacement, state_label
from lambdaslim.report.links import Links


@dataclass(frozen=True)
class RuleRef:
    id: str
    name: str
    url: str

    def link(self) -> str:
        return f"[{self.id}]({self.url})"


def rule_ref(catalog: Catalog, rule_id: str | None) -> RuleRef | None:
    if rule_id is None:
        return None
    rule = next((r for r in catalog.rules if r.id == rule_id), None)
    return RuleRef(rule_id, rule.name if rule else "", rule.url if rule else "")


def analysis_context(analysis: Analysis, catalog: Catalog, links: Links) -> dict[str, Any]:
    """What ``report_analysis.md.j2`` renders."""
    return {
        "counts": summary_counts(analysis),
        "functions": [_function_row(analysis, catalog, links, f) for f in analysis.functions],
        "machines": [
            {
                "id": m.machine_id,
                "type": m.type,
                "definition": links.location(m.definition),
                "becomes": "EXPRESS (synchronous)" if m.becomes_sync_express else "",
                "eligible": m.express.eligible,
                "reasons": list(m.express.reasons),
                "risks": list(m.express.risks),
                "worst_case": None if math.isinf(m.express.worst_case_seconds)
                else f"{m.express.worst_case_seconds:g} s",
            }
            for m in analysis.machines
        ],
        "warnings": [
            {"where": links.location(w.location.file, w.location.line), "message": w.message}
            for w in analysis.app.warnings
        ],
    }


def _function_row(
    analysis: Analysis, catalog: Catalog, links: Links, verdict: FunctionVerdict
) -> dict[str, Any]:
    app = analysis.app
    reason = verdict.reasons[0] if verdict.reasons else None
    invoked = [
        f"{link.state_machine_id}: {state_label(link.state_path)}"
        for link in app.tasks_for_function(verdict.function_id)
    ] + [
        f"{route.api_id} {route.route_key}"
        for route in app.routes_for_function(verdict.function_id)
    ]
    rule = rule_ref(catalog, verdict.rule_id)
    return {
        "id": verdict.function_id,
        "replaced": verdict.verdict == REPLACE,
        "verdict": verdict.verdict,
        "category": verdict.category,
        "rule": rule.link() if rule else "",
        "replacement": replacement(verdict).removeprefix(f"{verdict.rule_id} ")
        if verdict.replaced else "",
        "where": links.location(reason.file, reason.line) if reason else "",
        "reason": reason.message if reason else "",
        "invoked_by": sorted(dict.fromkeys(invoked)),
    }
