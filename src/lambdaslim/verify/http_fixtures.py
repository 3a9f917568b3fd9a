"""Third-party HTTP answered from the case's ``fixtures.http``, for handlers and workflows alike.

Handlers reach the router through their HTTP library's transport (``requests``' adapter,
``urllib3``'s connection pool, ``httpx``'s transports, patched by :func:`patched_transports`);
the workflow's HTTP Task calls :meth:`HttpRouter.answer` directly. Both sides of a verification
therefore see the same responses and leave the same request record. A request no fixture
answers raises :class:`UnansweredRequest`, which fails the handler or the task.
"""

from __future__ import annotations

import contextlib
import io
import json
import threading
from collections.abc import Iterator, Mapping
from http import HTTPStatus
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests
import urllib3

from lambdaslim.verify.cases import HttpFixture, HttpResponse
from lambdaslim.verify.recorder import Recorder

# Headers HTTP clients add on their own; left out of the record so that a handler's ``requests``
# call and a workflow's HTTP Task making the same request leave the same record.
_TRANSPORT_HEADERS = frozenset(
    {"user-agent", "accept-encoding", "accept", "connection", "content-length", "host"}
)


class UnansweredRequest(Exception):
    """An HTTP request the case's fixtures do not answer (or no longer answer)."""


class HttpRouter:
    def __init__(self, fixtures: tuple[HttpFixture, ...], recorder: Recorder):
        self._fixtures = fixtures
        self._used: dict[int, int] = {}
        self._recorder = recorder
        self._lock = threading.Lock()

    def answer(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
    ) -> HttpResponse:
        method = method.upper()
        self._recorder.append("http_requests", _request_record(method, url, headers, body))
        with self._lock:
            for index, fixture in enumerate(self._fixtures):
                if fixture.method == method and _same_url(fixture, url):
                    used = self._used.get(index, 0)
                    if used < len(fixture.responses):
                        self._used[index] = used + 1
                        return fixture.responses[used]
        raise UnansweredRequest(
            f"no HTTP fixture answers {method} {url} (the emulated world never reaches the "
            "network: add a response to the case's fixtures.http)"
        )


def _same_url(fixture: HttpFixture, url: str) -> bool:
    """Same scheme, host and path (trailing ``/`` aside); the same query when the fixture
    gives one (in its ``query`` or in its URL), any query otherwise."""
    want, got = urlsplit(fixture.url), urlsplit(url)
    if (want.scheme, want.netloc, want.path.rstrip("/")) != (
        got.scheme,
        got.netloc,
        got.path.rstrip("/"),
    ):
        return False
    expected = sorted(parse_qsl(want.query)) + sorted((fixture.query or {}).items())
    if not expected:
        return True
    return sorted(expected) == sorted(parse_qsl(got.query, keep_blank_values=True))


def _request_record(
    method: str, url: str, headers: Mapping[str, str], body: bytes | str | None
) -> dict[str, Any]:
    parts = urlsplit(url)
    query: dict[str, Any] = {}
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query.setdefault(key, []).append(value)
    return {
        "method": method,
        "url": urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")),
        "query": {k: v[0] if len(v) == 1 else v for k, v in sorted(query.items())},
        "headers": {
            k.lower(): str(v)
            for k, v in sorted(headers.items())
            if k.lower() not in _TRANSPORT_HEADERS
        },
        "body": parse_body(body),
    }


def parse_body(body: bytes | str | None) -> Any:
    """JSON when the body parses as JSON, else the text; None when empty."""
    if body is None or body in (b"", ""):
        return None
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    try:
        return json.loads(text)
    except ValueError:
        return text


@contextlib.contextmanager
def patched_transports(router: HttpRouter) -> Iterator[None]:
    """Route ``requests``, ``urllib3`` and (when installed) ``httpx`` traffic to the router."""

    def requests_send(
        adapter: requests.adapters.HTTPAdapter, request: requests.PreparedRequest, **_: Any
    ) -> requests.Response:
        answer = router.answer(
            str(request.method), str(request.url), dict(request.headers), request.body
        )
        response = requests.Response()
        response.status_code = answer.status
        response.headers.update({"Content-Type": answer.content_type(), **answer.headers})
        response._content = answer.content()
        response.url = str(request.url)
        response.request = request
        response.encoding = "utf-8"
        response.reason = _reason(answer.status)
        return response

    def urllib3_urlopen(
        pool: urllib3.HTTPConnectionPool,
        method: str,
        url: str,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
        **_: Any,
    ) -> urllib3.HTTPResponse:
        full_url = url
        if url.startswith("/"):
            port = f":{pool.port}" if pool.port not in (None, 80, 443) else ""
            full_url = f"{pool.scheme}://{pool.host}{port}{url}"
        answer = router.answer(method, full_url, dict(headers or {}), body)
        return urllib3.HTTPResponse(
            body=io.BytesIO(answer.content()),
            headers={"Content-Type": answer.content_type(), **answer.headers},
            status=answer.status,
            reason=_reason(answer.status),
            preload_content=False,
        )

    with contextlib.ExitStack() as stack:
        stack.enter_context(mock.patch.object(requests.adapters.HTTPAdapter, "send", requests_send))
        stack.enter_context(
            mock.patch.object(urllib3.connectionpool.HTTPConnectionPool, "urlopen", urllib3_urlopen)
        )
        stack.enter_context(_patched_httpx(router))
        yield


@contextlib.contextmanager
def _patched_httpx(router: HttpRouter) -> Iterator[None]:
    try:
        import httpx
    except ImportError:
        httpx = None
    if httpx is None:
        yield
        return

    def respond(request: Any) -> Any:
        answer = router.answer(
            request.method, str(request.url), dict(request.headers), request.read()
        )
        return httpx.Response(
            answer.status,
            headers={"Content-Type": answer.content_type(), **answer.headers},
            content=answer.content(),
            request=request,
        )

    async def respond_async(_transport: Any, request: Any) -> Any:
        return respond(request)

    with (
        mock.patch.object(httpx.HTTPTransport, "handle_request", lambda _t, r: respond(r)),
        mock.patch.object(httpx.AsyncHTTPTransport, "handle_async_request", respond_async),
    ):
        yield


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
