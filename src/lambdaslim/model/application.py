"""The whole application: the one read-only model every later stage works from."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from lambdaslim.model.apis import Api, Route
from lambdaslim.model.functions import Function
from lambdaslim.model.links import TaskLink
from lambdaslim.model.location import Warning
from lambdaslim.model.resources import Resource, Table
from lambdaslim.model.state_machines import StateMachine, StatePath


class DisplayPaths(dict[str, str]):
    """File (as given) -> its display form, relative to ``root`` (the resolved application root)."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root


APPLICATION_KINDS = frozenset({"template", "definition", "handler"})


@dataclass(frozen=True)
class Application:
    """A loaded application.

    ``kind`` is ``template`` (SAM/CloudFormation), ``definition`` (a lone ASL file: its functions
    are unknown) or ``handler`` (one Python handler analysed alone). Dicts are keyed by logical id
    and sorted; lists are in file order. The model is not changed after loading, so the lookups
    below index the links once (scanning every link per function is quadratic in a monorepo).
    """

    root: Path
    kind: str
    template_file: Path | None
    functions: dict[str, Function]
    state_machines: dict[str, StateMachine]
    apis: dict[str, Api]
    resources: dict[str, Resource]
    tables: dict[str, Table] = field(default_factory=dict)
    parameters: dict[str, object] = field(default_factory=dict)
    task_links: list[TaskLink] = field(default_factory=list)
    route_links: list[Route] = field(default_factory=list)
    warnings: list[Warning] = field(default_factory=list)

    @property
    def routes(self) -> list[Route]:
        """Every route of every API."""
        return [route for api in self.apis.values() for route in api.routes]

    def function_for_task(self, state_machine_id: str, state_path: StatePath) -> Function | None:
        """The function the Task state at ``state_path`` invokes, if it is part of the app."""
        link = self._link_by_state.get((state_machine_id, state_path))
        if link is None or not link.function_id:
            return None
        return self.functions.get(link.function_id)

    def tasks_of_machine(self, state_machine_id: str) -> list[TaskLink]:
        """Every Task state of the state machine that invokes a function, in file order."""
        return list(self._links_by_machine.get(state_machine_id, ()))

    def tasks_for_function(self, function_id: str) -> list[TaskLink]:
        """Every Task state that invokes the function."""
        return list(self._links_by_function.get(function_id, ()))

    def routes_for_function(self, function_id: str) -> list[Route]:
        """Every route integrated with the function."""
        return list(self._routes_by_function.get(function_id, ()))

    @cached_property
    def display_paths(self) -> DisplayPaths:
        """Memo of the display form of files (resolving a path costs a system call per part)."""
        return DisplayPaths(self.root.resolve())

    @cached_property
    def _link_by_state(self) -> dict[tuple[str, StatePath], TaskLink]:
        index: dict[tuple[str, StatePath], TaskLink] = {}
        for link in self.task_links:
            index.setdefault((link.state_machine_id, link.state_path), link)  # first one wins
        return index

    @cached_property
    def _links_by_machine(self) -> dict[str, list[TaskLink]]:
        index: dict[str, list[TaskLink]] = defaultdict(list)
        for link in self.task_links:
            index[link.state_machine_id].append(link)
        return index

    @cached_property
    def _links_by_function(self) -> dict[str, list[TaskLink]]:
        index: dict[str, list[TaskLink]] = defaultdict(list)
        for link in self.task_links:
            if link.function_id:
                index[link.function_id].append(link)
        return index

    @cached_property
    def _routes_by_function(self) -> dict[str, list[Route]]:
        index: dict[str, list[Route]] = defaultdict(list)
        for route in self.route_links:
            if route.target_function:
                index[route.target_function].append(route)
        return index
