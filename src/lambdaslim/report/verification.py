"""``--verify``: run the original and the fresh output on the original's cases.

The verify engine (moto, JSONata, VTL) is imported here only, when asked for. The report keeps
the ``lambdaslim/verify/v1`` document, from which it shows the table and takes the measured
invocations and transitions for the cost model.

Counts are shown only for cases that succeed on both sides: a failing Parallel stops its other
branches wherever they happen to be (in AWS as in the emulator), so the invocations and
transitions of a failed execution vary from run to run, and the report must not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaslim.report.markdown import cell, text

CASES_FOLDER = "cases"


def run_verification(original: Path, optimized: Path) -> dict[str, Any] | None:
    """The verification document, or None when the original has no ``cases/`` folder."""
    if not (original / CASES_FOLDER).is_dir():
        return None
    from lambdaslim.loading import load_application
    from lambdaslim.verify.cases import load_cases
    from lambdaslim.verify.command import verify_cases
    from lambdaslim.verify.plan_file import read_plan
    from lambdaslim.verify.report_table import verify_document

    original_app = load_application(original)
    optimized_app = load_application(optimized)
    plan = read_plan(optimized_app.root)
    cases = load_cases(original / CASES_FOLDER)
    return verify_document(verify_cases(original_app, optimized_app, plan, cases))


def verification_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per case, in the verify table's columns; the first difference reads as
    ``lambdaslim verify`` prints it."""
    from lambdaslim.verify.compare import Difference
    from lambdaslim.verify.report_table import difference_text

    rows = []
    for case in document["cases"]:
        original, optimized = case["original"], case["optimized"]
        differences = case["differences"]
        first = ""
        if differences:
            first = difference_text(Difference.from_json(differences[0]))
            if len(differences) > 1:
                first += f" (+{len(differences) - 1} more)"
        rows.append({
            "name": case["name"],
            "original": original["status"],
            "optimized": optimized["status"],
            "lambda": _counts(case, "lambda_invocations"),
            "transitions": _counts(case, "state_transitions"),
            "result": "equivalent" if case["equivalent"] else "**DIVERGES**",
            "declared": len(case["declared"]),
            "first": cell(text(first)),
            "declared_kinds": sorted({d["kind"] for d in case["declared"]}),
        })
    return rows


def succeeded(case: dict[str, Any]) -> bool:
    """Whether both runs of a case succeeded (their counts are then reproducible)."""
    return case["original"]["status"] == case["optimized"]["status"] == "SUCCEEDED"


def _counts(case: dict[str, Any], key: str) -> str:
    if not succeeded(case):
        return "n/a"
    return f"{case['original'][key]} → {case['optimized'][key]}"
