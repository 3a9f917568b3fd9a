"""Run one state machine of one application on one case and observe everything."""

from __future__ import annotations

import json
import re
import time

from moto.stepfunctions.parser.utils import TMP_THREADS

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application
from lambdaslim.verify import observe
from lambdaslim.verify.cases import Case
from lambdaslim.verify.observation import RunObservation
from lambdaslim.verify.provisioning import client
from lambdaslim.verify.world import emulated_world

EXECUTION_TIMEOUT_S = 120.0


def run_case(app: Application, state_machine_id: str, case: Case) -> RunObservation:
    """Start the state machine with the case's input in a fresh world; wait; observe."""
    if state_machine_id not in app.state_machines:
        raise LambdaslimError(
            f"no state machine {state_machine_id} in the application "
            f"(there are: {', '.join(sorted(app.state_machines)) or 'none'})"
        )
    started = time.perf_counter()
    with emulated_world(app, state_machine_id, case) as world:
        sfn = client("stepfunctions")
        execution_arn = sfn.start_execution(
            stateMachineArn=world.state_machine_arn,
            name=re.sub(r"[^A-Za-z0-9_-]", "-", f"case-{case.name}")[:80],
            input=json.dumps(case.input),
        )["executionArn"]
        _wait_for(execution_arn)
        observation = RunObservation(case=case.name, state_machine=state_machine_id, status="")
        recorder = world.recorder
        observation.events = dict(sorted(recorder.events.items()))
        observe.execution(observation, execution_arn)
        observe.resources(observation, app, world.stack)
        observation.lambda_invocations = dict(sorted(recorder.lambda_invocations.items()))
        observation.async_invocations = recorder.async_invocations
        observation.http_requests = recorder.http_requests
        observation.aws_fixture_calls = recorder.aws_fixture_calls
        observation.websocket_posts = recorder.websocket_posts
        observation.logs = {name: log.getvalue() for name, log in sorted(recorder.logs.items())}
    observation.duration_s = round(time.perf_counter() - started, 3)
    return observation


def _wait_for(execution_arn: str) -> None:
    """moto runs a standard execution on a thread of its own (kept in ``TMP_THREADS``): join it."""
    deadline = time.monotonic() + EXECUTION_TIMEOUT_S
    sfn = client("stepfunctions")
    while sfn.describe_execution(executionArn=execution_arn)["status"] == "RUNNING":
        alive = [thread for thread in TMP_THREADS if thread.is_alive()]
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise LambdaslimError(
                f"execution {execution_arn} still running after {EXECUTION_TIMEOUT_S:.0f} s"
            )
        if alive:
            alive[-1].join(timeout=remaining)
        else:
            time.sleep(0.01)
    # A failed Parallel leaves its other branches' threads running their current state (as AWS
    # lets an in-flight task finish): wait for them, so that what they do is observed in this
    # world and never leaks into the next one.
    for thread in [thread for thread in TMP_THREADS if thread.is_alive()]:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
