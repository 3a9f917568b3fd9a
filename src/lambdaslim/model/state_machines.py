"""State machines and their state graphs.

A state is identified by its *state path*: the names and positions leading to it from the top
of the definition. A top-level state ``Validate`` is ``("Validate",)``; state ``Check`` in branch 0
of Parallel ``Input checks`` is ``("Input checks", 0, "Check")``; state ``Charge`` in the item
processor of Map ``Each item`` is ``("Each item", "ItemProcessor", "Charge")`` (``"Iterator"``
for the legacy field). The path mirrors the JSON, see :func:`definition_pointer`.

Graph edges carry ``kind``: ``next`` (``Next``), ``default`` (Choice ``Default``), ``choice``
(``Choices[index].Next``), ``catch`` (``Catch[index].Next``), ``branch`` (Parallel -> the
``StartAt`` state of branch ``index``) and ``processor`` (Map -> its processor's ``StartAt``).
The graph is a ``DiGraph``: when several transitions join the same two states (``Next`` and a
``Catch`` to the same state), the edge's ``kind``/``index``/``errors`` are the first one's (in the
order Next, Default, Choices, Catch) and ``transitions`` lists every one as a dict.
Nodes carry ``state`` (the state's JSON after substitutions), ``type``, ``name``, ``parent`` (the
path of the enclosing Parallel/Map state, or None) and ``location``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lambdaslim.model.location import Location
from lambdaslim.model.values import Raw, Value

if TYPE_CHECKING:  # networkx is imported where graphs are built, after the handlers are located
    import networkx as nx

StatePath = tuple[str | int, ...]

EDGE_KINDS = frozenset({"next", "default", "choice", "catch", "branch", "processor"})


def definition_pointer(path: StatePath) -> tuple[str | int, ...]:
    """JSON keys leading from the definition's root to the state at ``path``.

    ``("P", 0, "S")`` -> ``("States", "P", "Branches", 0, "States", "S")``;
    ``("M", "ItemProcessor", "S")`` -> ``("States", "M", "ItemProcessor", "States", "S")``.
    """
    pointer: list[str | int] = ["States", path[0]]
    rest = path[1:]
    while rest:
        container, name = rest[0], rest[1]
        if isinstance(container, int):
            pointer += ["Branches", container, "States", name]
        else:
            pointer += [container, "States", name]
        rest = rest[2:]
    return tuple(pointer)


@dataclass(frozen=True)
class StateMachine:
    """A Step Functions state machine.

    ``definition`` is the JSON-like definition after substitutions: every ``${X}`` and every
    intrinsic function became a placeholder string (for a function ARN
    ``arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:<name>``), and ``placeholders`` maps
    each such string to the reference it stands for. ``raw_definition`` is the definition as
    written (with ``${...}``, or the ``Fn::Sub``/``Fn::Join`` value of a ``DefinitionString``).
    ``definition_location`` says where the definition lives: the definition file
    (``definition_file``) or the inline property in the template.
    """

    logical_id: str
    name: str
    type: str
    definition: dict[str, Any]
    raw_definition: Raw
    definition_file: Path | None
    definition_location: Location
    substitutions: dict[str, Raw]
    placeholders: dict[str, Value]
    query_language: str
    graph: nx.DiGraph = field(compare=False)
    role: Raw
    location: Location
    resource_type: str | None = None
    policies: Raw = None
    events: dict[str, Raw] = field(default_factory=dict)

    def state(self, path: StatePath) -> dict[str, Any]:
        """The JSON of the state at ``path``."""
        return dict(self.graph.nodes[path]["state"])

    def states(self) -> list[StatePath]:
        """Every state path, in definition order (parents before their children)."""
        return list(self.graph.nodes)
