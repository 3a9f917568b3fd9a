"""Classify every function of an application, in the context the model gives it.

The handler analysis says what a handler does on its own (one SDK call, guards, an HTTP call...).
Whether the function can go depends on who calls it and how: a state machine task, an API
route, a WebSocket route, another event source. This module combines both and decides, for each
function, *replace* or *keep*, with the reasons and the lines that decide.

Two categories only exist in context:

- **workflow entry**: a REST/HTTP API route whose function only starts a state machine of the
  application. API Gateway starts it itself (``StartSyncExecution`` when the workflow can become
  a synchronous Express workflow, ``StartExecution`` otherwise).
- **callback channel**: a WebSocket API whose only use is to tell the caller how its workflow
  ended (connect/disconnect/default handlers, and the workflow's notify-over-WebSocket tasks).
  When the workflow answers the API call synchronously, the channel has nothing left to carry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from lambdaslim.analysis import HandlerVerdict, Reason, classify_handler
from lambdaslim.analysis.ir import EnvRef, SdkCall
from lambdaslim.catalog import Catalog
from lambdaslim.express import Eligibility, express_eligibility
from lambdaslim.handler_summaries import HandlerRequest, SummaryCache, iter_summaries
from lambdaslim.model import Application, Function, Location, StateMachine, references_of

REPLACE = "replace"
KEEP = "keep"
API_EVENT_TYPES = frozenset({"Api", "HttpApi"})
ENTRY_INTEGRATION = "arn:aws:apigateway:${AWS::Region}:states:action/"


@dataclass(frozen=True)
class FunctionVerdict:
    """The decision for one function. ``resources`` are the integrations that replace it."""

    function_id: str
    source: str | None
    handler: str | None
    verdict: str
    category: str
    rule_id: str | None
    resources: tuple[str, ...]
    reasons: tuple[Reason, ...]
    handler_verdict: HandlerVerdict | None = field(default=None, compare=False)

    @property
    def replaced(self) -> bool:
        return self.verdict == REPLACE


@dataclass(frozen=True)
class MachineVerdict:
    """What happens to a state machine: its Express eligibility and how it will be started."""

    machine_id: str
    name: str
    type: str
    definition: str
    express: Eligibility
    entry_function: str | None
    becomes_sync_express: bool


@dataclass(frozen=True)
class Analysis:
    """The classification of a whole application; functions and machines sorted by id."""

    app: Application
    functions: tuple[FunctionVerdict, ...]
    machines: tuple[MachineVerdict, ...]

    def function(self, function_id: str) -> FunctionVerdict:
        return next(f for f in self.functions if f.function_id == function_id)


def analyze_application(
    app: Application,
    catalog: Catalog,
    *,
    jobs: int = 1,
    cache: SummaryCache | None = None,
    advance: Callable[[int], None] = lambda _: None,
    on_verdict: Callable[[str, HandlerVerdict], None] = lambda _fid, _verdict: None,
) -> Analysis:
    """Classify every function of ``app``; ``jobs`` processes summarise the handlers.
    ``on_verdict`` gets each handler's verdict as soon as it is made."""
    wanted = {fid: request for fid in app.functions if (request := _request(app, fid))}
    summaries = iter_summaries(list(wanted.values()), jobs=jobs, cache=cache, advance=advance)
    handler_verdicts = {}
    for fid, summary in zip(wanted, summaries, strict=True):  # while the workers parse the rest
        verdict = classify_handler(summary, catalog, invoked_async=_invoked_async(app, fid))
        handler_verdicts[fid] = verdict
        on_verdict(fid, verdict)
    return _Context(app, handler_verdicts).run()


def handlers_to_summarise(app: Application) -> int:
    """How many handlers :func:`analyze_application` parses (for a progress bar)."""
    return sum(1 for fid in app.functions if _request(app, fid))


def display_path(app: Application, file: str | Path | None) -> str | None:
    """A file as messages show it: relative to the application root, POSIX separators."""
    if file is None:
        return None
    memo = app.display_paths
    key = str(file)
    shown = memo.get(key)
    if shown is None:
        path = Path(file)
        try:
            shown = path.resolve().relative_to(memo.root).as_posix()
        except ValueError:
            shown = path.as_posix()
        memo[key] = shown
    return shown


def _request(app: Application, fid: str) -> HandlerRequest | None:
    function = app.functions[fid]
    if function.source_file is None or not function.handler_function:
        return None
    if not (function.is_python or (function.runtime is None and app.kind == "handler")):
        return None
    shown = display_path(app, function.source_file) or str(function.source_file)
    return HandlerRequest(function.source_file, function.handler_function, shown)


def _invoked_async(app: Application, fid: str) -> bool:
    links = app.tasks_for_function(fid)
    return bool(links) and all(link.form == "invoke_async" for link in links)


class _Context:
    def __init__(self, app: Application, handler_verdicts: Mapping[str, HandlerVerdict]):
        self.app = app
        self.handlers = handler_verdicts
        self.eligibility = {
            mid: express_eligibility(app, machine) for mid, machine in app.state_machines.items()
        }
        self._starters_by_machine: dict[str, list[str]] | None = None
        self.entries = self._workflow_entries()
        self.sync_machines = {
            mid for fid, mid in self.entries.items() if self._can_become_sync(mid, fid)
        }

    def run(self) -> Analysis:
        channel_functions, channel_blocker = self._callback_channel()
        verdicts = [
            self._decide(function, channel_functions, channel_blocker)
            for function in self.app.functions.values()
        ]
        machines = tuple(self._machine_verdict(m) for m in self.app.state_machines.values())
        return Analysis(self.app, tuple(verdicts), machines)

    # -- workflow entries --------------------------------------------------------------------

    def _started_machine(self, fid: str) -> str | None:
        """The machine a workflow entry starts: the function's one SDK call starts it, and
        nothing else in the handler needs Lambda (a kept handler is never an entry)."""
        verdict = self.handlers.get(fid)
        call = verdict.sdk_call if verdict and verdict.category != "keep" else None
        if call is None or (call.service, call.operation) != ("stepfunctions", "StartExecution"):
            return None
        machines = self._machines_of(fid, call)
        return machines[0] if len(machines) == 1 else None

    def _machines_of(self, fid: str, call: SdkCall) -> list[str]:
        """The application's state machines named by the ``stateMachineArn`` of ``call``."""
        arn = dict(call.params).get("stateMachineArn")
        if not isinstance(arn, EnvRef):
            return []
        value = self.app.functions[fid].environment.get(arn.name)
        return [r.logical_id for r in references_of(value) if r.logical_id in
                self.app.state_machines]

    def _workflow_entries(self) -> dict[str, str]:
        entries = {}
        for fid in self.app.functions:
            routes = self.app.routes_for_function(fid)
            machine = self._started_machine(fid)
            if machine and routes and all(r.protocol in ("REST", "HTTP") for r in routes):
                entries[fid] = machine
        return entries

    def _starters(self, machine_id: str) -> list[str]:
        """Every function that starts the machine or may: a call that starts it, a call whose
        state machine is not known statically (it counts for every machine), or a function
        that stays, or is not analysed, and has the machine's ARN in its environment."""
        if self._starters_by_machine is None:
            self._starters_by_machine = {}
            for fid, function in self.app.functions.items():
                verdict = self.handlers.get(fid)
                named: set[str] = set()
                if verdict is None or verdict.category == "keep":
                    named.update(r.logical_id for value in function.environment.values()
                                 for r in references_of(value))
                for step in verdict.summary.steps if verdict else ():
                    if (isinstance(step, SdkCall) and step.service == "stepfunctions"
                            and step.operation in ("StartExecution", "StartSyncExecution")):
                        named.update(self._machines_of(fid, step) or self.app.state_machines)
                for started in named:
                    self._starters_by_machine.setdefault(started, []).append(fid)
        return sorted(self._starters_by_machine.get(machine_id, ()))

    def _can_become_sync(self, machine_id: str, entry: str) -> bool:
        """``entry`` (a workflow entry, so its handler is replaceable) is the only way in."""
        machine = self.app.state_machines[machine_id]
        return (
            self.eligibility[machine_id].eligible
            and self._starters(machine_id) == [entry]
            and not machine.events
        )

    def _not_sync_because(self, machine_id: str) -> str:
        """Why a workflow does not become synchronous (the order of :meth:`_can_become_sync`)."""
        entries = sorted(fid for fid, mid in self.entries.items() if mid == machine_id)
        if not entries:
            return "no API route starts it through a function the API can replace"
        eligibility = self.eligibility[machine_id]
        if not eligibility.eligible:
            return f"it cannot become an Express workflow: {eligibility.reasons[0]}"
        others = [fid for fid in self._starters(machine_id) if fid != entries[0]]
        if others:
            return f"{', '.join(others)} also starts it"
        events = sorted(self.app.state_machines[machine_id].events)
        return f"its own events also start it: {', '.join(events)}"

    # -- callback channel ----------------------------------------------------------------------

    def _posts_to_connections(self, fid: str) -> bool:
        verdict = self.handlers.get(fid)
        if verdict is None or verdict.summary.unknowns:
            return False
        calls = [s for s in verdict.summary.steps if isinstance(s, SdkCall)]
        return len(calls) == 1 and (calls[0].service, calls[0].operation) == (
            "apigatewaymanagementapi", "PostToConnection",
        )

    def _callback_channel(self) -> tuple[set[str], dict[str, Reason]]:
        """Functions of WebSocket callback channels that go away, and why the others stay."""
        blockers: dict[str, Reason] = {}
        removable: set[str] = set()
        websocket_apis = sorted(
            a for a, api in self.app.apis.items() if api.protocol == "WEBSOCKET"
        )
        notifiers = [
            fid for fid in self.app.functions
            if self._posts_to_connections(fid) and self.app.tasks_for_function(fid)
            and not self.app.routes_for_function(fid)
        ]
        for api_id in websocket_apis:
            route_functions = sorted({
                r.target_function for r in self.app.routes
                if r.api_id == api_id and r.target_function
            })
            own_notifiers = [
                fid for fid in notifiers
                if api_id in self._referenced_ids(fid) or len(websocket_apis) == 1
            ]
            blocker = self._channel_blocker(api_id, route_functions, own_notifiers)
            for fid in route_functions + own_notifiers:
                if blocker is None:
                    removable.add(fid)
                else:
                    blockers[fid] = blocker
        return removable, blockers

    def _referenced_ids(self, fid: str) -> set[str]:
        return {
            ref.logical_id
            for value in self.app.functions[fid].environment.values()
            for ref in references_of(value)
        }

    def _channel_blocker(
        self, api_id: str, route_functions: list[str], notifiers: list[str]
    ) -> Reason | None:
        api = self.app.apis[api_id]
        where = api.location
        if not notifiers:
            return _reason(
                f"WebSocket API {api_id} is not used by a workflow to notify its caller", where
            )
        for fid in notifiers:
            for link in self.app.tasks_for_function(fid):
                if link.state_machine_id not in self.sync_machines:
                    return _reason(
                        f"the workflow {link.state_machine_id} does not answer its API call "
                        f"synchronously ({self._not_sync_because(link.state_machine_id)}), so "
                        f"it still needs WebSocket API {api_id} to notify its caller",
                        link.location,
                    )
        for fid in route_functions:
            verdict = self.handlers.get(fid)
            if verdict is None:
                return _reason(f"its route handler {fid} is not analysable",
                               self.app.functions[fid].location)
            if verdict.category == "keep" and not self._posts_to_connections(fid):
                first = verdict.reasons[0] if verdict.reasons else None
                detail = f": {first.message}" if first else ""
                return Reason(
                    f"WebSocket API {api_id} does more than carry notifications: its route "
                    f"handler {fid} is kept{detail}",
                    first.file if first else str(self.app.functions[fid].location.file),
                    first.line if first else None,
                )
        return None

    # -- per function --------------------------------------------------------------------------

    def _decide(
        self, function: Function, channel: set[str], channel_blockers: Mapping[str, Reason]
    ) -> FunctionVerdict:
        fid = function.logical_id
        handler = self.handlers.get(fid)
        made = _Verdicts(fid, display_path(self.app, function.source_file), function.handler)
        if handler is None:
            problem = function.handler_problem
            reason = (_reason(problem.message, problem.location) if problem is not None
                      else _reason(self._not_analysed(function), function.location))
            return made.keep(None, (reason,))
        if fid in channel:
            return made.replace(handler, "callback_channel", "LS501", (), (
                Reason("part of the WebSocket callback channel, which the synchronous API "
                       "answer replaces", made.source or "", handler.decisive_line),
            ))
        if fid in channel_blockers:
            return made.keep(handler, (channel_blockers[fid], *handler.reasons))
        if fid in self.entries:
            machine = self.entries[fid]
            action = "StartSyncExecution" if machine in self.sync_machines else "StartExecution"
            why = Reason(
                f"API route only starts state machine {machine}: API Gateway starts it with "
                f"{action}", made.source or "", handler.decisive_line,
            )
            return made.replace(handler, "workflow_entry", "LS401",
                                (ENTRY_INTEGRATION + action,), (why, *handler.reasons))
        keep_why = self._context_keep_reason(function)
        if handler.category == "keep":
            context = (keep_why,) if keep_why else ()
            return made.keep(handler, (*handler.reasons, *context))
        if keep_why is not None:
            return made.keep(handler, (keep_why, *handler.reasons))
        integration = handler.integration or ""
        resources = (integration,) if integration.startswith("arn:") else ()
        return made.replace(handler, handler.category, handler.rule_id, resources,
                            handler.reasons)

    def _context_keep_reason(self, function: Function) -> Reason | None:
        fid = function.logical_id
        links = self.app.tasks_for_function(fid)
        routes = self.app.routes_for_function(fid)
        for name, event in sorted(function.events.items()):
            kind = event.get("Type") if isinstance(event, Mapping) else None
            if kind not in API_EVENT_TYPES:
                return _reason(f"also triggered by its {kind} event {name!r}", function.location)
        for link in links:
            if link.form == "wait_for_task_token":
                return _reason(
                    f"state {link.state_path[-1]!r} invokes it with .waitForTaskToken: "
                    "the callback pattern needs the function", link.location,
                )
        if routes and links:
            return _reason("invoked both by an API route and by a state machine",
                           routes[0].location)
        if routes:
            route = routes[0]
            return _reason(
                f"{route.protocol} route {route.route_key!r} invokes it: only functions that "
                "start a workflow of this application are replaced by an API integration",
                route.location,
            )
        if not links and self.app.kind != "handler":
            return _reason("not invoked by a state machine or an API route of this "
                           "application: nothing to integrate with", function.location)
        return None

    @staticmethod
    def _not_analysed(function: Function) -> str:
        if not function.is_python:
            return f"not analysed: runtime {function.runtime or 'unknown'}"
        if function.source_file is None:
            return "not analysed: no handler source file (inline or packaged code)"
        return "not analysed: no handler function named"

    # -- per machine ---------------------------------------------------------------------------

    def _machine_verdict(self, machine: StateMachine) -> MachineVerdict:
        entry = next((fid for fid, mid in sorted(self.entries.items())
                      if mid == machine.logical_id), None)
        definition = display_path(self.app, machine.definition_file) or str(
            machine.definition_location
        )
        return MachineVerdict(
            machine.logical_id, machine.name, machine.type, definition,
            self.eligibility[machine.logical_id], entry,
            machine.logical_id in self.sync_machines,
        )


@dataclass(frozen=True)
class _Verdicts:
    """Builds the verdicts of one function."""

    function_id: str
    source: str | None
    handler: str | None

    def replace(self, handler: HandlerVerdict, category: str, rule_id: str | None,
                resources: Iterable[str], reasons: Iterable[Reason]) -> FunctionVerdict:
        return FunctionVerdict(self.function_id, self.source, self.handler, REPLACE, category,
                               rule_id, tuple(resources), tuple(reasons), handler)

    def keep(self, handler: HandlerVerdict | None, reasons: Iterable[Reason]) -> FunctionVerdict:
        return FunctionVerdict(self.function_id, self.source, self.handler, KEEP, "keep", None,
                               (), tuple(reasons), handler)


def _reason(message: str, location: Location) -> Reason:
    return Reason(message, location.file, location.line)
