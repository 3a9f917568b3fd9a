"""Can a state machine run as an Express workflow?

Express workflows run at most five minutes and support neither ``.sync`` nor
``.waitForTaskToken`` integrations nor activities. A workflow qualifies when it uses none of those
and its duration is provably bounded by five minutes: either its own ``TimeoutSeconds`` says so,
or the worst case along its longest path (task timeouts times attempts, retry back-off, waits,
the slowest branch of each Parallel) stays within the limit. Anything unbounded (a loop, a Map
over data of unknown size, a Task without a timeout, a ``SecondsPath`` wait) disqualifies it.

Retriers for Lambda's own service errors (``Lambda.ServiceException``, ...) are boilerplate on
almost every Lambda task and, exhausted one after another, would push any workflow past five
minutes. They count as a declared risk, not as a disqualification: the bound that decides is
the one the application's own retriers give.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lambdaslim.model import Application, StateMachine

EXPRESS_MAX_SECONDS = 300
DEFAULT_LAMBDA_TIMEOUT = 3
UNBOUNDED = math.inf
SERVICE_ERRORS = frozenset({
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
    "Lambda.Unknown",
})


@dataclass(frozen=True)
class Eligibility:
    """Whether the machine may become Express; ``reasons`` say why not (or what bounds it).

    ``risks`` name what is not proven: a worst case that only service-error retries reach.
    """

    eligible: bool
    worst_case_seconds: float
    reasons: tuple[str, ...]
    risks: tuple[str, ...] = ()


def express_eligibility(app: Application, machine: StateMachine) -> Eligibility:
    """Decide whether ``machine`` can run as an Express workflow without changing behaviour."""
    blockers = [
        f"state {name!r} {why}" for name, why in _unsupported_states(machine.definition)
    ]
    if blockers:
        return Eligibility(False, UNBOUNDED, tuple(blockers))
    if machine.type == "EXPRESS":
        return Eligibility(True, 0, ("already an Express workflow",))
    timeouts = _LambdaTimeouts(app, machine)
    worst = _Durations(timeouts, service_retries=False).machine(machine.definition)
    declared = machine.definition.get("TimeoutSeconds")
    if isinstance(declared, int) and declared <= EXPRESS_MAX_SECONDS:
        return Eligibility(
            True, min(worst, declared),
            (f"its TimeoutSeconds ({declared} s) bounds it within Express's 5 minutes",),
        )
    if worst <= EXPRESS_MAX_SECONDS:
        with_service = _Durations(timeouts, service_retries=True).machine(machine.definition)
        risks: tuple[str, ...] = ()
        if with_service > EXPRESS_MAX_SECONDS:
            risks = (
                f"only if every Lambda service-error retrier is exhausted does it run longer "
                f"({with_service:g} s) than Express's 300 s",
            )
        return Eligibility(
            True, worst,
            (f"its worst-case duration is {worst:g} s (Express allows 300 s)",), risks,
        )
    if worst == UNBOUNDED:
        why = "its duration is unbounded: " + timeouts.why_unbounded()
        return Eligibility(False, worst, (why,))
    return Eligibility(
        False, worst, (f"its worst-case duration is {worst:g} s, over Express's 300 s",)
    )


def _unsupported_states(definition: Mapping[str, Any]) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    for name, state in _all_states(definition):
        resource = str(state.get("Resource", ""))
        if state.get("Type") == "Task":
            if resource.endswith((".sync", ".sync:2")):
                found.append((name, "waits for a job to finish (.sync)"))
            elif resource.endswith(".waitForTaskToken"):
                found.append((name, "waits for a task token (.waitForTaskToken)"))
            elif ":activity:" in resource:
                found.append((name, "runs an activity"))
        if state.get("Type") == "Map":
            processor = state.get("ItemProcessor") or {}
            if (processor.get("ProcessorConfig") or {}).get("Mode") == "DISTRIBUTED":
                found.append((name, "is a distributed Map"))
    return found


def _all_states(definition: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    states: list[tuple[str, Mapping[str, Any]]] = []
    for name, state in (definition.get("States") or {}).items():
        states.append((name, state))
        for branch in state.get("Branches") or ():
            states += _all_states(branch)
        for key in ("ItemProcessor", "Iterator"):
            if isinstance(state.get(key), Mapping):
                states += _all_states(state[key])
    return states


class _LambdaTimeouts:
    """A Lambda task without ``TimeoutSeconds`` is bounded by its function's own timeout."""

    def __init__(self, app: Application, machine: StateMachine):
        self._by_state_name: dict[str, float] = {}
        for link in app.tasks_of_machine(machine.logical_id):
            if link.function_id is None:
                continue
            function = app.functions.get(link.function_id)
            if function is not None:
                timeout = function.timeout_s or DEFAULT_LAMBDA_TIMEOUT
                self._by_state_name[str(link.state_path[-1])] = float(timeout)
        self.unbounded_states: list[str] = []

    def task_seconds(self, name: str, state: Mapping[str, Any]) -> float:
        declared = state.get("TimeoutSeconds")
        lambda_bound = self._by_state_name.get(name)
        if isinstance(declared, int | float):
            return min(float(declared), lambda_bound) if lambda_bound else float(declared)
        if lambda_bound is not None:
            return lambda_bound
        self.unbounded_states.append(f"Task {name!r} has no TimeoutSeconds")
        return UNBOUNDED

    def why_unbounded(self) -> str:
        return "; ".join(dict.fromkeys(self.unbounded_states)) or "a loop or a Map state"


class _Durations:
    """Worst-case durations, level by level (a Parallel's branches are levels of their own)."""

    def __init__(self, timeouts: _LambdaTimeouts, *, service_retries: bool):
        self._timeouts = timeouts
        self._service_retries = service_retries

    def machine(self, level: Mapping[str, Any]) -> float:
        states: Mapping[str, Mapping[str, Any]] = level.get("States") or {}
        memo: dict[str, float] = {}
        visiting: set[str] = set()

        def longest_from(name: str) -> float:
            if name in memo:
                return memo[name]
            if name in visiting or name not in states:
                self._timeouts.unbounded_states.append(f"state {name!r} is part of a loop")
                return UNBOUNDED
            visiting.add(name)
            state = states[name]
            own = self._state(name, state)
            after = max((longest_from(n) for n in _successors(state)), default=0.0)
            # A catcher starts after the failed attempts, so the worst case is the same sum.
            visiting.discard(name)
            memo[name] = own + after
            return memo[name]

        return longest_from(str(level.get("StartAt")))

    def _state(self, name: str, state: Mapping[str, Any]) -> float:
        kind = state.get("Type")
        if kind == "Task":
            once = self._timeouts.task_seconds(name, state)
        elif kind == "Parallel":
            once = max((self.machine(b) for b in state.get("Branches") or ()), default=0.0)
        elif kind == "Map":
            self._timeouts.unbounded_states.append(
                f"Map {name!r} iterates over data of unknown size"
            )
            return UNBOUNDED
        elif kind == "Wait":
            seconds = state.get("Seconds")
            if not isinstance(seconds, int | float):
                self._timeouts.unbounded_states.append(f"Wait {name!r} waits for a runtime value")
                return UNBOUNDED
            return float(seconds)
        else:
            return 0.0
        retriers = [
            r for r in state.get("Retry") or ()
            if self._service_retries or not set(r.get("ErrorEquals") or ()) <= SERVICE_ERRORS
        ]
        return _with_retries(once, retriers)


def _successors(state: Mapping[str, Any]) -> list[str]:
    names = [state["Next"]] if "Next" in state else []
    names += [choice["Next"] for choice in state.get("Choices") or () if "Next" in choice]
    if "Default" in state:
        names.append(state["Default"])
    names += [catcher["Next"] for catcher in state.get("Catch") or () if "Next" in catcher]
    return names


def _with_retries(once: float, retriers: Any) -> float:
    """Every retrier may be exhausted in turn: attempts add up, and so do the back-off waits."""
    attempts = 1
    waiting = 0.0
    for retrier in retriers:
        max_attempts = int(retrier.get("MaxAttempts", 3))
        interval = float(retrier.get("IntervalSeconds", 1))
        rate = float(retrier.get("BackoffRate", 2.0))
        cap = float(retrier.get("MaxDelaySeconds", UNBOUNDED))
        attempts += max_attempts
        waiting += sum(min(interval * rate**k, cap) for k in range(max_attempts))
    return once * attempts + waiting
