"""The ``--format json`` document of ``lambdaslim analyze`` (schema ``lambdaslim/analysis/v1``).

The schema is documented in the README. Keys only ever get added within a schema version;
renaming or removing one makes a new version.
"""

from __future__ import annotations

import math
from typing import Any

from lambdaslim import __version__
from lambdaslim.analysis import Reason
from lambdaslim.classification import KEEP, REPLACE, Analysis, FunctionVerdict, MachineVerdict
from lambdaslim.output.json_text import dumps_indented

SCHEMA = "lambdaslim/analysis/v1"


def analysis_document(analysis: Analysis, shown_root: str) -> dict[str, Any]:
    app = analysis.app
    verdicts = {f.function_id: f for f in analysis.functions}
    return {
        "schema": SCHEMA,
        "lambdaslim": __version__,
        "application": {
            "path": shown_root,
            "kind": app.kind,
            "template": app.template_file.name if app.template_file else None,
        },
        "functions": [_function(analysis, f) for f in analysis.functions],
        "state_machines": [_machine(analysis, m, verdicts) for m in analysis.machines],
        "apis": [
            {
                "id": api.logical_id,
                "protocol": api.protocol,
                "routes": [
                    {
                        "route": route.route_key,
                        "function": route.target_function,
                        "verdict": _verdict_of(verdicts, route.target_function),
                    }
                    for route in api.routes
                ],
            }
            for api in app.apis.values()
        ],
        "warnings": [
            {"message": w.message, "file": w.location.file, "line": w.location.line}
            for w in app.warnings
        ],
        "summary": summary_counts(analysis),
    }


def render_json(analysis: Analysis, shown_root: str) -> str:
    return dumps_indented(analysis_document(analysis, shown_root)) + "\n"


def summary_counts(analysis: Analysis) -> dict[str, int]:
    return {
        "functions": len(analysis.functions),
        "replace": sum(f.verdict == REPLACE for f in analysis.functions),
        "keep": sum(f.verdict == KEEP for f in analysis.functions),
    }


def _reason(reason: Reason) -> dict[str, Any]:
    return {"message": reason.message, "file": reason.file, "line": reason.line}


def _function(analysis: Analysis, verdict: FunctionVerdict) -> dict[str, Any]:
    app = analysis.app
    function = app.functions[verdict.function_id]
    handler = verdict.handler_verdict
    return {
        "id": verdict.function_id,
        "source": verdict.source,
        "handler": verdict.handler,
        "runtime": function.runtime,
        "verdict": verdict.verdict,
        "category": verdict.category,
        "rule": verdict.rule_id,
        "resources": list(verdict.resources),
        "reasons": [_reason(r) for r in verdict.reasons],
        "needs_jsonata": bool(handler and handler.needs_jsonata and verdict.replaced),
        "declared": [
            {"kind": d.kind, "message": d.message, "line": d.line}
            for d in (handler.declared if handler and verdict.replaced else ())
        ],
        "invoked_by": {
            "states": [
                {"state_machine": link.state_machine_id, "state": list(link.state_path),
                 "form": link.form}
                for link in app.tasks_for_function(verdict.function_id)
            ],
            "routes": [
                {"api": route.api_id, "route": route.route_key}
                for route in app.routes_for_function(verdict.function_id)
            ],
        },
    }


def _machine(
    analysis: Analysis, machine: MachineVerdict, verdicts: dict[str, FunctionVerdict]
) -> dict[str, Any]:
    worst = machine.express.worst_case_seconds
    return {
        "id": machine.machine_id,
        "name": machine.name,
        "type": machine.type,
        "definition": machine.definition,
        "express_eligible": machine.express.eligible,
        "express_reasons": list(machine.express.reasons),
        "risks": list(machine.express.risks),
        "worst_case_seconds": None if math.isinf(worst) else worst,
        "entry_function": machine.entry_function,
        "becomes": "EXPRESS (synchronous)" if machine.becomes_sync_express else None,
        "tasks": [
            {
                "state": list(link.state_path),
                "function": link.function_id,
                "form": link.form,
                "verdict": _verdict_of(verdicts, link.function_id),
            }
            for link in analysis.app.tasks_of_machine(machine.machine_id)
        ],
    }


def _verdict_of(verdicts: dict[str, FunctionVerdict], function_id: str | None) -> str | None:
    verdict = verdicts.get(function_id) if function_id else None
    return verdict.verdict if verdict else None
