"""The VTL mapping templates of an API Gateway ``states:action/Start(Sync)Execution``
integration, rendered from the jinja2 templates in ``lambdaslim/templates``.

``RouteEdit.success_body`` is the body the replaced function answered, as a JSON-like value
whose dynamic parts are one-key objects:

* ``{"$context": "requestId"}``: an API Gateway context variable, written as a string;
* ``{"$input": "a.b"}``: a field of the request body. The response template only sees the
  Step Functions answer, so this reads the execution input StartSyncExecution returns (the
  body plus the request id field) and writes the value as a string (VTL cannot tell a number
  from a string there). StartExecution returns no input: such a body is refused.

Constants are written as Python's ``json.dumps`` writes them (``", "`` and ``": "``, non-ASCII
escaped), which is what a handler's ``json.dumps(body)`` returned; ``$`` and ``#`` in them are
written ``\\u0024``/``\\u0023`` so that VTL leaves them alone.
"""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import jinja2

from lambdaslim.errors import LambdaslimError
from lambdaslim.plan import RouteEdit

SYNC = "StartSyncExecution"
ACTIONS = frozenset({SYNC, "StartExecution"})
_CONTEXT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*(\.[A-Za-z][A-Za-z0-9]*)*")


def request_template(edit: RouteEdit) -> str:
    """The request mapping; ``${<Machine>}`` in it is for an ``Fn::Sub`` (the ARN)."""
    field = edit.request_id_field
    return _render(
        "start_execution_request.vtl.j2",
        action=edit.action,
        request_id_field=field,
        request_id_member=_request_id_member(field) if field else None,
        state_machine_arn="${" + edit.machine_id + "}",
    )


def response_template(edit: RouteEdit) -> str:
    return _render(
        "start_execution_response.vtl.j2",
        action=edit.action,
        success_status=edit.success_status,
        error_status=edit.error_status,
        success_body=success_body(edit.success_body, edit.action),
    )


def vtl_escape(expression: str) -> str:
    """VTL that writes ``expression`` escaped for the inside of a JSON string."""
    return f"$util.escapeJavaScript({expression}).replaceAll(\"\\\\'\", \"'\")"


def optional_string(expression: str) -> str:
    """VTL that writes ``expression`` as a JSON string, or ``null`` when it has no value."""
    return f'#if({expression})"{vtl_escape(expression)}"#{{else}}null#{{end}}'


def success_body(value: Any, action: str) -> str:
    """The success body as VTL (see the module docstring for the dynamic parts)."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("$context", "$input"):
        ((kind, name),) = value.items()
        return _dynamic(kind, name, action)
    if isinstance(value, dict):
        members = (
            f"{_constant(str(key))}: {success_body(item, action)}" for key, item in value.items()
        )
        return "{" + ", ".join(members) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(success_body(item, action) for item in value) + "]"
    return _constant(value)


def _dynamic(kind: str, name: Any, action: str) -> str:
    if kind == "$context":
        if not isinstance(name, str) or not _CONTEXT_NAME.fullmatch(name):
            raise LambdaslimError(f"response body: {name!r} is not an API Gateway context variable")
        return f'"{vtl_escape("$context." + name)}"'
    steps = str(name).split(".")
    if action != SYNC:
        raise LambdaslimError(
            f"response body: the request field {name!r} is not available to {action}'s response"
        )
    if not all(steps) or any("'" in step for step in steps):
        raise LambdaslimError(f"response body: {name!r} is not a field path")
    expression = "$util.parseJson($input.path('$.input'))" + "".join(
        f".get('{step}')" for step in steps
    )
    return optional_string(expression)


def _constant(value: Any) -> str:
    return _protect(json.dumps(value))


def _protect(json_text: str) -> str:
    """Hide VTL's ``$`` and ``#`` inside JSON strings (the only place JSON has them)."""
    return json_text.replace("$", "\\u0024").replace("#", "\\u0023")


def _request_id_member(field: str) -> str:
    r"""``"<field>":"$context.requestId"`` as it appears inside the ``input`` JSON string:
    ``\"requestId\":\"$context.requestId\"`` (request ids are UUIDs: nothing to escape)."""
    member = _protect(json.dumps(field)) + ':"$context.requestId"'
    return json.dumps(member)[1:-1]


def _render(name: str, **values: Any) -> str:
    return _environment().get_template(name).render(**values)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("lambdaslim", "templates"),
        autoescape=False,  # VTL, not HTML
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.globals.update(escape=vtl_escape, optional_string=optional_string)
    return environment
