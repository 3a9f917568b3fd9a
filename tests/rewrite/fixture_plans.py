"""The plan of a fixture application, as ``lambdaslim rewrite`` would make it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import analyze_application
from lambdaslim.loading import load_application
from lambdaslim.plan import Plan
from lambdaslim.rewrite.planning import build_plan


def plan_for(app_dir: Path, **options: Any) -> Plan:
    catalog = load_catalog()
    analysis = analyze_application(load_application(app_dir), catalog)
    return build_plan(analysis, catalog, **options)
