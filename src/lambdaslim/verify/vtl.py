"""API Gateway mapping templates (Velocity, VTL), rendered with airspeed and a small shim.

:func:`render` merges a template with the variables API Gateway gives a REST API mapping
template, as far as ``verify`` needs them:

- ``$input``: ``body`` (the raw body text), ``json(path)`` (the JSON text at a JSONPath),
  ``path(path)`` (the value at a JSONPath), ``params()`` (``{"path", "querystring", "header"}``)
  and ``params(name)`` (looked up in that order);
- ``$util``: ``escapeJavaScript`` (Apache Commons Lang 2 rules, like API Gateway: ``"``, ``\\``,
  ``/``, control characters, every non-ASCII character as ``\\uXXXX`` and ``'`` as ``\\'``, which
  is *not* valid in JSON: a template that escapes a body holding an apostrophe breaks there too),
  ``parseJson``, ``urlEncode``, ``urlDecode``, ``base64Encode``, ``base64Decode``;
- ``$context``: ``requestId``, ``extendedRequestId``, ``httpMethod``, ``resourcePath``, ``path``,
  ``stage``, ``apiId``, ``accountId``, ``protocol``, ``requestTime``, ``requestTimeEpoch``,
  ``identity.sourceIp``, ``identity.userAgent``, and ``responseOverride.status``/``header``
  (a template may ``#set`` them; the caller reads them back);
- ``$stageVariables``: empty.

Values read from the request behave like Java's: strings answer ``substring``, ``indexOf``,
``lastIndexOf``, ``replace``, ``replaceAll`` (Java regex and ``$1``), ``matches``, ``trim``,
``toLowerCase``, ``length``...; booleans render ``true``/``false``;
objects are maps (``get``, ``put``, ``keySet``, ``isEmpty``), arrays lists (``size``, ``get``).

JSONPath in ``json()``/``path()``: ``$``, ``.name``, ``['name']``, ``[index]``; no filters,
wildcards or recursive descent. A missing value is null, which Velocity renders as the
reference's own text (``$input.path('$.x')``), or empty with ``$!``.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field, replace
from typing import Any
from unittest import mock
from urllib.parse import quote_plus, unquote_plus

import airspeed

from lambdaslim.verify.cfn_values import ACCOUNT
from lambdaslim.verify.compare import ABSENT, parse_path

_NO_ESCAPES = re.compile(r"(?!)")


class TemplateFailure(Exception):
    """The template does not parse or does not render."""


class JavaString(str):
    """A string with the ``java.lang.String`` methods mapping templates use."""

    __slots__ = ()

    def substring(self, start: int, end: int | None = None) -> JavaString:
        return JavaString(self[start:end])

    def indexOf(self, text: str) -> int:
        return self.find(text)

    def lastIndexOf(self, text: str) -> int:
        return self.rfind(text)

    def trim(self) -> JavaString:
        return JavaString(self.strip())

    def toLowerCase(self) -> JavaString:
        return JavaString(self.lower())

    def toUpperCase(self) -> JavaString:
        return JavaString(self.upper())

    def equals(self, other: object) -> bool:
        return str(self) == other

    def isEmpty(self) -> bool:
        return not self

    def endsWith(self, suffix: str) -> bool:
        return self.endswith(suffix)

    def replace(self, old: str, new: str, count: int = -1) -> JavaString:  # type: ignore[override]
        return JavaString(str.replace(self, old, new, count))

    def replaceAll(self, pattern: str, replacement: str) -> JavaString:
        return JavaString(re.sub(pattern, _java_replacement(replacement), self))

    def matches(self, pattern: str) -> bool:
        return re.fullmatch(pattern, self) is not None

    def contains(self, text: str) -> bool:
        return text in self

    def startsWith(self, prefix: str) -> bool:
        return self.startswith(prefix)

    def length(self) -> int:
        return len(self)


def _java_replacement(text: str) -> str:
    """A ``java.util.regex`` replacement as Python's: ``$1`` is group 1, ``\\x`` is ``x``."""
    out = []
    for escaped, group, char in re.findall(r"\\(.)|\$(\d+)|(.)", text, re.S):
        out.append(f"\\g<{group}>" if group else (escaped or char).replace("\\", "\\\\"))
    return "".join(out)


class JavaBoolean:
    """A boolean that renders as Java does (``true``)."""

    def __init__(self, value: bool):
        self.value = value

    def __bool__(self) -> bool:
        return self.value

    def __eq__(self, other: object) -> bool:
        return bool(other) == self.value if isinstance(other, bool | JavaBoolean) else False

    def __hash__(self) -> int:
        return hash(self.value)

    def __str__(self) -> str:
        return "true" if self.value else "false"


def java_value(value: Any) -> Any:
    """A JSON value as a template sees it."""
    if isinstance(value, bool):
        return JavaBoolean(value)
    if isinstance(value, str):
        return JavaString(value)
    if isinstance(value, dict):
        return {key: java_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [java_value(item) for item in value]
    return value


def escape_javascript(text: Any) -> str:
    """``StringEscapeUtils.escapeJavaScript`` of Commons Lang 2, which API Gateway uses."""
    out = []
    for char in str(text):
        code = ord(char)
        if char in "\"'\\/":
            out.append("\\" + char)
        elif char in "\b\f\n\r\t":
            out.append({"\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}[char])
        elif code < 0x20 or code > 0x7F:
            out.append("".join(f"\\u{unit:04X}" for unit in _utf16_units(char)))
        else:
            out.append(char)
    return "".join(out)


def _utf16_units(char: str) -> list[int]:
    data = char.encode("utf-16-be")
    return [int.from_bytes(data[i : i + 2], "big") for i in range(0, len(data), 2)]


class _Util:
    def escapeJavaScript(self, text: Any) -> JavaString:
        return JavaString(escape_javascript(text))

    def parseJson(self, text: Any) -> Any:
        try:
            return java_value(json.loads(str(text)))
        except ValueError as error:
            raise TemplateFailure(f"$util.parseJson: not JSON: {error}") from None

    def urlEncode(self, text: Any) -> JavaString:
        return JavaString(quote_plus(str(text)))

    def urlDecode(self, text: Any) -> JavaString:
        return JavaString(unquote_plus(str(text)))

    def base64Encode(self, text: Any) -> JavaString:
        return JavaString(base64.b64encode(str(text).encode()).decode())

    def base64Decode(self, text: Any) -> JavaString:
        return JavaString(base64.b64decode(str(text)).decode("utf-8", "replace"))


class _Input:
    def __init__(self, request: Request):
        self._request = request
        self.body = JavaString(request.body)

    def _value(self, path: str) -> Any:
        segments = parse_path(str(path))
        if segments is None or "*" in segments:
            raise TemplateFailure(f"$input: JSONPath {path!r} is not supported by the shim")
        try:
            value = json.loads(self._request.body) if self._request.body else {}
        except ValueError:
            value = self._request.body
        for segment in segments:
            in_list = isinstance(value, list) and isinstance(segment, int) and segment < len(value)
            if not (in_list or (isinstance(value, dict) and segment in value)):
                return ABSENT
            value = value[segment]
        return value

    def json(self, path: str) -> JavaString:
        value = self._value(path)
        return JavaString(json.dumps(None if value is ABSENT else value, ensure_ascii=False))

    def path(self, path: str) -> Any:
        value = self._value(path)
        return None if value is ABSENT else java_value(value)

    def params(self, name: str | None = None) -> Any:
        request = self._request
        every = {
            "path": request.path_parameters,
            "querystring": request.query,
            "header": request.headers,
        }
        if name is None:
            return java_value(every)
        for group in every.values():
            if name in group:
                return JavaString(group[name])
        return None


@dataclass
class Request:
    """The API request a template is rendered for."""

    body: str
    request_id: str
    method: str = "POST"
    resource_path: str = "/"
    stage: str = "prod"
    api_id: str = "verify"
    headers: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    path_parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class Rendered:
    """The text a template produced, and the response overrides it set."""

    text: str
    status: int | None
    headers: dict[str, str]


def render(template: str, request: Request, body: str | None = None) -> Rendered:
    """Render ``template`` for ``request``; ``body`` replaces the request body as ``$input``
    (an integration response template reads the integration's answer there)."""
    context = {
        "requestId": request.request_id,
        "extendedRequestId": request.request_id,
        "httpMethod": request.method,
        "resourcePath": request.resource_path,
        "path": f"/{request.stage}{request.resource_path}",
        "stage": request.stage,
        "apiId": request.api_id,
        "accountId": ACCOUNT,
        "protocol": "HTTP/1.1",
        "requestTime": "01/Jan/2024:00:00:00 +0000",
        "requestTimeEpoch": 1704067200000,
        "identity": {"sourceIp": "192.0.2.1", "userAgent": "lambdaslim-verify"},
        "responseOverride": {"status": None, "header": {}},
    }
    source = request if body is None else replace(request, body=body)
    context_value = java_value(context)
    namespace = {
        "input": _Input(source),
        "util": _Util(),
        "context": context_value,
        "stageVariables": {},
    }
    try:
        # Velocity (API Gateway's) string literals have no backslash escapes: "\\'" stays
        # two characters, as in the idiom .replaceAll("\\'", "'"); airspeed would unescape it.
        with (
            mock.patch.object(airspeed.StringLiteral, "ESCAPED_CHAR", _NO_ESCAPES),
            mock.patch.object(airspeed.InterpolatedStringLiteral, "ESCAPED_CHAR", _NO_ESCAPES),
        ):
            text = airspeed.Template(template).merge(namespace)
    except TemplateFailure:
        raise
    except Exception as error:  # airspeed raises its own errors and whatever a call raises
        raise TemplateFailure(f"{type(error).__name__}: {error}") from None
    override = context_value["responseOverride"]
    status = override.get("status")
    return Rendered(
        text=text,
        status=None if status is None else int(str(status)),
        headers={str(k): str(v) for k, v in (override.get("header") or {}).items()},
    )
