"""Building and checking the graph of a state machine definition.

See :mod:`lambdaslim.model.state_machines` for the node keys and edge kinds. The checks are the
ones a broken definition would fail at deployment: ``StartAt``/``States`` present, every
``Next``/``Default``/choice/catch target declared in the same ``States`` block, every state
reachable from ``StartAt``, state names unique across the whole machine, non-terminal states
with ``Next`` or ``End``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.shapes import wrong_type
from lambdaslim.model.location import Location, Warning
from lambdaslim.model.state_machines import StatePath, definition_pointer

if TYPE_CHECKING:  # imported where graphs are built: loading hands out handlers before that
    import networkx as nx

NEEDS_NEXT_OR_END = frozenset({"Task", "Pass", "Wait", "Parallel", "Map"})
TRANSITION_KINDS = frozenset({"next", "default", "choice", "catch"})


@dataclass(frozen=True)
class DefinitionSource:
    """Where a definition came from, for locations and messages.

    ``line_for`` gives the line of a JSON pointer into the definition (None if unknown).
    """

    shown: str
    location_file: str
    line_for: Callable[[tuple[str | int, ...]], int | None]


def build_state_graph(
    definition: Mapping[str, Any], source: DefinitionSource, warnings: list[Warning]
) -> nx.DiGraph:
    """The state graph of ``definition``; problems raise LoadError, doubts go to ``warnings``."""
    builder = _GraphBuilder(source, warnings)
    builder.add_block(definition, (), None, "the definition")
    return builder.graph


def frozen(graph: nx.DiGraph) -> nx.DiGraph:
    """``graph`` made read-only, as the model holds it."""
    import networkx as nx

    return nx.freeze(graph)


class _GraphBuilder:
    def __init__(self, source: DefinitionSource, warnings: list[Warning]):
        import networkx as nx

        self.source = source
        self.warnings = warnings
        self.graph = nx.DiGraph()
        self.names: dict[str, StatePath] = {}

    def fail(self, message: str, path: StatePath | None = None) -> LoadError:
        line = self.source.line_for(definition_pointer(path)) if path else self.source.line_for(())
        return LoadError(message, self.source.shown, line)

    def wrong_type(
        self, what: str, expected: str, value: Any, path: StatePath, *keys: str | int
    ) -> LoadError:
        """``what`` (at ``keys`` inside the state at ``path``) is not of the ``expected`` type."""
        line = self.source.line_for((*definition_pointer(path), *keys))
        return wrong_type(what, expected, value, self.source.shown, line)

    def check_fields(self, path: StatePath, name: str, state: Mapping[str, Any]) -> None:
        """The types of the fields read as lists and mappings (here and by later stages)."""
        for key in ("Choices", "Catch", "Retry"):
            value = state.get(key)
            if value is None:
                continue
            if not isinstance(value, list):
                raise self.wrong_type(f"{key} of state {name!r}", "a list", value, path, key)
            if key == "Choices":
                continue  # each rule is checked where its Next is read
            for index, handler in enumerate(value):
                if not isinstance(handler, Mapping):
                    what = f"{key}[{index}] of state {name!r}"
                    raise self.wrong_type(what, "a mapping", handler, path, key, index)
                errors = handler.get("ErrorEquals")
                if errors is not None and not (
                    isinstance(errors, list) and all(isinstance(error, str) for error in errors)
                ):
                    what = f"ErrorEquals of {key}[{index}] of state {name!r}"
                    raise self.wrong_type(what, "a list of strings", errors, path, key, index,
                                          "ErrorEquals")

    def location(self, path: StatePath) -> Location:
        return Location(self.source.location_file, self.source.line_for(definition_pointer(path)))

    def add_block(
        self, block: Any, prefix: StatePath, parent: StatePath | None, label: str
    ) -> StatePath:
        """Add the states of one ``States`` block; returns the path of its ``StartAt`` state."""
        if not isinstance(block, Mapping):
            raise self.fail(f"{label} is not an object", parent)
        states, start = block.get("States"), block.get("StartAt")
        if not isinstance(states, Mapping) or not states:
            raise self.fail(f"{label} has no States", parent)
        if not isinstance(start, str):
            raise self.fail(f"{label} has no StartAt", parent)
        if start not in states:
            raise self.fail(f"{label}: StartAt names no state: {start!r}", parent)
        for name, state in states.items():
            self.add_state((*prefix, name), name, state, parent)
        for name, state in states.items():
            self.add_transitions(prefix, name, state, states)
            self.add_children((*prefix, name), name, state)
        self.check_reachable(prefix, start, states)
        return (*prefix, start)

    def add_state(self, path: StatePath, name: str, state: Any, parent: StatePath | None) -> None:
        if name in self.names:
            raise self.fail(
                f"duplicate state name {name!r} (state names must be unique in the whole "
                f"state machine; also at {' / '.join(map(str, self.names[name]))})",
                path,
            )
        self.names[name] = path
        if not isinstance(state, Mapping) or not isinstance(state.get("Type"), str):
            raise self.fail(f"state {name!r} has no Type", path)
        self.check_fields(path, name, state)
        if state["Type"] in NEEDS_NEXT_OR_END and "Next" not in state and not state.get("End"):
            raise self.fail(f"state {name!r} has neither Next nor End", path)
        self.graph.add_node(
            path,
            state=state,
            type=state["Type"],
            name=name,
            parent=parent,
            location=self.location(path),
        )
        if state["Type"] == "Choice" and "Default" not in state:
            self.warnings.append(
                Warning(
                    f"Choice state {name!r} has no Default: an input matching no rule fails the "
                    "execution with States.NoChoiceMatched",
                    self.location(path),
                )
            )

    def add_edge(self, source: StatePath, target: StatePath, **attributes: Any) -> None:
        """One edge per pair of states; a second transition between them joins ``transitions``."""
        if self.graph.has_edge(source, target):
            self.graph.edges[source, target]["transitions"] += (attributes,)
        else:
            self.graph.add_edge(source, target, **attributes, transitions=(attributes,))

    def add_transitions(
        self, prefix: StatePath, name: str, state: Mapping[str, Any], states: Mapping[str, Any]
    ) -> None:
        path = (*prefix, name)

        def link(target: Any, kind: str, what: str, **attributes: Any) -> None:
            if not isinstance(target, str) or target not in states:
                raise self.fail(f"state {name!r}: {what} names no state: {target!r}", path)
            self.add_edge(path, (*prefix, target), kind=kind, **attributes)

        if "Next" in state:
            link(state["Next"], "next", "Next")
        if state["Type"] == "Choice":
            if "Default" in state:
                link(state["Default"], "default", "Default")
            for index, rule in enumerate(state.get("Choices") or []):  # a list: check_fields
                target = rule.get("Next") if isinstance(rule, Mapping) else None
                link(target, "choice", f"Choices[{index}].Next", index=index)
        for index, catcher in enumerate(state.get("Catch") or []):
            target = catcher.get("Next")
            errors = tuple(catcher.get("ErrorEquals") or ())  # strings: check_fields
            link(target, "catch", f"Catch[{index}].Next", index=index, errors=errors)

    def add_children(self, path: StatePath, name: str, state: Mapping[str, Any]) -> None:
        if state["Type"] == "Parallel":
            branches = state.get("Branches")
            if branches is not None and not isinstance(branches, list):
                what = f"Branches of state {name!r}"
                raise self.wrong_type(what, "a list", branches, path, "Branches")
            if not branches:
                raise self.fail(f"Parallel state {name!r} has no Branches", path)
            for index, branch in enumerate(branches):
                label = f"branch {index} of Parallel state {name!r}"
                start = self.add_block(branch, (*path, index), path, label)
                self.add_edge(path, start, kind="branch", index=index)
        elif state["Type"] == "Map":
            key = "ItemProcessor" if "ItemProcessor" in state else "Iterator"
            if key not in state:
                raise self.fail(f"Map state {name!r} has no ItemProcessor", path)
            label = f"the {key} of Map state {name!r}"
            start = self.add_block(state[key], (*path, key), path, label)
            self.add_edge(path, start, kind="processor")

    def check_reachable(self, prefix: StatePath, start: str, states: Mapping[str, Any]) -> None:
        block = {(*prefix, name) for name in states}
        seen = {(*prefix, start)}
        pending = [(*prefix, start)]
        while pending:
            current = pending.pop()
            for _, target, kind in self.graph.out_edges(current, data="kind"):
                if kind in TRANSITION_KINDS and target in block and target not in seen:
                    seen.add(target)
                    pending.append(target)
        for name in states:
            if (*prefix, name) not in seen:
                raise self.fail(
                    f"state {name!r} is unreachable from StartAt {start!r}", (*prefix, name)
                )
