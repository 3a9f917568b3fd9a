"""How a verification reads: a rich table for people, ``lambdaslim/verify/v1`` JSON for tools.

One row per case: its name, both statuses, the Lambda invocations and state transitions of
each run (what the cost report uses), equivalent or not, and for a divergence the first
difference with both values (``output $.user.id: "a" != "b"``). The declared differences each
case tolerated are listed under the table, so a reviewer sees them without asking for JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from lambdaslim.verify.api_entry import ApiCheck
from lambdaslim.verify.compare import ABSENT, CaseComparison, Difference
from lambdaslim.verify.observation import RunObservation

SCHEMA = "lambdaslim/verify/v1"
_VALUE_WIDTH = 70


@dataclass
class CaseResult:
    name: str
    state_machine: str
    original: RunObservation
    optimized: RunObservation
    comparison: CaseComparison
    api: list[ApiCheck] = field(default_factory=list)

    @property
    def equivalent(self) -> bool:
        return self.comparison.equivalent


def verify_document(results: list[CaseResult]) -> dict[str, Any]:
    """The ``--format json`` document."""
    cases = []
    for result in results:
        case: dict[str, Any] = {
            "name": result.name,
            "state_machine": result.state_machine,
            "equivalent": result.equivalent,
            "original": _side(result.original),
            "optimized": _side(result.optimized),
            "differences": [d.to_json() for d in result.comparison.differences],
            "declared": [t.to_json() for t in result.comparison.declared],
        }
        if result.api:
            case["api"] = [check.to_json() for check in result.api]
        cases.append(case)
    return {
        "schema": SCHEMA,
        "cases": cases,
        "summary": {"cases": len(results), "equivalent": sum(r.equivalent for r in results)},
    }


def _side(run: RunObservation) -> dict[str, Any]:
    return {
        "status": run.status,
        "output": run.output,
        "error": run.error,
        "cause": run.cause,
        "lambda_invocations": sum(run.lambda_invocations.values()),
        "lambda_invocations_by_function": run.lambda_invocations,
        "state_transitions": run.state_transitions,
    }


def render_json(results: list[CaseResult]) -> str:
    return json.dumps(verify_document(results), indent=2, ensure_ascii=False) + "\n"


def render_text(results: list[CaseResult], console: Console) -> None:
    table = Table(title="lambdaslim verify: original vs optimized", title_justify="left")
    table.add_column("case", overflow="fold")
    table.add_column("original")
    table.add_column("optimized")
    table.add_column("λ calls", justify="right")
    table.add_column("transitions", justify="right")
    table.add_column("result")
    table.add_column("first difference", overflow="fold")
    for result in results:
        original, optimized = result.original, result.optimized
        differences = result.comparison.differences
        if result.equivalent:
            verdict = Text("equivalent", style="green")
            first = ""
        else:
            verdict = Text("DIVERGES", style="bold red")
            first = difference_text(differences[0])
            if len(differences) > 1:
                first += f" (+{len(differences) - 1} more)"
        if result.comparison.declared:
            verdict.append(f" ({len(result.comparison.declared)} declared)", style="dim")
        table.add_row(
            result.name,
            _status(original.status),
            _status(optimized.status),
            f"{sum(original.lambda_invocations.values())} → "
            f"{sum(optimized.lambda_invocations.values())}",
            f"{original.state_transitions} → {optimized.state_transitions}",
            verdict,
            first,
        )
    console.print(table)
    declared = [(r.name, t) for r in results for t in r.comparison.declared]
    if declared:
        console.print("Declared differences (tolerated, from the rewrite's plan):")
        for name, tolerated in declared:
            where = f"{tolerated.declared.kind} at {tolerated.declared.where}"
            line = Text(f"  {name}: ", style="bold")
            line.append(f"[{where}] ", style="dim")
            line.append(difference_text(tolerated.difference))
            console.print(line)
    equivalent = sum(r.equivalent for r in results)
    style = "green" if equivalent == len(results) else "bold red"
    console.print(Text(f"{equivalent} of {len(results)} cases equivalent", style=style))


def _status(status: str) -> Text:
    return Text(status, style="green" if status == "SUCCEEDED" else "yellow")


def difference_text(difference: Difference) -> str:
    """``output $.user.id: "a" != "b"``; a table row's path reads ``attribute name``."""
    what, path = difference.what, difference.path
    if path is None:
        location = what
    elif what.startswith("table ") and path.startswith("$."):
        location = f"{what} attribute {path[2:]}"
    else:
        location = f"{what} {path}"
    plain = what in ("status", "error")
    original = _value_text(difference.original, plain)
    optimized = _value_text(difference.optimized, plain)
    return f"{location}: {original} != {optimized}"


def _value_text(value: Any, plain: bool) -> str:
    if value is ABSENT:
        return "(absent)"
    text = str(value) if plain else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _VALUE_WIDTH else text[: _VALUE_WIDTH - 1] + "…"
