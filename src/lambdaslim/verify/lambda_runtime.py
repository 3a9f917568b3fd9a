"""Lambda functions run in-process: the real Python handler, imported and called like Lambda does.

moto's own Lambda needs Docker, so every invocation (from a workflow task, an ``aws-sdk`` task or
a handler's ``boto3`` client) lands in :meth:`FunctionRuntime.invoke` instead. Each function is
imported once per world under its own module name, with its code directory first on
``sys.path`` only while importing, and with its environment (template values resolved to the
emulated stack) set while importing and while each call runs. Invocations are serialised: the
environment and ``sys.stdout`` are process-wide, and Lambda instances share nothing anyway.

What Lambda does and this reproduces: the event is the JSON payload; the result is marshalled
to JSON (``Decimal`` becomes a float, as the Python runtime's encoder does); an exception becomes
``FunctionError: Unhandled`` with the payload ``{"errorMessage", "errorType", "stackTrace"}``;
an ``Event`` invocation answers 202 at once and its error never reaches the caller.
"""

from __future__ import annotations

import contextlib
import decimal
import importlib.util
import io
import json
import os
import sys
import threading
import time
import traceback
import uuid
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any
from unittest import mock

from lambdaslim.model import Application, Function
from lambdaslim.verify.cfn_values import ACCOUNT, REGION, StackValues
from lambdaslim.verify.recorder import Recorder
from lambdaslim.verify.reproducible import reproducible

_REQUEST_ID_NAMESPACE = uuid.UUID("6f0b7c1e-3d2a-4f7e-9a57-6c1a0e5d9b10")


class LambdaContext:
    """The ``context`` argument of a handler (the attributes Lambda's Python runtime sets)."""

    def __init__(self, function: Function, name: str, request_id: str):
        self.function_name = name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"
        self.memory_limit_in_mb = function.memory_mb or 128
        self.aws_request_id = request_id
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "2024/01/01/[$LATEST]verify"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + (function.timeout_s or 3)

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


class _LogSink(io.TextIOBase):
    """``sys.stdout``/``sys.stderr`` while handler code runs.

    Loggers (powertools binds its stream when the first ``Logger()`` of a service is made, and
    keeps it for the life of the process) write here, and the text goes to the log buffer of the
    function running now, whatever world it belongs to.
    """

    target: io.StringIO | None = None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self.target is not None:
            self.target.write(text)
        return len(text)


_LOG_SINK = _LogSink()


@contextlib.contextmanager
def environ_items_snapshotted() -> Iterator[None]:
    """Make ``os.environ.items()`` a snapshot taken at once, while a world runs.

    Handlers run with their function's variables set in ``os.environ`` and removed afterwards,
    and the engine runs some of them (asynchronous invocations, a task's own thread) while
    another thread iterates the environment: botocore does, for proxies, each time it makes a
    client. ``os.environ.items()`` lists the keys first and reads each afterwards, so a key
    removed in between raised ``KeyError`` in the engine, a ``States.Runtime`` failure of a
    workflow that did nothing wrong (seen under CPU load, about one run in ten). Copying the
    underlying dict is atomic in CPython.
    """

    def items(environ: Any) -> list[tuple[str, str]]:
        return [(environ.decodekey(key), environ.decodevalue(value))
                for key, value in dict(environ._data).items()]

    with mock.patch.object(type(os.environ), "items", items):
        yield


class FunctionRuntime:
    def __init__(self, app: Application, stack: StackValues, recorder: Recorder):
        self._functions = app.functions
        self._stack = stack
        self._recorder = recorder
        self._by_name: dict[str, str] = {}
        for logical_id in app.functions:
            self._by_name[logical_id] = logical_id
            self._by_name[stack.physical_name(logical_id)] = logical_id
        self._modules: dict[str, ModuleType] = {}
        self._lock = threading.RLock()

    def function_id(self, reference: str) -> str | None:
        """The logical id for a function name, ARN or partial ARN (qualifier ignored)."""
        name = reference.split("function:", 1)[1] if "function:" in reference else reference
        return self._by_name.get(name.split(":", 1)[0])

    def invoke(self, reference: str, payload: bytes, asynchronous: bool = False) -> dict[str, Any]:
        """Invoke like ``lambda:Invoke``: a boto-like response with ``Payload`` as bytes."""
        function_id = self.function_id(reference)
        if function_id is None:
            raise KeyError(reference)
        event = json.loads(payload) if payload else {}
        with self._lock:
            self._recorder.lambda_invocations[function_id] += 1
            count = self._recorder.lambda_invocations[function_id]
            result, error = self._call(function_id, event, count)
        if asynchronous:
            self._recorder.append(
                "async_invocations",
                {
                    "function": function_id,
                    "payload": event,
                    "error": error["errorType"] if error else None,
                },
            )
            return {"StatusCode": 202, "Payload": b""}
        response: dict[str, Any] = {"StatusCode": 200, "ExecutedVersion": "$LATEST"}
        if error is not None:
            response["FunctionError"] = "Unhandled"
            response["Payload"] = json.dumps(error).encode()
        else:
            response["Payload"] = result
        return response

    def close(self) -> None:
        for module in self._modules.values():
            sys.modules.pop(module.__name__, None)

    # -- one call --------------------------------------------------------------------------------

    def _call(self, function_id: str, event: Any, count: int) -> tuple[bytes, dict | None]:
        function = self._functions[function_id]
        name = self._stack.physical_name(function_id)
        request_id = str(uuid.uuid5(_REQUEST_ID_NAMESPACE, f"{function_id}:{count}"))
        with self._environment(function, name), self._logs(function_id):
            try:
                handler = self._handler(function_id, function)
            except _InitError as error:
                return b"", error.payload
            context = LambdaContext(function, name, request_id)
            try:
                with reproducible(self._modules.get(function_id), function_id, count):
                    result = handler(event, context)
            except Exception as exc:
                return b"", _error_payload(exc, type(exc).__name__, str(exc))
        try:
            return json.dumps(result, default=_decimal_as_float).encode(), None
        except (TypeError, ValueError) as exc:
            message = f"Unable to marshal response: {exc}"
            return b"", {"errorMessage": message, "errorType": "Runtime.MarshalError"}

    def _handler(self, function_id: str, function: Function) -> Callable[[Any, Any], Any]:
        if not function.is_python or function.source_file is None:
            raise _InitError(
                "Lambdaslim.UnsupportedRuntime",
                f"{function_id}: only Python handlers run in the emulated world "
                f"(runtime {function.runtime}, handler {function.handler})",
            )
        module = self._modules.get(function_id) or self._import(function_id, function)
        handler = getattr(module, function.handler_function or "", None)
        if not callable(handler):
            raise _InitError(
                "Runtime.HandlerNotFound",
                f"Handler '{function.handler_function}' missing on module "
                f"'{Path(function.source_file).stem}'",
            )
        return handler

    def _import(self, function_id: str, function: Function) -> ModuleType:
        source = Path(str(function.source_file))
        code_dir = Path(function.code_dir or source.parent)
        module_name = f"lambdaslim_verify_{function_id}_{id(self):x}"
        spec = importlib.util.spec_from_file_location(module_name, source)
        if spec is None or spec.loader is None:
            raise _InitError("Runtime.ImportModuleError", f"Unable to import module {source}")
        module = importlib.util.module_from_spec(spec)
        before = set(sys.modules)
        sys.modules[module_name] = module
        sys.path.insert(0, str(code_dir))
        try:
            spec.loader.exec_module(module)
        except ImportError as exc:
            sys.modules.pop(module_name, None)
            message = f"Unable to import module '{source.stem}': {exc}"
            raise _InitError("Runtime.ImportModuleError", message, exc) from None
        except SyntaxError as exc:
            sys.modules.pop(module_name, None)
            raise _InitError("Runtime.UserCodeSyntaxError", str(exc), exc) from None
        except Exception as exc:
            sys.modules.pop(module_name, None)
            raise _InitError(type(exc).__name__, str(exc), exc) from None
        finally:
            sys.path.remove(str(code_dir))
            _forget_local_modules(before, code_dir)
        self._modules[function_id] = module
        return module

    @contextlib.contextmanager
    def _environment(self, function: Function, name: str) -> Iterator[None]:
        values = {
            key: _env_text(self._stack.value(value)) for key, value in function.environment.items()
        }
        values.setdefault("POWERTOOLS_SERVICE_NAME", function.logical_id)
        values.update(
            {
                "POWERTOOLS_TRACE_DISABLED": "1",
                "AWS_LAMBDA_FUNCTION_NAME": name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory_mb or 128),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{name}",
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "LAMBDA_TASK_ROOT": str(function.code_dir or ""),
                "_HANDLER": function.handler or "",
            }
        )
        saved = {key: os.environ.get(key) for key in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for key, old in saved.items():
                if old is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = old

    @contextlib.contextmanager
    def _logs(self, function_id: str) -> Iterator[None]:
        previous = _LOG_SINK.target
        _LOG_SINK.target = self._recorder.log(function_id)
        try:
            with contextlib.redirect_stdout(_LOG_SINK), contextlib.redirect_stderr(_LOG_SINK):
                yield
        finally:
            _LOG_SINK.target = previous


class _InitError(Exception):
    """The function could not be initialised; ``payload`` is the Lambda error it answers with."""

    def __init__(self, error_type: str, message: str, cause: BaseException | None = None):
        super().__init__(message)
        self.payload = _error_payload(cause, error_type, message)


def _error_payload(exc: BaseException | None, error_type: str, message: str) -> dict[str, Any]:
    frames = traceback.extract_tb(exc.__traceback__)[1:] if exc is not None else []
    return {
        "errorMessage": message,
        "errorType": error_type,
        "stackTrace": traceback.format_list(frames),
    }


def _decimal_as_float(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _env_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Mapping | list):
        return json.dumps(value)
    return "" if value is None else str(value)


def _forget_local_modules(before: set[str], code_dir: Path) -> None:
    """Drop modules a handler imported from its own code directory (``utils``, ``models``...)
    from ``sys.modules``, so the next function's own ``utils`` is not shadowed by this one."""
    for name in set(sys.modules) - before:
        file = getattr(sys.modules[name], "__file__", None)
        if file and Path(file).is_relative_to(code_dir) and not name.startswith("lambdaslim_"):
            del sys.modules[name]
