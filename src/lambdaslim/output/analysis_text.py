"""Human output of ``lambdaslim analyze``: one table per state machine and per API, then the
functions nothing in the application invokes, then a one-line summary."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lambdaslim.classification import REPLACE, Analysis, FunctionVerdict
from lambdaslim.model import StatePath
from lambdaslim.output.analysis_json import summary_counts
from lambdaslim.rule_docs import STATES_ARN_PREFIX


def render_text(analysis: Analysis, console: Console) -> None:
    verdicts = {f.function_id: f for f in analysis.functions}
    shown: set[str] = set()
    app = analysis.app
    for machine in analysis.machines:
        title = f"State machine {machine.machine_id} ({machine.type}"
        title += " -> EXPRESS, synchronous)" if machine.becomes_sync_express else ")"
        rows = [
            (state_label(link.state_path), verdicts.get(link.function_id or ""), link.function_ref)
            for link in app.tasks_of_machine(machine.machine_id)
        ]
        console.print(_table(title, "State", rows))
        shown.update(f.function_id for _, f, _ in rows if f)
    for api in app.apis.values():
        rows = [
            (route.route_key, verdicts.get(route.target_function or ""), route.service_action or "")
            for route in api.routes
        ]
        console.print(_table(f"{api.protocol} API {api.logical_id}", "Route", rows))
        shown.update(f.function_id for _, f, _ in rows if f)
    others = [(f.function_id, f, "") for f in analysis.functions if f.function_id not in shown]
    if others:
        title = "Handler" if app.kind == "handler" else "Functions no workflow or API invokes"
        console.print(_table(title, None, others))
    for warning in app.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    counts = summary_counts(analysis)
    console.print(
        f"{counts['functions']} functions: [green]{counts['replace']} replace[/], "
        f"{counts['keep']} keep"
    )


def state_label(path: StatePath) -> str:
    """``("Checks", 0, "Extract")`` -> ``Checks[0] > Extract``."""
    label = ""
    for part in path:
        label += f"[{part}]" if isinstance(part, int) else (" > " if label else "") + str(part)
    return label


def replacement(verdict: FunctionVerdict) -> str:
    if not verdict.replaced:
        return ""
    if verdict.category == "callback_channel":
        return f"{verdict.rule_id} removed"
    target = verdict.resources[0].rsplit("/", 1)[-1] if verdict.resources else ""
    if verdict.category == "decision":
        target = "Choice + Fail"
    return f"{verdict.rule_id} {target.removeprefix(STATES_ARN_PREFIX)}".strip()


def _table(
    title: str, first: str | None, rows: Iterable[tuple[str, FunctionVerdict | None, str]]
) -> Table:
    """One row per state/route (``first`` names that column) or per function (``first`` None)."""
    table = Table(title=title, title_justify="left", header_style="bold")
    if first:
        table.add_column(first, overflow="fold", max_width=36)
    table.add_column("Function", overflow="fold", max_width=30)
    table.add_column("Verdict", no_wrap=True)
    table.add_column("Replacement", overflow="fold", max_width=30)
    table.add_column("Reason", overflow="fold", ratio=1, min_width=30)
    for label, verdict, fallback in rows:
        lead = [label] if first else []
        if verdict is None:
            table.add_row(*lead, fallback or "(unknown function)", "", "",
                          "function not part of this application")
            continue
        reason = verdict.reasons[0] if verdict.reasons else None
        text = Text()
        if reason:
            where = f"{reason.file}:{reason.line}" if reason.line else reason.file
            text.append(where, style="cyan")
            text.append(f": {reason.message}")
        style = "green" if verdict.verdict == REPLACE else "yellow"
        table.add_row(
            *lead,
            verdict.function_id,
            Text(verdict.verdict, style=style),
            replacement(verdict),
            text,
        )
    return table
