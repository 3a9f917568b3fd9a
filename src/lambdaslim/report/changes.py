"""One section per replaced function: the rule, the handler lines that decided, what replaces
them, the differences the rewrite declares, and what a reviewer should check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaslim.catalog import Catalog
from lambdaslim.classification import Analysis, FunctionVerdict
from lambdaslim.output.analysis_text import state_label
from lambdaslim.plan import Declared, Plan, RouteEdit, StateEdit
from lambdaslim.report.links import Links
from lambdaslim.report.source_quotes import Quote, quotes
from lambdaslim.rewrite.mapping_templates import request_template, response_template

CATEGORY_CHECKS = {
    "transport": "the new Task's parameters read the same fields the handler's call read "
                 "(compare the quoted call with the state JSON)",
    "decision": "each Choice rule tests what the handler's guard tested, in the same order, and "
                "each failure carries the error name and message callers expect",
    "query_decision": "the call and the Choice on its result decide as the handler did, and the "
                      "failures carry the error names downstream catchers expect",
    "http": "the EventBridge connection gets the real credentials before deploying (the rewrite "
            "writes a placeholder API key)",
    "workflow_entry": "clients accept the route's new answer (status, body, headers) and the "
                      "synchronous wait",
    "callback_channel": "clients stop opening the WebSocket and read the outcome from the API "
                        "answer",
}
KIND_CHECKS = {
    "marshalling": "numbers, booleans and nested values reach DynamoDB with the types readers "
                   "expect",
    "json_serialisation": "consumers parse the JSON instead of comparing its text",
    "error_name": "Retry and Catch rules, alarms and dashboards use the new error names",
    "missing_field": "inputs always carry the fields read (a missing one now fails with "
                     "States.Runtime)",
    "environment": "the value bound at deploy time is the one the function read at run time",
    "text_conversion": "the values put into text are strings or integers",
    "async_errors": "nothing relied on the asynchronous invocation's retries or destinations",
    "http_status": "callers handle States.Http.StatusCode.<code> failures",
    "http_headers": "the HTTP API accepts the connection's extra header",
    "event_resources": "no event rule filters on the events' resources field",
    "generated": "nothing depends on how the generated ids and timestamps are made",
    "api_timeout": "the API's integration timeout covers the workflow's usual duration",
    "delivery_semantics": "the workflow tolerates its new delivery semantics",
}


def change_sections(
    analysis: Analysis, plan: Plan, catalog: Catalog, root: Path, links: Links
) -> list[dict[str, Any]]:
    """Sections in the plan's order: state edits, route edits, then removed functions."""
    order: list[str] = []
    for machine in plan.machines:
        order += [edit.function_id for edit in machine.states]
    order += [route.function_id for route in plan.routes]
    order += sorted(plan.removed_functions)
    return [
        _section(analysis, plan, catalog, root, links, analysis.function(function_id))
        for function_id in dict.fromkeys(order)
        if any(f.function_id == function_id for f in analysis.functions)
    ]


def _section(
    analysis: Analysis, plan: Plan, catalog: Catalog, root: Path, links: Links,
    verdict: FunctionVerdict,
) -> dict[str, Any]:
    rule = next((r for r in catalog.rules if r.id == verdict.rule_id), None)
    edits = [(m.machine_id, e) for m in plan.machines for e in m.states
             if e.function_id == verdict.function_id]
    routes = [r for r in plan.routes if r.function_id == verdict.function_id]
    declared = _declared(plan, verdict.function_id, edits, routes)
    kinds = sorted({d.kind for d in declared})
    checks = [CATEGORY_CHECKS[verdict.category]] if verdict.category in CATEGORY_CHECKS else []
    checks += [KIND_CHECKS[kind] for kind in kinds if kind in KIND_CHECKS]
    if verdict.resources and verdict.category != "workflow_entry":
        checks.append("the IAM statements added grant what the replacement calls, and no more")
    return {
        "id": verdict.function_id,
        "rule_id": verdict.rule_id or "",
        "rule_name": rule.name if rule else "",
        "rule_title": rule.title if rule else "",
        "rule_url": rule.url if rule else "",
        "category": verdict.category,
        "reasons": [
            {"where": links.location(r.file, r.line), "message": r.message}
            for r in verdict.reasons
        ],
        "quotes": [
            {"where": links.location(q.file, q.start, q.end), "text": q.text}
            for q in _quotes(root, verdict)
        ],
        "states": [_state(machine_id, edit) for machine_id, edit in edits],
        "routes": [_route(route) for route in routes],
        "removed": verdict.function_id in plan.removed_functions,
        "declared": [{"kind": d.kind, "message": d.message} for d in declared],
        "risks": list(rule.risks) if rule else [],
        "checks": checks,
    }


def _quotes(root: Path, verdict: FunctionVerdict) -> list[Quote]:
    if not verdict.source:
        return []
    lines: list[int] = [r.line for r in verdict.reasons if r.line and r.file == verdict.source]
    handler = verdict.handler_verdict
    if handler is not None:
        lines += [step.line for step in handler.summary.steps if step.line]
        if handler.decisive_line:
            lines.append(handler.decisive_line)
    return quotes(root, verdict.source, lines)


def _declared(
    plan: Plan, function_id: str, edits: list[tuple[str, StateEdit]], routes: list[RouteEdit]
) -> list[Declared]:
    """The declarations of the function's states, those naming the function, and those about
    the machines its routes now start (the route edit is what makes a workflow synchronous
    Express: ``delivery_semantics``, ``api_timeout``)."""
    started = {route.machine_id for route in routes}
    found = [d for _, edit in edits for d in edit.declared]
    found += [d for m in plan.machines for d in m.declared if d.where in started]
    found += [d for d in plan.declared if d.where == function_id or d.where in started]
    return list({(d.kind, d.message): d for d in found}.values())


def _state(machine_id: str, edit: StateEdit) -> dict[str, Any]:
    return {
        "machine": machine_id,
        "state": state_label(edit.state_path),
        "states": edit.states,
        "successor": edit.successor,
    }


def _route(route: RouteEdit) -> dict[str, Any]:
    return {
        "api": route.api_id,
        "route": route.route_key,
        "action": route.action,
        "machine": route.machine_id,
        "status": route.success_status,
        "error_status": route.error_status,
        "request": request_template(route),
        "response": response_template(route),
    }
