"""What ``verify`` reads from the rewrite's plan (``.lambdaslim/plan.json`` in the optimized app).

Only two things matter here: the differences the rewrite declared (the plan's own ``declared``,
each machine's, and each replaced state's) and the API routes it rewired (``routes``). An
optimized application without a plan file (an application rewritten by hand) is verified with
no declaration and no route: every difference counts.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, TypeVar

from lambdaslim.errors import LambdaslimError
from lambdaslim.plan import PLAN_FILE, PLAN_SCHEMA, Declared, RouteEdit

T = TypeVar("T")


@dataclass(frozen=True)
class PlanFacts:
    """The plan's declarations, per machine (``""`` for the plan-wide ones), and its routes."""

    file: Path | None
    declared_by_machine: dict[str, tuple[Declared, ...]]
    routes: tuple[RouteEdit, ...]

    def declared(self, machine_id: str) -> tuple[Declared, ...]:
        """The plan-wide declarations and those of the machine and its states."""
        return self.declared_by_machine.get("", ()) + self.declared_by_machine.get(machine_id, ())

    def routes_for(self, machine_id: str) -> tuple[RouteEdit, ...]:
        return tuple(route for route in self.routes if route.machine_id == machine_id)


NO_PLAN = PlanFacts(None, {}, ())


def read_plan(app_root: Path) -> PlanFacts:
    """The plan in ``app_root`` (``NO_PLAN`` when there is none); a malformed plan is an error
    naming the file."""
    path = app_root / PLAN_FILE
    if not path.is_file():
        return NO_PLAN
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise LambdaslimError(f"plan is not valid JSON: {error.msg}", path, error.lineno) from None
    try:
        return _facts(document, path)
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise LambdaslimError(f"plan does not follow {PLAN_SCHEMA}: {error!r}", path) from None


def _facts(document: Any, path: Path) -> PlanFacts:
    if not isinstance(document, dict) or document.get("schema") != PLAN_SCHEMA:
        raise ValueError(f"'schema' is not {PLAN_SCHEMA}")
    by_machine: dict[str, tuple[Declared, ...]] = {"": _many(document.get("declared"), Declared)}
    for machine in document.get("machines") or []:
        declared = _many(machine.get("declared"), Declared)
        for state in machine.get("states") or []:
            declared += _many(state.get("declared"), Declared)
        machine_id = str(machine["machine_id"])
        by_machine[machine_id] = by_machine.get(machine_id, ()) + declared
    return PlanFacts(path, by_machine, _many(document.get("routes"), RouteEdit))


def _many(items: Any, kind: Callable[..., T]) -> tuple[T, ...]:
    return tuple(_one(item, kind) for item in items or [])


def _one(item: Any, kind: Callable[..., T]) -> T:
    """A plan dataclass from its JSON object; keys it does not know are left out (``v1`` only
    ever adds keys)."""
    known = {f.name for f in fields(kind)}  # type: ignore[arg-type]
    return kind(**{key: value for key, value in dict(item).items() if key in known})
