"""Mermaid flowcharts of a state machine: Parallel branches and Map processors as subgraphs.

Node ids are ``s<n>`` in definition order, so the same graph always gives the same text. Edges
into and out of a Parallel or Map state attach to its subgraph. Classes mark what changed:
``replaced`` (a Lambda task the rewrite removes), ``lambda`` (a Lambda task that stays),
``added`` (a state the rewrite writes).
"""

from __future__ import annotations

from collections.abc import Mapping

import networkx as nx

from lambdaslim.model import StatePath

CONTAINERS = frozenset({"Parallel", "Map"})
CLASS_STYLES = {
    "replaced": "fill:#fde2e1,stroke:#c0392b,stroke-dasharray:5 3",
    "lambda": "fill:#fff4d6,stroke:#b7791f",
    "added": "fill:#def7e5,stroke:#2f855a",
}
_EDGE_ARROWS = {"catch": "-.->|catch|", "default": "-->|default|"}


def label_text(text: str) -> str:
    """Text inside a quoted Mermaid label. Mermaid reads ``#<name>;`` there as an entity code,
    so a ``#`` of the text is one itself (``#35;``), written before the others."""
    return (text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;")
            .replace(">", "#gt;"))


def state_diagram(
    graph: nx.DiGraph,
    start: StatePath,
    marks: Mapping[StatePath, str],
    notes: Mapping[StatePath, str],
) -> str:
    """``flowchart TD`` text; ``notes`` adds a second label line (the function a task calls)."""
    ids = {path: f"s{index}" for index, path in enumerate(graph.nodes)}
    lines = ["flowchart TD", "  start((start))"]
    lines += _block(graph, ids, (), notes, "  ")
    lines.append(f"  start --> {ids[start]}")
    ends = False
    for source, target, data in graph.edges(data=True):
        if data["kind"] in ("branch", "processor"):
            continue
        arrow = _EDGE_ARROWS.get(data["kind"], "-->")
        if data["kind"] == "choice":
            arrow = f"-->|rule {data.get('index', 0) + 1}|"
        lines.append(f"  {ids[source]} {arrow} {ids[target]}")
    for path, data in graph.nodes(data=True):
        state = data["state"]
        if data["parent"] is None and (state.get("End") or data["type"] == "Succeed"):
            lines.append(f"  {ids[path]} --> finish((end))")
            ends = True
    if not ends:
        lines.append("  finish((end))")
    for name, style in CLASS_STYLES.items():
        members = sorted((ids[p] for p, mark in marks.items() if mark == name and p in ids),
                         key=lambda node: int(node[1:]))
        if members:
            lines.append(f"  classDef {name} {style}")
            lines.append(f"  class {','.join(members)} {name}")
    return "\n".join(lines) + "\n"


def _block(
    graph: nx.DiGraph,
    ids: Mapping[StatePath, str],
    prefix: StatePath,
    notes: Mapping[StatePath, str],
    indent: str,
) -> list[str]:
    """The states of one ``States`` block: the top level (``prefix`` empty) or a branch."""
    lines: list[str] = []
    for path, data in graph.nodes(data=True):
        if len(path) != len(prefix) + 1 or path[: len(prefix)] != prefix:
            continue
        kind = data["type"]
        note = notes.get(path)
        text = f"{label_text(str(path[-1]))}<br/><i>{kind}</i>"
        if note:
            text += f"<br/>λ {label_text(note)}"
        if kind not in CONTAINERS:
            lines.append(f"{indent}{ids[path]}{_shape(kind, text)}")
            continue
        lines.append(f'{indent}subgraph {ids[path]} ["{text}"]')
        lines.append(f"{indent}  direction TB")
        for branch in _branches(graph, path):
            lines.append(f'{indent}  subgraph {ids[path]}_{branch} ["{_branch_title(branch)}"]')
            lines += _block(graph, ids, (*path, branch), notes, indent + "    ")
            lines.append(f"{indent}  end")
        lines.append(f"{indent}end")
    return lines


def _branches(graph: nx.DiGraph, container: StatePath) -> list[str | int]:
    found: dict[str | int, None] = {}
    for path in graph.nodes:
        if len(path) == len(container) + 2 and path[: len(container)] == container:
            found[path[len(container)]] = None
    return list(found)


def _branch_title(branch: str | int) -> str:
    return f"branch {branch}" if isinstance(branch, int) else "each item"


def _shape(kind: str, text: str) -> str:
    if kind == "Choice":
        return f'{{"{text}"}}'
    if kind in ("Succeed", "Fail"):
        return f'(["{text}"])'
    if kind in ("Pass", "Wait"):
        return f'("{text}")'
    return f'["{text}"]'
