"""``lambdaslim analyze --format markdown``: the analysis part of the rewrite report, alone."""

from __future__ import annotations

from lambdaslim.catalog import Catalog
from lambdaslim.classification import Analysis
from lambdaslim.report.analysis_view import analysis_context
from lambdaslim.report.links import Links
from lambdaslim.report.markdown import render


def render_markdown(analysis: Analysis, catalog: Catalog, shown_root: str) -> str:
    """Links point at the files as seen from the folder the command ran in."""
    links = Links("" if shown_root in ("", ".") else shown_root.rstrip("/"))
    return render(
        "report_analysis_alone.md.j2",
        path=shown_root,
        h="##",
        **analysis_context(analysis, catalog, links),
    )
