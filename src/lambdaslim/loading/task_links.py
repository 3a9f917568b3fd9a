"""Finding the Task states that invoke Lambda functions, in each of the four forms."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lambdaslim.loading.references import References
from lambdaslim.model.links import TaskLink
from lambdaslim.model.location import Warning
from lambdaslim.model.state_machines import StateMachine

LAMBDA_INVOKE = re.compile(r"^arn:[^:]+:states:::lambda:invoke(?P<suffix>\.waitForTaskToken)?$")
LAMBDA_ARN = re.compile(r"^arn:[^:]+:lambda:.*:function:[^:]+(:[^:]+)?$")


def find_task_links(
    machine: StateMachine, references: References | None, warnings: list[Warning]
) -> list[TaskLink]:
    """Every Lambda task of ``machine`` in state order; unresolvable functions are warned about."""
    links: list[TaskLink] = []
    for path, node in machine.graph.nodes(data=True):
        if node["type"] != "Task":
            continue
        state = node["state"]
        found = _lambda_target(state, machine.query_language)
        if found is None:
            resource = state.get("Resource")
            if isinstance(resource, str) and resource.startswith("${"):
                warnings.append(
                    Warning(
                        f"Task state {node['name']!r}: resource {resource} is unknown "
                        "without the template that defines it",
                        node["location"],
                    )
                )
            continue
        function_ref, form = found
        if function_ref is None:
            warnings.append(
                Warning(
                    f"Task state {node['name']!r} chooses its function at run time",
                    node["location"],
                )
            )
            continue
        function_id = references.function_named(function_ref) if references else None
        if function_id is None:
            why = (
                "which is not defined in this application"
                if references
                else "unknown without the template that defines it"
            )
            warnings.append(
                Warning(
                    f"Task state {node['name']!r} invokes function {function_ref!r}, {why}",
                    node["location"],
                )
            )
        links.append(
            TaskLink(machine.logical_id, path, function_id, function_ref, form, node["location"])
        )
    return links


def _lambda_target(
    state: Mapping[str, Any], machine_language: str
) -> tuple[str | None, str] | None:
    """(function name or ARN, form) of a Lambda task; None if the task is not a Lambda call."""
    resource = state.get("Resource")
    if not isinstance(resource, str):
        return None
    if LAMBDA_ARN.match(resource):
        return resource, "arn"
    invoke = LAMBDA_INVOKE.match(resource)
    if invoke is None:
        return None
    language = state.get("QueryLanguage", machine_language)
    first, second = (
        ("Arguments", "Parameters")
        if language == "JSONata"
        else (
            "Parameters",
            "Arguments",
        )
    )
    arguments = state.get(first) or state.get(second) or {}
    if not isinstance(arguments, Mapping):
        return None, "invoke"
    function = arguments.get("FunctionName")
    if not isinstance(function, str) or function.startswith("{%"):
        function = None
    if invoke.group("suffix"):
        return function, "wait_for_task_token"
    if arguments.get("InvocationType") == "Event":
        return function, "invoke_async"
    return function, "invoke"
