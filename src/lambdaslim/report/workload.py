"""How much one execution of a state machine does, before and after: the cost model's inputs.

Measured when ``--verify`` ran (the mean over the machine's verified cases that succeed on both
sides of the Lambda invocations per function and the state transitions of each side: the counts
of a failed execution depend on when its Parallel branches were stopped), otherwise counted on the
definition's happy path: from ``StartAt`` along ``Next`` and Choice ``Default`` edges, every
Parallel branch, one Map item, each state once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import networkx as nx

from lambdaslim.model import StatePath
from lambdaslim.report.state_graphs import MachineGraphs
from lambdaslim.report.verification import succeeded

HAPPY_EDGES = frozenset({"next", "default", "branch", "processor"})


@dataclass(frozen=True)
class Side:
    """One execution of one side: Lambda invocations per function, and state transitions."""

    invocations: dict[str, float]
    transitions: float


@dataclass(frozen=True)
class Workload:
    before: Side
    after: Side
    source: str
    """``measured on N verified cases`` or ``counted on the happy path``."""


def workload(graphs: MachineGraphs, verification: dict[str, Any] | None) -> Workload:
    cases = [
        case for case in (verification or {}).get("cases", [])
        if case.get("state_machine") == graphs.machine_id and succeeded(case)
    ]
    if cases:
        return Workload(_measured(cases, "original"), _measured(cases, "optimized"),
                        f"measured: mean of the {len(cases)} verified case"
                        + ("s" if len(cases) != 1 else "") + " that succeed")
    return Workload(
        _happy_path(graphs.before, graphs.start_before, graphs.lambda_before),
        _happy_path(graphs.after, graphs.start_after, graphs.lambda_after),
        "counted on the happy path of the definition",
    )


def _measured(cases: list[dict[str, Any]], side: str) -> Side:
    total: Counter[str] = Counter()
    for case in cases:
        total.update(case[side].get("lambda_invocations_by_function") or {})
    return Side(
        {function: count / len(cases) for function, count in sorted(total.items())},
        sum(case[side]["state_transitions"] for case in cases) / len(cases),
    )


def _happy_path(graph: nx.DiGraph, start: StatePath, lambdas: dict[StatePath, str]) -> Side:
    seen: list[StatePath] = []
    pending = [start]
    while pending:
        path = pending.pop(0)
        if path in seen:
            continue
        seen.append(path)
        pending += [
            target for _, target, data in graph.out_edges(path, data=True)
            if data["kind"] in HAPPY_EDGES
        ]
    counts = Counter(lambdas[path] for path in seen if path in lambdas)
    return Side({f: float(n) for f, n in sorted(counts.items())}, float(len(seen)))
