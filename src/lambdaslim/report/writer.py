"""Writing the report file for ``lambdaslim rewrite --report`` (and verifying first, if asked)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from lambdaslim.catalog import Catalog
from lambdaslim.classification import Analysis
from lambdaslim.errors import LambdaslimError
from lambdaslim.plan import Plan
from lambdaslim.report.document import ReportInput, render_report
from lambdaslim.report.links import Links
from lambdaslim.report.verification import CASES_FOLDER, run_verification

EXIT_DIVERGES = 1


def write_report(
    report: Path,
    analysis: Analysis,
    plan: Plan,
    catalog: Catalog,
    root: Path,
    changed: Mapping[str, str],
    deleted: Sequence[str],
    prices: dict[str, Any],
    *,
    verify_in: Path | None,
    echo: Callable[[str], None],
) -> int:
    """Write the report; returns 1 when the verification it ran found a divergence."""
    verification = run_verification(root, verify_in) if verify_in is not None else None
    text = render_report(ReportInput(
        analysis=analysis, plan=plan, catalog=catalog, root=root, changed=changed,
        deleted=deleted, links=Links.from_report(root, report), prices=prices,
        verification=verification, verify_requested=verify_in is not None,
    ))
    try:
        report.parent.mkdir(parents=True, exist_ok=True)
        with open(report, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
    except OSError as error:
        raise LambdaslimError(f"cannot write the report ({error.strerror})", report) from None
    summary = verification["summary"] if verification else None
    note = f" ({summary['equivalent']} of {summary['cases']} cases equivalent)" if summary else ""
    if verify_in is not None and summary is None:
        note = f" (not verified: the application has no {CASES_FOLDER}/ folder)"
    echo(f"wrote report {report}{note}")
    diverges = summary is not None and summary["equivalent"] != summary["cases"]
    return EXIT_DIVERGES if diverges else 0
