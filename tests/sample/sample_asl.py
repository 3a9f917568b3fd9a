"""A deliberately small JSONPath-ASL interpreter, enough to run the sample's workflow.

It exists to check the sample's `cases/*.json` against the real handlers: it is a
test oracle for this one definition, not lambdaslim's verify engine. It supports
what `account_creation.asl.json` uses and refuses anything else loudly:
Task (Lambda direct-ARN form and `lambda:invoke`, sync and `InvocationType: Event`),
Parallel, Fail (Error/Cause or ErrorPath/CausePath), Succeed; InputPath, Parameters,
ResultSelector, ResultPath, OutputPath; Retry (no waiting) and Catch.
Parallel branches run one after the other, in order.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

LAMBDA_INVOKE = "arn:aws:states:::lambda:invoke"
FUNCTION_ARN = re.compile(r"^arn:aws:lambda:[^:]+:\d{12}:function:[^:]+$")
PATH_TOKEN = re.compile(r"\.([A-Za-z_][\w-]*)|\[(\d+)\]")

# function ARN -> callable(event) returning the result or raising
Invoker = Callable[[str, Any], Any]


class StatesError(Exception):
    def __init__(self, error: str, cause: str) -> None:
        super().__init__(error, cause)
        self.error = error
        self.cause = cause


@dataclass
class Execution:
    status: str
    output: Any = None
    error: str | None = None
    cause: str | None = None
    history: list[str] = field(default_factory=list)


def read_path(data: Any, path: str) -> Any:
    if path == "$":
        return data
    if not path.startswith("$"):
        raise NotImplementedError(f"not a reference path: {path}")
    position, value = 1, data
    while position < len(path):
        match = PATH_TOKEN.match(path, position)
        if not match:
            raise NotImplementedError(f"unsupported path syntax: {path}")
        name, index = match.groups()
        try:
            value = value[name] if name is not None else value[int(index)]
        except (KeyError, IndexError, TypeError) as err:
            raise StatesError("States.Runtime", f"path {path} not found in input") from err
        position = match.end()
    return value


def write_path(data: Any, path: str | None, value: Any) -> Any:
    if path is None:
        return data
    if path == "$":
        return value
    names = []
    position = 1
    while position < len(path):
        match = PATH_TOKEN.match(path, position)
        if not match or match.group(1) is None:
            raise NotImplementedError(f"unsupported ResultPath: {path}")
        names.append(match.group(1))
        position = match.end()
    result = copy.deepcopy(data)
    target = result
    for name in names[:-1]:
        target = target.setdefault(name, {})
    target[names[-1]] = value
    return result


def evaluate_template(template: Any, data: Any) -> Any:
    """Parameters / ResultSelector payload template (no intrinsic functions here)."""
    if isinstance(template, dict):
        out = {}
        for key, value in template.items():
            if key.endswith(".$"):
                if not isinstance(value, str) or not value.startswith("$"):
                    raise NotImplementedError(f"intrinsic or context path not supported: {value}")
                out[key[:-2]] = copy.deepcopy(read_path(data, value))
            else:
                out[key] = evaluate_template(value, data)
        return out
    if isinstance(template, list):
        return [evaluate_template(item, data) for item in template]
    return template


def _matches(error: str, error_equals: list[str]) -> bool:
    return "States.ALL" in error_equals or error in error_equals


class Interpreter:
    def __init__(self, definition: dict[str, Any], invoke: Invoker) -> None:
        self.definition = definition
        self.invoke = invoke
        self.history: list[str] = []

    def run(self, execution_input: Any) -> Execution:
        try:
            output = self._run_machine(self.definition, copy.deepcopy(execution_input))
        except StatesError as err:
            return Execution("FAILED", error=err.error, cause=err.cause, history=self.history)
        return Execution("SUCCEEDED", output=output, history=self.history)

    def _run_machine(self, machine: dict[str, Any], data: Any) -> Any:
        name = machine["StartAt"]
        while True:
            state = machine["States"][name]
            self.history.append(name)
            kind = state["Type"]
            if kind == "Fail":
                error = state.get("Error")
                if "ErrorPath" in state:
                    error = read_path(data, state["ErrorPath"])
                cause = state.get("Cause")
                if "CausePath" in state:
                    cause = read_path(data, state["CausePath"])
                raise StatesError(error, cause)
            if kind == "Succeed":
                data = read_path(data, state.get("InputPath", "$"))
                return read_path(data, state.get("OutputPath", "$"))
            if kind not in ("Task", "Parallel"):
                raise NotImplementedError(f"state type {kind}")

            try:
                data = self._run_state(state, data)
            except StatesError as err:
                catcher = next(
                    (c for c in state.get("Catch", []) if _matches(err.error, c["ErrorEquals"])),
                    None,
                )
                if catcher is None:
                    raise
                error_output = {"Error": err.error, "Cause": err.cause}
                data = write_path(data, catcher.get("ResultPath", "$"), error_output)
                name = catcher["Next"]
                continue

            if state.get("End"):
                return data
            name = state["Next"]

    def _run_state(self, state: dict[str, Any], raw_input: Any) -> Any:
        effective = read_path(raw_input, state.get("InputPath", "$"))
        if "Parameters" in state:
            effective = evaluate_template(state["Parameters"], effective)
        attempts: dict[int, int] = {}
        while True:
            try:
                result = self._execute(state, effective)
                break
            except StatesError as err:
                retriers = state.get("Retry", [])
                index = next(
                    (i for i, r in enumerate(retriers) if _matches(err.error, r["ErrorEquals"])),
                    None,
                )
                if index is None or attempts.get(index, 0) >= retriers[index].get("MaxAttempts", 3):
                    raise
                attempts[index] = attempts.get(index, 0) + 1
                self.history.append(f"retry {err.error}")
        if "ResultSelector" in state:
            result = evaluate_template(state["ResultSelector"], result)
        output = write_path(raw_input, state.get("ResultPath", "$"), result)
        return read_path(output, state.get("OutputPath", "$"))

    def _execute(self, state: dict[str, Any], effective: Any) -> Any:
        if state["Type"] == "Parallel":
            return [
                self._run_machine(branch, copy.deepcopy(effective)) for branch in state["Branches"]
            ]
        resource = state["Resource"]
        if FUNCTION_ARN.match(resource):
            return self.invoke(resource, effective)
        if resource != LAMBDA_INVOKE:
            raise NotImplementedError(f"resource {resource}")
        function = effective["FunctionName"]
        payload = effective.get("Payload")
        if effective.get("InvocationType") == "Event":
            # Asynchronous: the workflow never sees the function's result or error.
            try:
                self.invoke(function, payload)
            except StatesError:
                self.history.append("async invocation error ignored")
            return {"Payload": "", "StatusCode": 202}
        return {
            "Payload": self.invoke(function, payload),
            "StatusCode": 200,
            "ExecutedVersion": "$LATEST",
        }


def lambda_error(exc: BaseException) -> StatesError:
    """What the Lambda service reports for an unhandled Python exception."""
    name = type(exc).__name__
    cause = {"errorMessage": str(exc), "errorType": name, "stackTrace": []}
    return StatesError(name, json.dumps(cause))
