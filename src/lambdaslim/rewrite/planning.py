"""From an analysis to a plan: the new states, bindings, IAM and API integrations.

Planning may still refuse a function the analysis found replaceable: a state whose data flow
the rewrite cannot compose exactly (an intrinsic function in its Parameters, a JSONata
``Output`` it cannot read...) keeps its function, and ``declined`` says why. A function is
replaced in all of its states or in none.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import Any

from lambdaslim.analysis import HandlerVerdict, ir
from lambdaslim.catalog import Catalog
from lambdaslim.classification import Analysis, FunctionVerdict
from lambdaslim.errors import LambdaslimError
from lambdaslim.model import StateMachine
from lambdaslim.plan import (
    Connection,
    Declared,
    Declined,
    IamStatement,
    MachineEdit,
    Plan,
    RouteEdit,
    StateEdit,
)
from lambdaslim.rewrite.integrations import (
    ANY_STATE_MACHINE,
    STATE_MACHINE_ARN,
)
from lambdaslim.rewrite.machine_builds import (
    MachineWork,
    StatesBuiltAhead,
    build_machine,
    copy_definition,
    editable,
    tasks_to_build,
    walk,
)
from lambdaslim.rewrite.state_io import Unsupported

QUERY_LANGUAGES = ("auto", "jsonpath", "jsonata")


def build_plan(
    analysis: Analysis,
    catalog: Catalog,
    *,
    only: set[str] | None = None,
    skip: Iterable[str] = (),
    query_language: str = "auto",
    ahead: StatesBuiltAhead | None = None,
) -> Plan:
    """The plan for ``analysis``, limited to ``only`` (when given) minus ``skip``; states
    already built ``ahead`` are taken when they are what the plan would build."""
    if query_language not in QUERY_LANGUAGES:
        raise LambdaslimError(f"unknown query language {query_language!r}")
    app = analysis.app
    unknown = sorted((set(only or ()) | set(skip)) - set(app.functions))
    if unknown:
        raise LambdaslimError(f"no function named {', '.join(unknown)} in this application")
    chosen = {
        f.function_id: f for f in analysis.functions
        if f.replaced and (only is None or f.function_id in only) and f.function_id not in skip
    }
    declined: list[Declined] = []
    works = {mid: MachineWork.fresh(m) for mid, m in app.state_machines.items()}
    stale = set(works)
    # Until nothing more is declined. A state that cannot be built leaves nothing behind (its
    # substitutions are rolled back), so a machine is built again from scratch only when it
    # holds a state built for a function declined since: the other states depend on nothing
    # that changed.
    while True:
        failed = _build_states(analysis, catalog, chosen, works, stale, query_language, ahead)
        ahead = None  # only for the first build: later ones follow declines
        failed = failed or _orphaned_catch_targets(analysis, chosen, works)
        failed += _unsupported_routes(analysis, chosen)
        failed += _channel_and_entry_consistency(analysis, chosen)
        if not failed:
            break
        for item in failed:
            declined.append(item)
            chosen.pop(item.function_id, None)
        gone = {item.function_id for item in failed}
        stale = {mid for mid, work in works.items()
                 if any(link.function_id in gone for link, _ in work.built.values())}
        for mid in stale:
            works[mid] = MachineWork.fresh(app.state_machines[mid])
    machines = tuple(
        edit for work in works.values() if (edit := _machine_edit(analysis, work, chosen))
    )
    routes = tuple(_route_edits(analysis, chosen))
    declared = tuple(_plan_declared(analysis, chosen))
    return Plan(machines, routes, tuple(sorted(chosen)), declared, tuple(declined))


def _build_states(analysis: Analysis, catalog: Catalog, chosen: dict[str, FunctionVerdict],
                  works: dict[str, MachineWork], machines: set[str], query_language: str,
                  ahead: StatesBuiltAhead | None = None) -> list[Declined]:
    """Build the replacement of every chosen task of ``machines`` (taking those ``ahead``
    built from the same handler verdicts)."""
    handlers = {fid: verdict.handler_verdict for fid, verdict in chosen.items()
                if verdict.category != "callback_channel" and verdict.handler_verdict}
    failed: list[tuple[int, Declined]] = []
    for machine_id, attempts in tasks_to_build(analysis.app, handlers, machines).items():
        taken = ahead.take(machine_id, attempts, catalog, query_language) if ahead else None
        if taken is None:
            failed += build_machine(analysis.app, catalog, works[machine_id], attempts,
                                    query_language)
        else:
            works[machine_id], machine_failed = taken
            failed += machine_failed
    return [declined for _, declined in sorted(failed, key=lambda item: item[0])]


def _orphaned_catch_targets(analysis: Analysis, chosen: dict[str, FunctionVerdict],
                            works: dict[str, MachineWork]) -> list[Declined]:
    """A catcher the replacement cannot trigger (the handler never raises what it catches)
    disappears with the Task; a state only that catcher reached would become unreachable and
    the definition invalid, so the function is kept."""
    failed: list[Declined] = []
    for work in works.values():
        if not work.built:
            continue
        definition = copy_definition(work.machine.raw_definition)
        for path, (_, built) in work.built.items():
            _splice(definition, path, built.states)
        unreachable = _unreachable_states(definition)
        for path, (link, _) in work.built.items():
            state = walk(work.machine.raw_definition, path, 0)
            lost = sorted({c.get("Next") for c in state.get("Catch") or ()} & unreachable)
            if lost and link.function_id in chosen:
                failed.append(Declined(
                    link.function_id, f"its catcher's target {lost[0]!r} would become "
                    "unreachable: the handler never raises the errors that catcher catches",
                    f"{link.state_machine_id}: state {path[-1]!r}"))
    return failed


def _unreachable_states(container: dict[str, Any]) -> set[str]:
    """States no transition reaches, at every level (Parallel branches, Map processors)."""
    states: dict[str, Any] = container.get("States") or {}
    seen: set[str] = set()
    pending = [container.get("StartAt")]
    while pending:
        name = pending.pop()
        if not isinstance(name, str) or name in seen or name not in states:
            continue
        seen.add(name)
        state = states[name]
        pending += [state.get("Next"), state.get("Default")]
        pending += [rule.get("Next") for rule in state.get("Choices") or ()]
        pending += [catcher.get("Next") for catcher in state.get("Catch") or ()]
    unreachable = set(states) - seen
    for state in states.values():
        for branch in state.get("Branches") or ():
            unreachable |= _unreachable_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), dict):
                unreachable |= _unreachable_states(state[key])
    return unreachable


def _unsupported_routes(analysis: Analysis, chosen: dict[str, FunctionVerdict]) -> list[Declined]:
    """An entry function stays when API Gateway cannot take over one of its routes."""
    app = analysis.app
    failed = []
    for verdict in chosen.values():
        if verdict.category != "workflow_entry":
            continue
        assert verdict.handler_verdict is not None
        try:
            _request_contract(verdict.handler_verdict)
            _response_contract(verdict.handler_verdict)
        except Unsupported as exc:
            failed.append(Declined(verdict.function_id, str(exc), verdict.function_id))
            continue
        for route in app.routes_for_function(verdict.function_id):
            from lambdaslim.rewrite.api_integration import supports_route  # jinja2: if needed

            reason = supports_route(app, route)
            if reason is not None:
                failed.append(Declined(verdict.function_id, reason, f"{route.api_id}: "
                                       f"route {route.route_key!r}"))
                break
    return failed


def _channel_and_entry_consistency(
    analysis: Analysis, chosen: dict[str, FunctionVerdict]
) -> list[Declined]:
    """The callback channel goes only with a synchronous entry, and only as a whole."""
    channel = [f for f in chosen.values() if f.category == "callback_channel"]
    if not channel:
        return []
    sync_entries = [m.entry_function for m in analysis.machines
                    if m.becomes_sync_express and m.entry_function in chosen]
    all_channel = {f.function_id for f in analysis.functions if f.category == "callback_channel"}
    if sync_entries and all_channel <= set(chosen):
        return []
    why = ("the WebSocket callback channel is removed only together with the synchronous "
           "entry and all its functions")
    return [Declined(f.function_id, why, f.function_id) for f in channel]


def _level(definition: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    """The ``States`` mapping holding the state at ``path``."""
    return walk(definition, path, 1)





def _machine_edit(analysis: Analysis, work: MachineWork,
                  chosen: dict[str, FunctionVerdict]) -> MachineEdit | None:
    app = analysis.app
    machine = work.machine
    if not editable(machine):
        return None
    definition = copy_definition(machine.raw_definition)
    state_edits: list[StateEdit] = []
    statements: list[IamStatement] = []
    connections: dict[str, Connection] = {}
    declared: list[Declared] = []
    removed_here: set[str] = set()
    for link in app.tasks_of_machine(machine.logical_id):
        if link.function_id not in chosen:
            continue
        verdict = chosen[link.function_id]
        removed_here.add(link.function_id)
        name = str(link.state_path[-1])
        if verdict.category == "callback_channel":
            successor = _remove_state(definition, link.state_path)
            state_edits.append(StateEdit(machine.logical_id, link.state_path, link.function_id,
                                         "LS501", {}, successor))
            continue
        _, built = work.built[link.state_path]
        _splice(definition, link.state_path, built.states)
        statements += built.statements
        for connection in built.connections:
            connections[connection.logical_id] = connection
        handler = verdict.handler_verdict
        where = f"{machine.logical_id}: state {name!r}"
        state_declared = tuple(dict.fromkeys(
            (*(dataclasses.replace(d, where=where) for d in built.declared),
             *_handler_declared(handler, machine, name))
        ))
        declared += state_declared
        state_edits.append(StateEdit(machine.logical_id, link.state_path, link.function_id,
                                     verdict.rule_id or "", built.states, None, state_declared))
    if not state_edits:
        return None
    text = json.dumps(definition)
    removed_subs = tuple(sorted(
        name for name, raw in machine.substitutions.items()
        if "${" + name + "}" not in text and _references_removed(raw, removed_here)
    ))
    machine_verdict = next(m for m in analysis.machines if m.machine_id == machine.logical_id)
    sync = machine_verdict.becomes_sync_express and machine_verdict.entry_function in chosen
    if sync:
        declared.append(Declared(
            "delivery_semantics", "the workflow becomes a synchronous Express workflow: Standard "
            "runs exactly once, Express synchronous at most once; its history is in CloudWatch "
            "Logs, not the console", machine.logical_id))
    own_arn = _own_arn(app.resources[machine.logical_id].properties)
    if own_arn is not None:
        statements = [
            dataclasses.replace(s, resources=tuple(own_arn if r == ANY_STATE_MACHINE else r
                                                   for r in s.resources))
            for s in statements
        ]
    return MachineEdit(
        machine.logical_id, definition, tuple(state_edits), tuple(work.bindings.added),
        removed_subs, _dedupe(statements), tuple(sorted(removed_here)),
        "EXPRESS" if sync and machine.type != "EXPRESS" else None,
        tuple(connections[k] for k in sorted(connections)), tuple(declared),
    )


def _own_arn(properties: dict[str, Any]) -> Any:
    """The machine's ARN built from the name the template gives it (not ``!Ref``: a role
    referring to its own state machine would be a circular dependency), or None."""
    name = properties.get("Name", properties.get("StateMachineName"))
    if isinstance(name, str):
        return {"Fn::Sub": STATE_MACHINE_ARN + name.replace("${", "${!")}
    if isinstance(name, dict) and list(name) == ["Fn::Sub"] and isinstance(name["Fn::Sub"], str):
        return {"Fn::Sub": STATE_MACHINE_ARN + name["Fn::Sub"]}
    return None


def _references_removed(raw: Any, removed: set[str]) -> bool:
    text = json.dumps(raw)
    return any(f'"{fid}"' in text or "${" + fid in text or f'"{fid}.' in text
               for fid in removed)


def _dedupe(statements: list[IamStatement]) -> tuple[IamStatement, ...]:
    merged: dict[str, IamStatement] = {}
    for statement in statements:
        key = json.dumps(statement.resources, sort_keys=True)
        if key in merged:
            actions = tuple(dict.fromkeys(merged[key].actions + statement.actions))
            merged[key] = IamStatement(actions, statement.resources)
        else:
            merged[key] = statement
    return tuple(merged.values())


def _splice(definition: dict[str, Any], path: tuple[str | int, ...],
            states: dict[str, dict[str, Any]]) -> None:
    """Put ``states`` where the state at ``path`` was, keeping the other states' order."""
    level = _level(definition, path)
    name = path[-1]
    rebuilt: dict[str, Any] = {}
    for key, state in level.items():
        if key == name:
            rebuilt.update(states)
        else:
            rebuilt[key] = state
    level.clear()
    level.update(rebuilt)


def _remove_state(definition: dict[str, Any], path: tuple[str | int, ...]) -> str | None:
    """Remove a state whose output was its input; transitions into it go to its successor."""
    level = _level(definition, path)
    name = str(path[-1])
    state = level[name]
    if state.get("ResultPath", "$") is not None and state.get("Output") is None:
        raise LambdaslimError(f"state {name!r} uses its notification's result")
    successor = state.get("Next")
    if successor is None or "OutputPath" in state:
        level[name] = {"Type": "Pass", "Comment": "WebSocket notification removed: the API "
                       "answers the caller", **({"OutputPath": state["OutputPath"]}
                                                if "OutputPath" in state else {}),
                       **({"Next": successor} if successor else {"End": True})}
        return successor
    del level[name]
    _redirect(_parent_of_level(definition, path), name, successor)
    return successor


def _parent_of_level(definition: dict[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    """The branch, processor or definition whose ``States`` hold the state at ``path``."""
    return walk(definition, path, 2)


def _redirect(container: dict[str, Any], old: str, new: str) -> None:
    if container.get("StartAt") == old:
        container["StartAt"] = new
    for state in container.get("States", {}).values():
        if state.get("Next") == old:
            state["Next"] = new
        if state.get("Default") == old:
            state["Default"] = new
        for rule in state.get("Choices") or ():
            if rule.get("Next") == old:
                rule["Next"] = new
        for catcher in state.get("Catch") or ():
            if catcher.get("Next") == old:
                catcher["Next"] = new


def _handler_declared(handler: HandlerVerdict | None, machine: StateMachine,
                      state: str) -> Iterable[Declared]:
    if handler is None:
        return
    for item in handler.declared:
        line = f" (line {item.line})" if item.line else ""
        yield Declared(item.kind, item.message + line, f"{machine.logical_id}: state {state!r}")


# ---- API entries ---------------------------------------------------------------------------

def _route_edits(analysis: Analysis, chosen: dict[str, FunctionVerdict]) -> Iterable[RouteEdit]:
    app = analysis.app
    for machine in analysis.machines:
        fid = machine.entry_function
        if fid is None or fid not in chosen:
            continue
        handler = chosen[fid].handler_verdict
        assert handler is not None
        action = "StartSyncExecution" if machine.becomes_sync_express else "StartExecution"
        status, body, headers = _response_contract(handler)
        for route in app.routes_for_function(fid):
            yield RouteEdit(route.api_id, route.route_key, fid, machine.machine_id, action,
                            _request_id_field(handler), status, body, headers)


def _request_id_field(handler: HandlerVerdict) -> str | None:
    call = handler.sdk_call
    params = dict(call.params) if call else {}
    body = params.get("input")
    if isinstance(body, ir.JsonDumps) and isinstance(body.arg, ir.WithKeys):
        for path, item in body.arg.assignments:
            if item == _REQUEST_ID and len(path) == 1:
                return str(path[0])
    return None


_BODY = ir.EventPath(("body",))
_REQUEST_ID = ir.EventPath(("requestContext", "requestId"))


def _request_contract(handler: HandlerVerdict) -> None:
    """The execution the entry starts must be the one the integration's request template
    starts: input the request body as is, or with the request id set in one field, and no name
    but the request id (a name from the body may be how the handler avoids duplicates)."""
    call = handler.sdk_call
    assert call is not None
    params = dict(call.params)
    extra = sorted(str(key) for key in params if key not in ("stateMachineArn", "input", "name"))
    if extra:
        raise Unsupported(f"the function passes {extra[0]} to StartExecution, which the API "
                          "integration does not pass")
    if "name" in params and _read_through(params["name"]) != _REQUEST_ID:
        raise Unsupported("the function names the execution after something other than the "
                          "request id; the API integration names it after the request id")
    body = params.get("input")
    if body == _BODY or body == ir.JsonDumps(ir.JsonLoads(_BODY)):
        return
    if (isinstance(body, ir.JsonDumps) and not body.options
            and isinstance(body.arg, ir.WithKeys) and body.arg.base == ir.JsonLoads(_BODY)
            and len(body.arg.assignments) == 1 and _request_id_field(handler)):
        return
    raise Unsupported("the function builds the execution input from the request; the API "
                      "integration passes the request body on as it is (with at most the "
                      "request id added)")


def _read_through(expr: ir.Expr) -> ir.Expr:
    """``body["requestId"]`` read back after ``body["requestId"] = <value>``: the value."""
    if (isinstance(expr, ir.PathInto) and isinstance(expr.base, ir.WithKeys)
            and not expr.optional and expr.default is None):
        for path, value in reversed(expr.base.assignments):
            if path == expr.path:
                return value
    return expr


def _response_contract(handler: HandlerVerdict) -> tuple[int, Any, dict[str, str]]:
    """Status, body template and headers of the entry's answer, which the API integration's
    response must reproduce exactly; :class:`Unsupported` when it cannot yet."""
    returned = handler.summary.returns
    if not isinstance(returned, ir.DictExpr):
        raise Unsupported("the function's answer is not a literal response dict")
    items = dict(returned.items)
    extra = sorted(str(key) for key in items if key not in ("statusCode", "headers", "body"))
    if extra:
        raise Unsupported(f"the function's response sets {extra[0]!r}, which the API "
                          "integration does not reproduce yet")
    status = items.get("statusCode")
    if not (isinstance(status, ir.Const) and type(status.value) is int):
        raise Unsupported("the function's response status is not a constant number")
    headers = items.get("headers")
    header_values: dict[str, str] = {}
    if headers is not None:
        if not isinstance(headers, ir.DictExpr):
            raise Unsupported("the function's response headers are not a literal dict")
        for name, value in headers.items:
            if not (isinstance(value, ir.Const) and isinstance(value.value, str)):
                raise Unsupported(f"the function's response header {name!r} is computed; "
                                  "only constant headers are reproduced")
            header_values[str(name)] = value.value
    body = items.get("body")
    if not isinstance(body, ir.JsonDumps):
        raise Unsupported("the function's response body is not json.dumps(...) of a value")
    return status.value, _body_template(body.arg), header_values


def _body_template(expr: ir.Expr) -> Any:
    expr = _read_through(expr)
    if isinstance(expr, ir.Const):
        return expr.value
    if isinstance(expr, ir.DictExpr):
        return {k: _body_template(v) for k, v in expr.items}
    if isinstance(expr, ir.EventPath) and expr.path == ("requestContext", "requestId"):
        return {"$context": "requestId"}
    raise Unsupported("the function's response body is not rebuilt by API Gateway yet")


API_INTEGRATION_TIMEOUT = 29


def _plan_declared(analysis: Analysis, chosen: dict[str, FunctionVerdict]) -> Iterable[Declared]:
    for machine in analysis.machines:
        worst = machine.express.worst_case_seconds
        if machine.becomes_sync_express and machine.entry_function in chosen and \
                worst > API_INTEGRATION_TIMEOUT:
            yield Declared(
                "api_timeout", f"the API now waits for the workflow, whose worst case is "
                f"{worst:g} s: API Gateway answers 504 after its integration timeout "
                f"({API_INTEGRATION_TIMEOUT} s by default) while the execution goes on",
                machine.machine_id)
    for verdict in sorted(chosen.values(), key=lambda v: v.function_id):
        if verdict.category == "callback_channel":
            yield Declared("callback_channel",
                           f"{verdict.function_id} is removed: the caller gets the workflow's "
                           "result in the synchronous API answer instead of WebSocket messages",
                           verdict.function_id)
