"""``lambdaslim rewrite``: load, analyse, plan, rewrite, then write and/or print the diff.

The input is never modified. The output is written into a temporary folder next to ``--out``
and renamed into place only when complete (see :mod:`lambdaslim.rewrite.output_tree`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from lambdaslim.catalog import load_catalog
from lambdaslim.classification import Analysis, analyze_application, handlers_to_summarise
from lambdaslim.errors import LambdaslimError
from lambdaslim.handler_summaries import SummaryCache
from lambdaslim.loading import load_application
from lambdaslim.model import Application
from lambdaslim.plan import PLAN_FILE, Plan, plan_document
from lambdaslim.progress import handler_progress
from lambdaslim.rewrite.output_tree import (
    Entry,
    check_changes,
    check_out,
    differs,
    list_tree,
    shown,
    staged_folder,
    write_output,
)
from lambdaslim.rewrite.unified_diff import render_diff


class Changes(Protocol):
    """What ``rewrite_files`` returns: relative path -> new text, and the paths removed."""

    @property
    def files(self) -> Mapping[str, str]: ...

    @property
    def deleted(self) -> Sequence[str]: ...


PlanBuilder = Callable[..., Plan]
FilesRewriter = Callable[[Application, Analysis, Plan], Changes]


def run_rewrite(
    path: Path,
    out: Path | None,
    *,
    diff: bool,
    force: bool,
    only: set[str] | None,
    skip: set[str],
    query_language: str,
    echo: Callable[[str], None],
    rules_dirs: Sequence[Path] = (),
    report: Path | None = None,
    verify: bool = False,
    prices: Path | None = None,
    _build_plan: PlanBuilder | None = None,
    _rewrite_files: FilesRewriter | None = None,
) -> int:
    """Run the command; returns the exit code. Every problem raises ``LambdaslimError``.

    ``out`` (when given) receives a copy of the application with the plan applied and the plan
    as JSON in ``PLAN_FILE``; ``diff`` prints the patch on ``echo``; ``report`` receives the
    review material in Markdown (with the verification of the written output when ``verify``,
    priced with ``prices`` over the packaged prices). ``_build_plan`` and ``_rewrite_files``
    stand in for the planner and the template rewriter in tests.
    """
    if out is None and not diff and report is None:
        raise LambdaslimError(
            "nothing to do: pass --out DIR to write the optimized application, --diff to print "
            "the changes, or both"
        )
    if verify and (out is None or report is None):
        raise LambdaslimError("--verify checks the written output for the report: "
                              "pass --out DIR and --report FILE.md with it")
    price_table = _prices(prices) if report is not None else None
    build_plan = _build_plan or _default_build_plan()
    rewrite_files = _rewrite_files or _default_rewrite_files()
    out_resolved = out.resolve() if out is not None else None
    app = load_application(path, exclude=[out_resolved] if out_resolved else [])
    root = app.root.resolve()
    root_shown = str(path) if root == path.resolve() else str(path.parent)
    if out_resolved is not None:
        check_out(root, out_resolved, force=force, out_shown=str(out))
    _check_function_ids(app, only, skip, root_shown)
    entries = list_tree(root, exclude=out_resolved, root_shown=root_shown)

    catalog = load_catalog(rules_dirs)
    cache = SummaryCache.default(catalog.digest)
    with handler_progress(handlers_to_summarise(app)) as advance:
        analysis = analyze_application(
            app, catalog, jobs=os.cpu_count() or 1, cache=cache, advance=advance
        )
    plan = build_plan(
        analysis, catalog, only=only, skip=skip, query_language=query_language
    )
    changes = rewrite_files(app, analysis, plan)
    deleted = tuple(changes.deleted)
    check_changes(root, changes.files, deleted, root_shown=root_shown)
    changed = {
        relative: text for relative, text in changes.files.items()
        if differs(root, relative, text)
    }

    if diff:
        patch = render_diff(root, changed, deleted)
        if patch:
            echo(patch.removesuffix("\n"))
    if out is not None and out_resolved is not None:
        _write(root, root_shown, out, out_resolved, entries, analysis, plan, changed, deleted,
               echo)
    if report is None or price_table is None:
        return 0
    from lambdaslim.report.writer import write_report

    return write_report(report, analysis, plan, catalog, root, changed, deleted, price_table,
                        verify_in=out_resolved if verify else None, echo=echo)


def _write(
    root: Path,
    root_shown: str,
    out: Path,
    out_resolved: Path,
    entries: Sequence[Entry],
    analysis: Analysis,
    plan: Plan,
    changed: Mapping[str, str],
    deleted: Sequence[str],
    echo: Callable[[str], None],
) -> None:
    """Write the optimized application and the plan into ``out``."""
    plan_text = json.dumps(plan_document(plan), indent=2, sort_keys=False) + "\n"
    previous = root / PLAN_FILE
    if not (plan.machines or plan.routes or plan.removed_functions) and previous.is_file():
        # Rewriting an optimized application changes nothing, its plan included.
        plan_text = previous.read_text(encoding="utf-8")
    with staged_folder(out_resolved, out_shown=str(out)) as staging:
        write_output(root, entries, staging, files={**changed, PLAN_FILE: plan_text},
                     deleted=deleted, root_shown=root_shown)
    echo(_summary(str(out), analysis, plan, changed, [root / rel for rel in deleted]))


def _prices(path: Path | None) -> dict[str, Any]:
    from lambdaslim.report.prices import load_prices

    return load_prices(path)


def _default_build_plan() -> PlanBuilder:
    from lambdaslim.rewrite.planning import build_plan

    return build_plan


def _default_rewrite_files() -> FilesRewriter:
    from lambdaslim.rewrite.template_changes import rewrite_files

    return rewrite_files


def _check_function_ids(
    app: Application, only: set[str] | None, skip: set[str], root_shown: str
) -> None:
    unknown = sorted(((only or set()) | skip) - set(app.functions))
    if not unknown:
        return
    template = app.template_file
    where = root_shown if template is None else shown(
        root_shown, template.resolve().relative_to(app.root.resolve()).as_posix()
    )
    raise LambdaslimError(
        f"unknown function {'id' if len(unknown) == 1 else 'ids'} in --only/--skip: "
        f"{', '.join(unknown)} (the application's functions: {', '.join(app.functions) or 'none'})",
        where,
    )


def _summary(
    out_shown: str,
    analysis: Analysis,
    plan: Plan,
    changed: Mapping[str, str],
    deleted: Sequence[Path],
) -> str:
    """``wrote optimized/: 11 functions replaced, 2 kept, 14 files changed, 11 folders deleted``."""
    replaced = (
        {edit.function_id for machine in plan.machines for edit in machine.states}
        | {route.function_id for route in plan.routes}
        | set(plan.removed_functions)
    )
    kept = len({verdict.function_id for verdict in analysis.functions} - replaced)
    folders = sum(1 for path in deleted if path.is_dir() and not path.is_symlink())
    parts = [
        _plural(len(replaced), "function") + " replaced",
        f"{kept} kept",
        _plural(len(changed), "file") + " changed",
    ]
    if folders:
        parts.append(_plural(folders, "folder") + " deleted")
    if len(deleted) > folders:
        parts.append(_plural(len(deleted) - folders, "file") + " deleted")
    return f"wrote {out_shown.rstrip('/')}/: {', '.join(parts)}"


def _plural(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
