"""The report's summary: functions and handler code removed, what changed, delivery semantics
and IAM, each computed from the plan and the model."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lambdaslim.classification import Analysis
from lambdaslim.plan import Plan
from lambdaslim.report.cfn_text import short_form

HANDLER_SUFFIXES = frozenset({".py", ".js", ".mjs", ".ts", ".java", ".go", ".rb", ".cs"})

SEMANTICS = {
    "STANDARD": "exactly-once execution, up to a year, execution history kept by Step Functions",
    "EXPRESS (synchronous)": "at-most-once execution, up to 5 minutes, the caller waits for "
                             "the result; history only in CloudWatch Logs",
    "EXPRESS": "at-least-once execution (a run may happen twice: every step must be "
               "idempotent), up to 5 minutes; history only in CloudWatch Logs",
}


@dataclass(frozen=True)
class IamRow:
    principal: str
    resource: str
    added: tuple[str, ...]
    removed: tuple[str, ...]


def code_lines_removed(root: Path, deleted: Sequence[str]) -> tuple[int, int]:
    """Non-blank lines and files of handler source under the deleted paths."""
    files: list[Path] = []
    for relative in sorted(deleted):
        path = root / relative
        if path.is_dir() and not path.is_symlink():
            for folder, dirs, names in os.walk(path):
                dirs.sort()
                files += [Path(folder) / n for n in sorted(names)]
        elif path.is_file():
            files.append(path)
    sources = [f for f in files if f.suffix in HANDLER_SUFFIXES and "__pycache__" not in f.parts]
    lines = sum(
        1 for f in sources
        for line in f.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()
    )
    return lines, len(sources)


def workflow_changes(analysis: Analysis, plan: Plan) -> list[dict[str, Any]]:
    """Each machine whose type changes, with what it means for delivery."""
    changes = []
    for edit in plan.machines:
        if not edit.new_type:
            continue
        machine = analysis.app.state_machines[edit.machine_id]
        sync = any(r.machine_id == edit.machine_id and r.action == "StartSyncExecution"
                   for r in plan.routes)
        after = f"{edit.new_type} (synchronous)" if sync and edit.new_type == "EXPRESS" \
            else edit.new_type
        declared = [d.message for d in (*plan.declared, *edit.declared)
                    if d.where == edit.machine_id
                    and d.kind in ("delivery_semantics", "api_timeout")]
        changes.append({
            "machine": edit.machine_id,
            "before": machine.type,
            "after": after,
            "before_semantics": SEMANTICS.get(machine.type, ""),
            "after_semantics": SEMANTICS.get(after, ""),
            "declared": sorted(dict.fromkeys(declared)),
        })
    return changes


def iam_changes(analysis: Analysis, plan: Plan) -> list[IamRow]:
    """Actions added and removed per principal and resource."""
    rows: list[IamRow] = []
    for edit in plan.machines:
        principal = f"state machine `{edit.machine_id}`"
        added: dict[str, list[str]] = {}
        for statement in edit.statements_added:
            for resource in statement.resources:
                added.setdefault(short_form(resource), []).extend(statement.actions)
        rows += [IamRow(principal, resource, tuple(sorted(set(actions))), ())
                 for resource, actions in sorted(added.items())]
        rows += [IamRow(principal, f"!GetAtt {function}.Arn", (), ("lambda:InvokeFunction",))
                 for function in sorted(edit.invoke_removed)]
    for route in plan.routes:
        rows.append(IamRow(f"API `{route.api_id}` (new role for {route.route_key})",
                           f"!Ref {route.machine_id}", (f"states:{route.action}",), ()))
    for function_id in sorted(plan.removed_functions):
        function = analysis.app.functions.get(function_id)
        policies = function.policies if function else None
        for policy in policies if isinstance(policies, list) else []:
            rows.append(IamRow(f"function `{function_id}` (role deleted)",
                               _policy_resource(policy), (), _policy_actions(policy)))
    return rows


def _policy_actions(policy: Any) -> tuple[str, ...]:
    if isinstance(policy, str):
        return (f"managed policy {policy}",)
    if isinstance(policy, Mapping) and "Statement" in policy:
        actions: list[str] = []
        for statement in policy["Statement"] if isinstance(policy["Statement"], list) else []:
            action = statement.get("Action") if isinstance(statement, Mapping) else None
            actions += action if isinstance(action, list) else [str(action)]
        return tuple(sorted(set(actions)))
    if isinstance(policy, Mapping) and len(policy) == 1:
        return (f"SAM policy template {next(iter(policy))}",)
    return (short_form(policy),)


def _policy_resource(policy: Any) -> str:
    if isinstance(policy, Mapping) and "Statement" in policy:
        resources = [
            short_form(statement.get("Resource"))
            for statement in (policy["Statement"] if isinstance(policy["Statement"], list) else [])
            if isinstance(statement, Mapping)
        ]
        return ", ".join(sorted(set(resources)))
    if isinstance(policy, Mapping) and len(policy) == 1:
        arguments = next(iter(policy.values()))
        if isinstance(arguments, Mapping) and arguments:
            return ", ".join(f"{k}: {short_form(v)}" for k, v in sorted(arguments.items()))
    return "*"
