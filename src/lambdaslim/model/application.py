"""The whole application: the one read-only model every later stage works from."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lambdaslim.model.apis import Api, Route
from lambdaslim.model.functions import Function
from lambdaslim.model.links import TaskLink
from lambdaslim.model.location import Warning
from lambdaslim.model.resources import Resource, Table
from lambdaslim.model.state_machines import StateMachine, StatePath

APPLICATION_KINDS = frozenset({"template", "definition", "handler"})


@dataclass(frozen=True)
class Application:
    """A loaded application.

    ``kind`` is ``template`` (SAM/CloudFormation), ``definition`` (a lone ASL file: its functions
    are unknown) or ``handler`` (one Python handler analysed alone). Dicts are keyed by logical id
    and sorted; lists are in file order.
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
        for link in self.task_links:
            if link.state_machine_id == state_machine_id and link.state_path == state_path:
                return self.functions.get(link.function_id) if link.function_id else None
        return None

    def tasks_for_function(self, function_id: str) -> list[TaskLink]:
        """Every Task state that invokes the function."""
        return [link for link in self.task_links if link.function_id == function_id]

    def routes_for_function(self, function_id: str) -> list[Route]:
        """Every route integrated with the function."""
        return [route for route in self.route_links if route.target_function == function_id]
