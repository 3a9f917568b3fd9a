"""The replacement states of one state machine: built by the plan, or ahead of it.

``analyze`` classifies each handler as its summary comes in from the workers. A machine whose
functions all have their verdicts is built then (:class:`StatesBuiltAhead`), in the main
process that otherwise only waits, instead of after the last summary, when one core is busy.
The plan (:mod:`lambdaslim.rewrite.planning`) takes such a machine only when it would build
the very same tasks from the very same verdicts; the build depends on nothing else, so the
plan is what it would have been.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from lambdaslim.analysis import HandlerVerdict
from lambdaslim.catalog import Catalog
from lambdaslim.model import Application, StateMachine, TaskLink, definition_pointer
from lambdaslim.plan import Declined
from lambdaslim.rewrite.integrations import Bindings, Environment
from lambdaslim.rewrite.state_builder import Built, StateBuilder
from lambdaslim.rewrite.state_io import Unsupported


@dataclass
class MachineWork:
    """A machine being rewritten: the substitutions bound so far and the states built."""

    machine: StateMachine
    bindings: Bindings
    built: dict[tuple[str | int, ...], tuple[TaskLink, Built]] = field(default_factory=dict)

    @classmethod
    def fresh(cls, machine: StateMachine) -> MachineWork:
        """Nothing built yet: only the machine's own substitutions bound."""
        return cls(machine, Bindings(dict(machine.substitutions)))


@dataclass(frozen=True)
class Attempt:
    """One chosen task to build: its place in ``app.task_links`` (which orders the declines),
    the link and the verdict of its handler."""

    index: int
    link: TaskLink
    handler: HandlerVerdict


def tasks_to_build(app: Application, handlers: Mapping[str, HandlerVerdict],
                   machines: Iterable[str]) -> dict[str, list[Attempt]]:
    """Per machine of ``machines``, the tasks of a function in ``handlers``, in link order."""
    wanted = set(machines)
    links: dict[str, list[tuple[int, TaskLink]]] = {}
    for index, link in enumerate(app.task_links):
        if link.state_machine_id in wanted:
            links.setdefault(link.state_machine_id, []).append((index, link))
    return {machine_id: attempts for machine_id, machine_links in links.items()
            if (attempts := _attempts(machine_links, handlers))}


def _attempts(links: Iterable[tuple[int, TaskLink]],
              handlers: Mapping[str, HandlerVerdict]) -> list[Attempt]:
    """The tasks among ``links`` (each with its index) of a function in ``handlers``."""
    return [Attempt(index, link, handler) for index, link in links
            if (handler := handlers.get(link.function_id or "")) is not None]


def build_machine(app: Application, catalog: Catalog, work: MachineWork,
                  attempts: list[Attempt], query_language: str) -> list[tuple[int, Declined]]:
    """Build ``attempts`` into ``work``; the declines, each with its link's index."""
    failed: list[tuple[int, Declined]] = []
    for attempt in attempts:
        link, handler = attempt.link, attempt.handler
        assert link.function_id is not None
        where = f"{link.state_machine_id}: state {link.state_path[-1]!r}"
        if not editable(work.machine):
            failed.append((attempt.index, Declined(
                link.function_id, "the definition is built with Fn::Join/Fn::Sub in the "
                "template; rewriting it is not supported yet", where)))
            continue
        state = state_at(work.machine.raw_definition, link.state_path)
        function = app.functions[link.function_id]
        builder = StateBuilder(
            str(link.state_path[-1]), state, link.form, handler,
            Environment(function, work.bindings, app.tables), catalog, work.machine.logical_id,
            query_language, work.machine.query_language == "JSONata",
        )
        bound = len(work.bindings.added)
        try:
            work.built[link.state_path] = (link, builder.build())
        except Unsupported as exc:
            del work.bindings.added[bound:]
            failed.append((attempt.index, Declined(link.function_id, str(exc), where)))
    return failed


class StatesBuiltAhead:
    """Replacement states built while the handlers are still being classified.

    ``analyze`` classifies each handler as its summary comes in from the workers; a machine is
    built here as soon as the verdicts of all its functions are in, instead of after the last
    summary, when only one core is busy. It is a guess: the plan takes a machine built here
    only when it would build exactly the same tasks, from the same handler verdicts (the same
    objects), with the same catalog and query language; otherwise it builds the machine again.
    A machine builds the same from the same inputs, so the plan is what it would have been.
    """

    def __init__(self, app: Application, catalog: Catalog, query_language: str = "auto"):
        self.app = app
        self.catalog = catalog
        self.query_language = query_language
        self._replaceable: dict[str, HandlerVerdict] = {}  # what the plan usually builds
        self._links: dict[str, list[tuple[int, TaskLink]]] = {}
        self._waiting: dict[str, set[str]] = {}
        for index, link in enumerate(app.task_links):
            self._links.setdefault(link.state_machine_id, []).append((index, link))
            if link.function_id in app.functions:
                self._waiting.setdefault(link.state_machine_id, set()).add(link.function_id)
        self._built: dict[str, tuple[list[Attempt], MachineWork,
                                     list[tuple[int, Declined]]]] = {}

    def add(self, function_id: str, handler: HandlerVerdict) -> None:
        """The handler verdict of ``function_id``: build every machine now complete."""
        if handler.category != "keep":
            self._replaceable[function_id] = handler
        for link in self.app.tasks_for_function(function_id):
            waiting = self._waiting.get(link.state_machine_id)
            if waiting is None:
                continue
            waiting.discard(function_id)
            if not waiting:
                del self._waiting[link.state_machine_id]
                self._build(link.state_machine_id)

    def _build(self, machine_id: str) -> None:
        """Build the tasks of every replaceable handler (the plan's usual choice)."""
        attempts = _attempts(self._links[machine_id], self._replaceable)
        if not attempts:
            return
        work = MachineWork.fresh(self.app.state_machines[machine_id])
        try:
            failed = build_machine(self.app, self.catalog, work, attempts, self.query_language)
        except Exception:  # a guess only: the plan builds this machine itself and raises there
            return
        self._built[machine_id] = (attempts, work, failed)

    def take(self, machine_id: str, attempts: list[Attempt], catalog: Catalog,
             query_language: str) -> tuple[MachineWork, list[tuple[int, Declined]]] | None:
        """The machine built ahead, if it was built from exactly ``attempts`` (once only)."""
        built = self._built.pop(machine_id, None)
        if (built is None or catalog is not self.catalog
                or query_language != self.query_language or not _same(built[0], attempts)):
            return None
        return built[1], built[2]


def _same(ahead: list[Attempt], attempts: list[Attempt]) -> bool:
    return len(ahead) == len(attempts) and all(
        a.index == b.index and a.link is b.link and a.handler is b.handler
        for a, b in zip(ahead, attempts, strict=True))


def editable(machine: StateMachine) -> bool:
    """A definition written as JSON/YAML (not assembled by Fn::Join/Fn::Sub in a template)."""
    return isinstance(machine.raw_definition, dict) and "States" in machine.raw_definition


def state_at(definition: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
    """A copy of the state at ``path``, free to change."""
    return copy_definition(walk(definition, path, 0))


def copy_definition(value: Any) -> Any:
    """A deep copy of a loaded definition: JSON values, copied without ``copy.deepcopy``'s memo
    (the planner copies every replaced state and every edited definition)."""
    if isinstance(value, dict):
        return {key: copy_definition(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_definition(item) for item in value]
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    return copy.deepcopy(value)


def walk(definition: Any, path: tuple[str | int, ...], up: int) -> Any:
    """The node ``up`` keys above the state at ``path`` (0: the state itself)."""
    keys = definition_pointer(path)
    node = definition
    for key in keys[:len(keys) - up]:
        node = node[key]
    return node
