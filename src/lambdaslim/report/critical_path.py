"""The slowest path through a state machine, as a networkx longest path over state costs.

Each ``States`` block (the top level, a Parallel branch, a Map processor) is a graph of its own
states; a Parallel or Map state costs what its slowest branch costs (one item of a Map: items
run side by side). Loops are collapsed (networkx condensation), so a loop counts once. The cost
of a state is given by the caller: milliseconds for the latency model, 1 per Lambda task for
the hop count. The path itself lists the Lambda functions met, in order. Error paths (``Catch``)
are left out: the critical path is the one of an execution that goes through.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import networkx as nx

from lambdaslim.model import StatePath

TRANSITIONS = frozenset({"next", "default", "choice"})
CONTAINERS = frozenset({"Parallel", "Map"})


@dataclass(frozen=True)
class PathCost:
    cost: float
    functions: tuple[str, ...]


def critical_path(
    graph: nx.DiGraph,
    start: StatePath,
    cost: Callable[[StatePath], float],
    function: Callable[[StatePath], str | None],
) -> PathCost:
    """The costliest path from ``start``; ``function`` names the Lambda a state invokes."""
    return _Walker(graph, cost, function).block((), start)


class _Walker:
    def __init__(
        self,
        graph: nx.DiGraph,
        cost: Callable[[StatePath], float],
        function: Callable[[StatePath], str | None],
    ):
        self.graph = graph
        self.cost = cost
        self.function = function

    def state(self, path: StatePath) -> PathCost:
        if self.graph.nodes[path]["type"] not in CONTAINERS:
            name = self.function(path)
            return PathCost(self.cost(path), (name,) if name else ())
        branches = [
            self.block(start[: len(path) + 1], start)
            for _, start, data in self.graph.out_edges(path, data=True)
            if data["kind"] in ("branch", "processor")
        ]
        slowest = max(branches, key=lambda branch: branch.cost, default=PathCost(0, ()))
        return PathCost(self.cost(path) + slowest.cost, slowest.functions)

    def block(self, prefix: StatePath, start: StatePath) -> PathCost:
        members = [p for p in self.graph.nodes
                   if len(p) == len(prefix) + 1 and p[: len(prefix)] == prefix]
        block = nx.DiGraph()
        block.add_nodes_from(members)
        block.add_edges_from(
            (u, v) for u, v, data in self.graph.subgraph(members).edges(data=True)
            if data["kind"] in TRANSITIONS
        )
        condensed = nx.condensation(block)
        costs = {path: self.state(path) for path in members}
        order = {path: index for index, path in enumerate(members)}

        def component(node: int) -> PathCost:
            paths = sorted(condensed.nodes[node]["members"], key=order.__getitem__)
            return PathCost(sum(costs[p].cost for p in paths),
                            tuple(f for p in paths for f in costs[p].functions))

        source = "source"
        dag = nx.DiGraph()
        first = condensed.graph["mapping"][start]
        dag.add_edge(source, first, weight=component(first).cost)
        for u, v in condensed.edges:
            dag.add_edge(u, v, weight=component(v).cost)
        reachable = nx.descendants(dag, source) | {source}
        dag = dag.subgraph(reachable)
        path = nx.dag_longest_path(dag, weight="weight", default_weight=0)
        total = nx.path_weight(dag, path, weight="weight") if len(path) > 1 else 0
        functions = tuple(f for node in path[1:] for f in component(node).functions)
        return PathCost(total, functions)
