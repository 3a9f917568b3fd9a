"""The plan of a fixture application, as ``lambdaslim rewrite`` would make it, and the value of
one of its JSONata expressions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import analyze_application
from lambdaslim.loading import load_application
from lambdaslim.plan import Plan
from lambdaslim.rewrite.planning import build_plan


def plan_for(app_dir: Path, **options: Any) -> Plan:
    catalog = load_catalog()
    analysis = analyze_application(load_application(app_dir), catalog)
    return build_plan(analysis, catalog, **options)


def evaluate_jsonata(expression: str, state_input: Any,
                     variables: dict[str, Any] | None = None) -> Any:
    """A state's ``{% ... %}`` expression evaluated with ``$states.input`` and the workflow
    ``variables`` (``Assign``ed earlier) bound."""
    jsonata = pytest.importorskip("jsonata")
    program = expression.removeprefix("{%").removesuffix("%}")
    assigned = "".join(f"${name} := {json.dumps(value)}; "
                       for name, value in (variables or {}).items())
    bound = f"($states := {json.dumps({'input': state_input})}; {assigned}{program})"
    return jsonata.Jsonata(bound).evaluate(None)
