"""What moto's Step Functions engine lacks, added at the one place it picks a task's service.

``state_task_factory.state_task_service_for(service_name)`` builds the service object of every
``arn:aws:states:::<service>:...`` task while a definition is parsed. :func:`engine_patched`
replaces it, for the life of a world, with a factory that adds:

- ``http`` (``arn:aws:states:::http:invoke``), which moto does not know: answered by the case's
  HTTP fixtures through :class:`StateTaskServiceHttp`; its error names
  (``States.Http.StatusCode.404``) are accepted in ``ErrorEquals`` although moto refuses any
  custom error name that starts with ``States.``;
- ``lambda`` with ``InvocationType`` kept: moto drops the parameter, so ``Event`` (asynchronous)
  invocations would run synchronously and their errors would fail the workflow.

``aws-sdk`` task errors are named ``<Service>.<Exception>`` with the service as the AWS SDK
names it (``Textract``, ``DynamoDb``, ``Sfn``, ``SecretsManager``): moto only knows two of them
and uses the lower-case ARN name for the rest.

It also takes the waiting out of the engine, as no observable depends on the clock: ``Wait``
states and the intervals between ``Retry`` attempts return at once instead of sleeping. And it
silences the engine's error log: a failing state is an observation here, and each log line
holds the ``repr`` of the whole program, which costs a large share of a failing run.

Lambda invocations themselves need no engine patch: the engine calls ``lambda:Invoke`` through a
boto3 client, which :mod:`lambdaslim.verify.aws_calls` answers in-process.
"""

from __future__ import annotations

import contextlib
import functools
import json
import re
from collections.abc import Iterator
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any, Final, cast
from unittest import mock
from urllib.parse import urlencode

import botocore.exceptions
import botocore.session
from moto.stepfunctions.parser.api import HistoryEventType, TaskFailedEventDetails
from moto.stepfunctions.parser.asl.component.common.error_name.custom_error_name import (
    CustomErrorName,
)
from moto.stepfunctions.parser.asl.component.common.error_name.error_name import ErrorName
from moto.stepfunctions.parser.asl.component.common.error_name.failure_event import FailureEvent
from moto.stepfunctions.parser.asl.component.common.retry import retrier_decl
from moto.stepfunctions.parser.asl.component.eval_component import EvalComponent
from moto.stepfunctions.parser.asl.component.state.exec.state_task import state_task_factory
from moto.stepfunctions.parser.asl.component.state.exec.state_task.credentials import (
    StateCredentials,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.resource import (
    ResourceRuntimePart,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service import (  # noqa: E501
    StateTaskService,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_aws_sdk import (  # noqa: E501
    StateTaskServiceAwsSdk,
)
from moto.stepfunctions.parser.asl.component.state.exec.state_task.service.state_task_service_lambda import (  # noqa: E501
    StateTaskServiceLambda,
)
from moto.stepfunctions.parser.asl.component.state.wait.wait_function.wait_function import (
    WaitFunction,
)
from moto.stepfunctions.parser.asl.eval.environment import Environment
from moto.stepfunctions.parser.asl.eval.event.event_detail import EventDetails

from lambdaslim.verify.http_fixtures import HttpRouter, UnansweredRequest, parse_body

_HTTP_PARAMETERS: Final = frozenset(
    {
        "ApiEndpoint",
        "Method",
        "Headers",
        "QueryParameters",
        "RequestBody",
        "Authentication",
        "Transform",
    }
)


class HttpTaskFailure(Exception):
    def __init__(self, error: str, cause: str):
        super().__init__(cause)
        self.error = error
        self.cause = cause


class StateTaskServiceHttp(StateTaskService):
    """``arn:aws:states:::http:invoke``: the request goes to the fixtures, never the network.

    Result: ``{"Headers": {name: [value]}, "ResponseBody": <JSON or text>, "StatusCode": int,
    "StatusText": str}``. A non-2xx status fails the task with ``States.Http.StatusCode.<code>``
    and that result, as JSON, for cause. ``Authentication.ConnectionArn`` is accepted and not
    used: the connection's credentials are a deployment concern, not an observable.
    """

    def __init__(self, router: HttpRouter):
        super().__init__()
        self._router = router

    def _get_supported_parameters(self) -> set[str] | None:
        return set(_HTTP_PARAMETERS)

    def _eval_service_task(
        self,
        env: Environment,
        resource_runtime_part: ResourceRuntimePart,
        normalised_parameters: dict,
        state_credentials: StateCredentials,
    ) -> None:
        parameters = normalised_parameters
        url = str(parameters["ApiEndpoint"])
        query = parameters.get("QueryParameters")
        if query:
            url += ("&" if "?" in url else "?") + urlencode(query, doseq=True)
        headers = {str(k): str(v) for k, v in (parameters.get("Headers") or {}).items()}
        body = _request_body(parameters, headers)
        try:
            answer = self._router.answer(str(parameters["Method"]), url, headers, body)
        except UnansweredRequest as error:
            raise HttpTaskFailure("States.Http.Socket", str(error)) from None
        result = {
            "Headers": {
                name.lower(): [value]
                for name, value in {"Content-Type": answer.content_type(), **answer.headers}.items()
            },
            "ResponseBody": parse_body(answer.content()) if answer.is_json else answer.body,
            "StatusCode": answer.status,
            "StatusText": HTTPStatus(answer.status).phrase,
        }
        if not 200 <= answer.status < 300:
            raise HttpTaskFailure(
                f"States.Http.StatusCode.{answer.status}", json.dumps(result, separators=(",", ":"))
            )
        env.stack.append(result)

    def _from_error(self, env: Environment, ex: Exception) -> FailureEvent:
        if not isinstance(ex, HttpTaskFailure):
            return super()._from_error(env=env, ex=ex)
        return FailureEvent(
            env=env,
            error_name=CustomErrorName(ex.error),
            event_type=HistoryEventType.TaskFailed,
            # moto's EventDetails TypedDict is total: only one detail is ever set.
            event_details=cast(
                EventDetails,
                {
                    "taskFailedEventDetails": TaskFailedEventDetails(
                        error=ex.error,
                        cause=ex.cause,
                        resource=self._get_sfn_resource(),
                        resourceType=self._get_sfn_resource_type(),
                    )
                },
            ),
        )


def _request_body(parameters: dict[str, Any], headers: dict[str, str]) -> str | None:
    body = parameters.get("RequestBody")
    if body is None:
        return None
    has_type = any(name.lower() == "content-type" for name in headers)
    encoding = (parameters.get("Transform") or {}).get("RequestBodyEncoding", "NONE")
    if encoding == "URL_ENCODED" and isinstance(body, dict):
        if not has_type:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        return urlencode(body, doseq=True)
    if isinstance(body, str):
        return body
    if not has_type:
        headers["Content-Type"] = "application/json"
    return json.dumps(body, separators=(",", ":"))


class StateTaskServiceLambdaAsync(StateTaskServiceLambda):
    """moto's ``lambda:invoke`` service, also passing ``InvocationType`` on to ``Invoke``."""

    def _get_supported_parameters(self) -> set[str] | None:
        supported = super()._get_supported_parameters()
        return None if supported is None else {*supported, "InvocationType"}


@functools.cache
def _sdk_service_error_name(service_name: str) -> str:
    """``Textract``, ``DynamoDb``, ``Ec2``: the service id in PascalCase, acronyms capitalised."""
    try:
        service_id = botocore.session.get_session().get_service_model(service_name).service_id
    except botocore.exceptions.UnknownServiceError:
        service_id = service_name
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", str(service_id))
    return "".join(word.capitalize() for word in words)


def _no_log(_component: EvalComponent, *_args: Any, **_kwargs: Any) -> None:
    return None


@contextlib.contextmanager
def engine_patched(router: HttpRouter) -> Iterator[None]:
    moto_factory = state_task_factory.state_task_service_for

    def state_task_service_for(service_name: str) -> StateTaskService:
        if service_name == "http":
            return StateTaskServiceHttp(router)
        if service_name == "lambda":
            return StateTaskServiceLambdaAsync()
        return moto_factory(service_name)

    def custom_error_name_init(name: CustomErrorName, error_name: str | None) -> None:
        if error_name is not None and error_name.startswith("States.Http."):
            ErrorName.__init__(name, error_name=error_name)
        else:
            moto_custom_error_name_init(name, error_name)

    moto_custom_error_name_init = CustomErrorName.__init__
    with (
        mock.patch.object(state_task_factory, "state_task_service_for", state_task_service_for),
        mock.patch.object(CustomErrorName, "__init__", custom_error_name_init),
        mock.patch.object(retrier_decl, "time", SimpleNamespace(sleep=lambda _seconds: None)),
        mock.patch.object(WaitFunction, "_wait_interval", lambda _self, _env, _seconds: None),
        mock.patch.object(EvalComponent, "_log_failure_event_exception", _no_log),
        mock.patch.object(EvalComponent, "_log_exception", _no_log),
        mock.patch.object(
            StateTaskServiceAwsSdk,
            "_normalise_service_error_name",
            staticmethod(_sdk_service_error_name),
        ),
    ):
        yield
