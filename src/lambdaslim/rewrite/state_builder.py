"""The states that replace one Lambda Task, built from the handler's summary.

Shape of a replacement, each part only when the handler needs it:

    <name>            Choice on guards over the event (guards before any call)
    <name>            Task: the integration (keeps the original name when first)
    <name>: check     Choice on guards over the call's result
    <name>: output    Pass computing the state's original output when a Choice passed through
    <name>: <Error>   Pass producing the catcher's output, or Fail, for each guard

Before each guard's rule come the rules raising what Python raised while evaluating it
(``KeyError`` for a missing field, ``IndexError``, ``AttributeError``; see ``guard_checks``).

A guard's error reaches the replaced state's catcher the way the Lambda error did: the same
``{"Error", "Cause"}`` object at the catcher's ResultPath, then the catcher's ``Next``. A Fail
state cannot be caught by the catcher of the state it replaces, so a guard with a matching
catcher never becomes a Fail.

Guards are always JSONata Choice rules. A JSONPath rule comparing mismatched types (text
against ``NumericGreaterThan``) is silently false, where Python raised a TypeError and failed;
JSONata fails too, so only it keeps the handler's behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

from lambdaslim.analysis import HandlerVerdict, ir
from lambdaslim.catalog import Catalog
from lambdaslim.express import SERVICE_ERRORS
from lambdaslim.plan import Connection, Declared, IamStatement
from lambdaslim.rewrite.guard_checks import Precondition, preconditions
from lambdaslim.rewrite.integrations import (
    Environment,
    Integration,
    http_integration,
    sdk_integration,
)
from lambdaslim.rewrite.ir_terms import Scope, condition, error_object, value
from lambdaslim.rewrite.jsonpath_render import jsonpath_output, jsonpath_parameters
from lambdaslim.rewrite.state_io import TaskIO, Unsupported, parse_path
from lambdaslim.rewrite.terms import Lit, Ref, Term, get, jsonata_value, render, set_path

CATCH_ALL = ("States.ALL", "States.TaskFailed")
REQUEST_ERRORS = frozenset({"HTTPError", "ConnectionError", "ConnectTimeout", "ReadTimeout",
                            "Timeout", "RequestException"})


@dataclass
class Built:
    """The new states for one replaced Task, and what they need from the template."""

    states: dict[str, dict[str, Any]]
    statements: list[IamStatement] = field(default_factory=list)
    connections: list[Connection] = field(default_factory=list)
    declared: list[Declared] = field(default_factory=list)


@dataclass(frozen=True)
class _Guard:
    condition: Term
    error: str
    error_object: Term
    line: int
    checks: tuple[Precondition, ...] = ()


def variable_name(state_name: str, suffix: str) -> str:
    words = re.findall(r"[A-Za-z0-9]+", state_name)
    return "ls" + "".join(w.capitalize() for w in words) + suffix


class StateBuilder:
    def __init__(self, name: str, state: dict[str, Any], form: str, verdict: HandlerVerdict,
                 env: Environment, catalog: Catalog, machine_id: str, query_language: str,
                 machine_jsonata: bool):
        self.name = name
        self.state = state
        self.io = TaskIO(state, form, machine_jsonata)
        self.form = form
        self.summary = verdict.summary
        self.env = env
        self.catalog = catalog
        self.machine_id = machine_id
        self.query_language = query_language
        self.machine_jsonata = machine_jsonata
        self.built = Built({})

    # ---- entry point -------------------------------------------------------------------------

    def build(self) -> Built:
        if self.form == "wait_for_task_token":
            raise Unsupported("the callback pattern (.waitForTaskToken) needs the function")
        if "Assign" in self.state:
            raise Unsupported("the state assigns variables (Assign), which the rewrite does not "
                              "compose yet")
        steps = self.summary.steps
        if any(isinstance(s, ir.ReturnIf) for s in steps):
            raise Unsupported("early returns are not rewritten yet")
        calls = [i for i, s in enumerate(steps) if isinstance(s, ir.SdkCall | ir.HttpCall)]
        call_at = calls[0] if calls else None
        direct = self._walk(Ref("input"), "result")
        output = self.io.output(Ref("input"), direct.returned)
        if call_at is None:
            self._decision(direct.guards, output)
        else:
            later = self._walk(Ref("var:" + self._var("Input")), "var:" + self._var("Result"))
            self._with_call(direct, direct.pre, later.guards[len(later.pre):], output)
        first = self.built.states.pop(self.name)
        self.built.states = {self.name: first, **self.built.states}
        return self.built

    # ---- the handler's program, walked over symbolic inputs --------------------------------

    @dataclass
    class _Walk:
        event: Term
        guards: list[_Guard]
        pre: list[_Guard]
        returned: Term
        integration: Integration | None

    def _walk(self, state_input: Term, result_base: str) -> StateBuilder._Walk:
        event = self.io.event(state_input)
        guards: list[_Guard] = []
        pre: list[_Guard] = []
        integration: Integration | None = None

        def result(step: int, path: tuple[str | int, ...]) -> Term:
            if integration is None:
                raise Unsupported("a call result is read before the call")
            return integration.result(path)

        for step in self.summary.steps:
            scope = Scope(event, result, self.env.term)
            if isinstance(step, ir.Assign):
                event = set_path(event, step.path, value(step.value, scope))
            elif isinstance(step, ir.Guard):
                if integration is not None and self._implied(step):
                    continue
                checks = tuple(preconditions(step, scope, self._first_subscript))
                guard = _Guard(condition(step.condition, scope), step.error,
                               error_object(step.error, step.message, scope), step.line, checks)
                guards.append(guard)
                if integration is None:
                    pre.append(guard)
            elif isinstance(step, ir.SdkCall):
                integration = sdk_integration(step, scope, self.env, self.catalog, result_base)
            elif isinstance(step, ir.HttpCall):
                integration = http_integration(step, scope, self.env, self.machine_id,
                                               result_base)
        scope = Scope(event, result, self.env.term)
        returned = Lit(None) if self.summary.returns is None else value(self.summary.returns,
                                                                         scope)
        return StateBuilder._Walk(event, guards, pre, returned, integration)

    def _first_subscript(self, step: int) -> int:
        """Where the subscripts start in a call result's path: after the response attribute
        of an HTTP response (``response.json()["id"]``), at once for a boto3 response."""
        return 1 if isinstance(self.summary.steps[step], ir.HttpCall) else 0

    def _implied(self, guard: ir.Guard) -> bool:
        """``FailedEntryCount > 0`` after PutEvents: the integration itself fails then."""
        condition = guard.condition
        if not (isinstance(condition, ir.Compare) and isinstance(condition.left, ir.CallResult)):
            return False
        call = next((s for s in self.summary.steps if isinstance(s, ir.SdkCall)), None)
        implied = (
            call is not None and (call.service, call.operation) == ("events", "PutEvents")
            and condition.left.path == ("FailedEntryCount",)
            and (condition.op, condition.right) in ((">", ir.Const(0)), ("!=", ir.Const(0)),
                                                   (">=", ir.Const(1)))
        )
        if implied:
            self.built.declared.append(Declared(
                "error_name", f"a rejected event now fails the task with EventBridge.FailedEntry "
                f"instead of {guard.error} (line {guard.line})", self.name))
        return implied

    # ---- shapes ------------------------------------------------------------------------------

    def _decision(self, guards: list[_Guard], output: Term) -> None:
        if guards:
            self._choice(self.name, guards, self._after_output(output, Ref("input")),
                         Ref("input"))
        else:
            self._output_pass(self.name, output)

    def _with_call(self, walk: StateBuilder._Walk, pre_guards: list[_Guard],
                   post_guards: list[_Guard], output: Term) -> None:
        integration = walk.integration
        assert integration is not None
        self.built.statements.extend(integration.statements)
        self.built.declared.extend(replace(d, where=self.name) for d in integration.declared)
        if integration.connection is not None:
            self.built.connections.append(integration.connection)
        task_name = self.name if not pre_guards else f"{self.name}: call"
        if pre_guards:
            self._choice(self.name, pre_guards, task_name, Ref("input"))
        if post_guards:
            self._check_retried(post_guards)
            check = f"{self.name}: check"
            variables = {self._var("Input"): "{% $states.input %}",
                         self._var("Result"): "{% $states.result %}"}
            self._task(task_name, integration, output, check, variables)
            self._choice(check, post_guards, self._next(), Ref("var:" + self._var("Input")))
        else:
            self._task(task_name, integration, output, self._next(), None)

    def _check_retried(self, guards: list[_Guard]) -> None:
        """A retrier that matched an error raised after the call re-ran the whole function,
        call included (polling until a record appears); a Choice after the Task cannot."""
        for retrier in self.state.get("Retry") or ():
            names = retrier.get("ErrorEquals") or ()
            if retrier.get("MaxAttempts", 3) == 0:
                continue
            for guard in guards:
                for error in (guard.error, *(c.error for c in guard.checks)):
                    if error in names or any(n in CATCH_ALL for n in names):
                        raise Unsupported(
                            f"the state's Retry on {', '.join(names)} re-runs the function when "
                            f"it raises {error} (line {guard.line}), call included: a decision "
                            "after the integration would not repeat the call")

    def _task(self, name: str, integration: Integration, output: Term, following: str | None,
              variables: dict[str, str] | None) -> None:
        state: dict[str, Any] = {"Type": "Task"}
        if "Comment" in self.state:
            state["Comment"] = self.state["Comment"]
        params = None if variables or self._forced_jsonata() else jsonpath_parameters(
            integration.arguments)
        shaping = None if params is None else jsonpath_output(output)
        if params is not None and shaping is not None:
            state["Resource"] = integration.resource
            state["Parameters"] = params
            state.update(shaping)
            catchers = self._catchers(integration, jsonata=False)
        else:
            if not self.machine_jsonata:
                state["QueryLanguage"] = "JSONata"
            state["Resource"] = integration.resource
            state["Arguments"] = jsonata_value(integration.arguments)
            if variables:
                state["Assign"] = variables
            state["Output"] = "{% " + render(output) + " %}"
            catchers = self._catchers(integration, jsonata=True)
        for key in ("TimeoutSeconds", "HeartbeatSeconds"):
            if key in self.state:
                state[key] = self.state[key]
        retriers = self._retriers(integration)
        if retriers:
            state["Retry"] = retriers
        if catchers:
            state["Catch"] = catchers
        self._link(state, following)
        self.built.states[name] = state

    def _choice(self, name: str, guards: list[_Guard], default: str | None,
                state_input: Term) -> None:
        rules: list[dict[str, str]] = []
        checked: set[str] = set()
        for guard in guards:
            for check in guard.checks:
                rule = "{% " + render(check.condition) + " %}"
                if check.key in checked or any(r["Condition"] == rule for r in rules):
                    continue  # checked before in this Choice: it passed to get here
                if check.unconditional:
                    checked.add(check.key)
                raised = _Guard(check.condition, check.error, check.error_object, guard.line)
                rules.append({"Condition": rule, "Next": self._raise(raised, state_input)})
            rules.append({"Condition": "{% " + render(guard.condition) + " %}",
                          "Next": self._raise(guard, state_input)})
        choice: dict[str, Any] = {"Type": "Choice"}
        if not self.machine_jsonata:
            choice["QueryLanguage"] = "JSONata"
        if "Comment" in self.state and name == self.name:
            choice["Comment"] = self.state["Comment"]
        choice["Choices"] = rules
        choice["Default"] = default if default is not None else self._end_pass()
        self.built.states[name] = choice

    def _raise(self, guard: _Guard, state_input: Term) -> str:
        name = f"{self.name}: {guard.error}"
        if name in self.built.states:
            name = f"{name} (line {guard.line})"
        if name in self.built.states:
            # several checks of one line raising the same error
            count = 2
            while f"{name[:-1]}, {count})" in self.built.states:
                count += 1
            name = f"{name[:-1]}, {count})"
        catcher = self._catcher_for(guard.error)
        if catcher is None:
            self.built.states[name] = self._fail(guard)
            return name
        output = self._catcher_output(catcher, state_input, guard.error_object)
        state: dict[str, Any] = {"Type": "Pass"}
        if not self.machine_jsonata:
            state["QueryLanguage"] = "JSONata"
        state["Comment"] = (f"{guard.error} raised by the replaced function (line {guard.line}), "
                            "as its catcher saw it")
        state["Output"] = "{% " + render(output) + " %}"
        state["Next"] = catcher["Next"]
        self.built.states[name] = state
        return name

    def _fail(self, guard: _Guard) -> dict[str, Any]:
        state: dict[str, Any] = {"Type": "Fail"}
        if not self.machine_jsonata:
            state["QueryLanguage"] = "JSONata"
        state["Comment"] = f"{guard.error} raised by the replaced function (line {guard.line})"
        state["Error"] = guard.error
        state["Cause"] = "{% " + render(get(guard.error_object, ("Cause",))) + " %}"
        return state

    def _after_output(self, output: Term, state_input: Term) -> str | None:
        """The state after the guards: the original successor, through a Pass computing the
        output when it is not the input the Choice passes through."""
        if output == state_input:
            return self._next()
        name = f"{self.name}: output"
        self._output_pass(name, output)
        return name

    def _output_pass(self, name: str, output: Term) -> None:
        params = None if self._forced_jsonata() else jsonpath_output(output, pass_state=True)
        state: dict[str, Any] = {"Type": "Pass"}
        if "Comment" in self.state and name == self.name:
            state["Comment"] = self.state["Comment"]
        if params is not None:
            state.update(params)
        else:
            if not self.machine_jsonata:
                state["QueryLanguage"] = "JSONata"
            state["Output"] = "{% " + render(output) + " %}"
        self._link(state, self._next())
        self.built.states[name] = state

    # ---- transitions, retries, catchers --------------------------------------------------------

    def _next(self) -> str | None:
        return self.state.get("Next")

    def _link(self, state: dict[str, Any], following: str | None) -> None:
        if following is None:
            state["End"] = True
        else:
            state["Next"] = following

    def _end_pass(self) -> str:
        name = f"{self.name}: done"
        self.built.states[name] = {"Type": "Pass", "End": True}
        return name

    def _var(self, suffix: str) -> str:
        return variable_name(self.name, suffix)

    def _forced_jsonata(self) -> bool:
        return self.query_language == "jsonata" or self.machine_jsonata

    def _catcher_for(self, error: str) -> dict[str, Any] | None:
        for catcher in self.state.get("Catch") or ():
            names = catcher.get("ErrorEquals") or ()
            if error in names or any(n in CATCH_ALL for n in names):
                return dict(catcher)
        return None

    def _catcher_output(self, catcher: dict[str, Any], state_input: Term, error: Term) -> Term:
        if "Output" in catcher:
            raise Unsupported("a JSONata catcher Output is not composed yet")
        result_path = catcher.get("ResultPath", "$")
        if result_path is None:
            return state_input
        return set_path(state_input, parse_path(result_path, "Catch ResultPath"), error)

    def _catchers(self, integration: Integration, *, jsonata: bool) -> list[dict[str, Any]]:
        catchers = [
            {**c, "ErrorEquals": self._renamed(list(c.get("ErrorEquals") or ()), integration)}
            for c in self.state.get("Catch") or ()
        ]
        if self.form == "invoke_async":
            if self._next() is None:
                raise Unsupported("an asynchronous invocation that ends its branch")
            catchers.append({"ErrorEquals": ["States.ALL"], "ResultPath": None,
                             "Next": self._next()})
            self.built.declared.append(Declared(
                "async_errors", "the call is no longer asynchronous: its errors are caught and "
                "ignored, as the workflow never saw the asynchronous function's errors",
                self.name))
        if not jsonata:
            return catchers
        converted = []
        for catcher in catchers:
            if "Output" in catcher or "Assign" in catcher:
                converted.append(catcher)
                continue
            result_path = catcher.pop("ResultPath", "$")
            error = Ref("error")
            output = Ref("input") if result_path is None else set_path(
                Ref("input"), parse_path(result_path, "Catch ResultPath"), error)
            following = catcher.pop("Next")
            if output != error:
                catcher["Output"] = "{% " + render(output) + " %}"
            catcher["Next"] = following
            converted.append(catcher)
        return converted

    def _renamed(self, names: list[str], integration: Integration) -> list[str]:
        """Error names the integration reports for what boto3 raised (``ClientError`` is any
        service error: every task failure)."""
        http = integration.resource.endswith(":http:invoke")
        renamed: list[str] = []
        for name in names:
            if http and name in REQUEST_ERRORS:
                # requests' errors: an HTTP Task fails with States.Http.StatusCode.<code> or
                # States.Http.Socket, both task failures.
                candidates: tuple[str, ...] = ("States.TaskFailed",)
                self._declare_request_errors()
            else:
                new = integration.errors.get(name) or (
                    "States.TaskFailed" if name in ("ClientError", "BotoCoreError") else name)
                candidates = (name, new)
            for candidate in candidates:
                if candidate not in renamed:
                    renamed.append(candidate)
        return renamed

    def _declare_request_errors(self) -> None:
        message = ("handlers' request errors (HTTPError, ConnectionError, Timeout) are now the "
                   "HTTP Task's failures: States.TaskFailed covers States.Http.StatusCode.* and "
                   "States.Http.Socket")
        if not any(d.message == message for d in self.built.declared):
            self.built.declared.append(Declared("error_name", message, self.name))

    def _retriers(self, integration: Integration) -> list[dict[str, Any]]:
        kept = []
        for retrier in self.state.get("Retry") or ():
            names = self._renamed(list(retrier.get("ErrorEquals") or ()), integration)
            if set(names) <= SERVICE_ERRORS:
                continue
            kept.append({**retrier, "ErrorEquals": names})
        return kept
