"""The emulated world one application runs in for one case, fresh every time.

Entering :func:`emulated_world` pins fake credentials and the region (and hides any endpoint
override or user AWS configuration), starts moto with its Step Functions engine, installs every
interception (network guard, HTTP fixtures, AWS fixtures and in-process Lambda, EventBridge
capture, JSONata, engine additions), deploys the application's resources and seeds the case's
fixtures. Leaving it undoes all of that and drops moto's state. The world is process-wide
(environment variables, patched classes), so worlds are entered one at a time.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass

from moto import mock_aws

from lambdaslim.model import Application
from lambdaslim.verify.aws_calls import AwsAnswers, patched_aws_calls
from lambdaslim.verify.cases import Case
from lambdaslim.verify.cfn_values import REGION, StackValues
from lambdaslim.verify.event_capture import events_captured
from lambdaslim.verify.http_fixtures import HttpRouter, patched_transports
from lambdaslim.verify.json_path import json_path_fixed
from lambdaslim.verify.jsonata_bridge import jsonata_installed
from lambdaslim.verify.lambda_runtime import FunctionRuntime, environ_items_snapshotted
from lambdaslim.verify.network_guard import network_guard
from lambdaslim.verify.provisioning import deploy_state_machine, provision, seed
from lambdaslim.verify.recorder import Recorder
from lambdaslim.verify.sfn_engine import engine_patched

_ONE_WORLD_AT_A_TIME = threading.Lock()

_AWS_ENVIRONMENT = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_SECURITY_TOKEN": "testing",
    "AWS_DEFAULT_REGION": REGION,
    "AWS_REGION": REGION,
    "AWS_CONFIG_FILE": os.devnull,
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
    "AWS_EC2_METADATA_DISABLED": "true",
}
_HIDDEN_PREFIXES = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ROLE_ARN")


@dataclass
class World:
    app: Application
    case: Case
    stack: StackValues
    recorder: Recorder
    state_machine_arn: str


@contextlib.contextmanager
def emulated_world(app: Application, state_machine_id: str, case: Case) -> Iterator[World]:
    stack = StackValues(app)
    recorder = Recorder()
    runtime = FunctionRuntime(app, stack, recorder)
    router = HttpRouter(case.fixtures.http, recorder)
    answers = AwsAnswers(case.fixtures.aws, recorder)
    bus_ids = {
        stack.physical_name(logical_id): logical_id
        for logical_id, resource in app.resources.items()
        if resource.type == "AWS::Events::EventBus"
    }
    with _ONE_WORLD_AT_A_TIME, contextlib.ExitStack() as inside:
        inside.enter_context(_aws_environment())
        inside.enter_context(mock_aws(config={"stepfunctions": {"execute_state_machine": True}}))
        inside.enter_context(network_guard())
        inside.enter_context(patched_transports(router))
        inside.enter_context(patched_aws_calls(runtime, answers, recorder))
        inside.enter_context(events_captured(recorder, bus_ids))
        inside.enter_context(jsonata_installed())
        inside.enter_context(json_path_fixed())
        inside.enter_context(engine_patched(router))
        inside.enter_context(environ_items_snapshotted())
        inside.callback(runtime.close)
        provision(app, stack)
        arn = deploy_state_machine(app, stack, state_machine_id)
        seed(app, stack, case)
        yield World(app, case, stack, recorder, arn)


@contextlib.contextmanager
def _aws_environment() -> Iterator[None]:
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith(_HIDDEN_PREFIXES):
            del os.environ[key]
    os.environ.update(_AWS_ENVIRONMENT)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)
