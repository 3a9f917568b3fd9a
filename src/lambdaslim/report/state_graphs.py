"""State graphs before and after the rewrite, and which states are Lambda tasks in each.

The model's graph is the original machine's; the one after is built from the plan's new
definition with the loader's own graph builder, so both have the same node and edge keys.
A Lambda task the plan did not edit keeps its state path (its parents are never renamed).
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx

from lambdaslim.classification import Analysis
from lambdaslim.loading.state_graph import DefinitionSource, build_state_graph
from lambdaslim.model import StatePath
from lambdaslim.plan import MachineEdit, Plan


@dataclass(frozen=True)
class MachineGraphs:
    """One machine, before and after. ``lambda_*`` map a Lambda task's path to its function."""

    machine_id: str
    type_before: str
    type_after: str
    before: nx.DiGraph
    after: nx.DiGraph
    start_before: StatePath
    start_after: StatePath
    lambda_before: dict[StatePath, str]
    lambda_after: dict[StatePath, str]
    replaced: frozenset[StatePath]
    added: frozenset[StatePath]
    edit: MachineEdit | None


def machine_graphs(analysis: Analysis, plan: Plan) -> list[MachineGraphs]:
    """Every state machine of the application, sorted by logical id."""
    app = analysis.app
    graphs = []
    for machine_id, machine in sorted(app.state_machines.items()):
        edit = plan.machine(machine_id)
        lambdas = {
            link.state_path: link.function_id or link.function_ref
            for link in app.tasks_of_machine(machine_id)
        }
        replaced = frozenset(e.state_path for e in edit.states) if edit else frozenset()
        definition = edit.definition if edit else machine.definition
        after = _graph(definition) if edit else machine.graph
        new_names = {name for e in edit.states for name in e.states} if edit else set()
        graphs.append(MachineGraphs(
            machine_id=machine_id,
            type_before=machine.type,
            type_after=(edit.new_type if edit and edit.new_type else machine.type),
            before=machine.graph,
            after=after,
            start_before=(machine.definition["StartAt"],),
            start_after=(definition["StartAt"],),
            lambda_before=lambdas,
            lambda_after={p: f for p, f in lambdas.items() if p not in replaced},
            replaced=replaced,
            added=frozenset(p for p in after.nodes if p[-1] in new_names or p in replaced),
            edit=edit,
        ))
    return graphs


def _graph(definition: dict[str, object]) -> nx.DiGraph:
    source = DefinitionSource("plan", "plan", lambda _pointer: None)
    return build_state_graph(definition, source, [])
