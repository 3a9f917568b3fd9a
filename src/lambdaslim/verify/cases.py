"""Verification cases: one input and the world it runs in, read from ``cases/*.json``.

A case file::

    {
      "description": "optional",
      "input": {...},                         # the execution input
      "fixtures": {
        "http": [{"method": "GET", "url": "https://api.example.com/x", "query": {"q": "v"},
                  "responses": [{"status": 200, "json": {...}, "headers": {...}}]}],
        "aws": {"textract:AnalyzeDocument": [{"Return": {...}}, {"Throw": {"Error": "...",
                                                                            "Cause": "..."}}]},
        "tables": {"UsersTable": [{"id": "1", ...}]},      # by logical id, plain JSON items
        "objects": {"UploadBucket": {"key.png": "text or JSON value"}}
      },
      "expected": {...},                      # free-form, used by the comparison, not here
      "state_machine": "OrderFlow",           # optional: which machine, when the app has several
      "api_request": {"body": {...}, "requestId": "..."}  # optional: the API request that
    }                                         # starts it (``verify``'s API entry check)

HTTP responses are consumed in order per (method, URL, query); ``query``, when given, is the
query every matching request sends (values as strings), else any query matches. AWS answers are
consumed in order per operation. ``{"$file": "relative/path.json"}`` anywhere in a case stands
for the parsed content of that file, relative to the case file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lambdaslim.errors import LambdaslimError

_CASE_KEYS = frozenset(
    {"description", "input", "fixtures", "expected", "name", "state_machine", "api_request"}
)
_FIXTURE_KEYS = frozenset({"http", "aws", "tables", "objects"})


@dataclass(frozen=True)
class HttpResponse:
    """A canned response; ``body`` is the JSON value (``is_json``) or the text."""

    status: int
    headers: dict[str, str]
    body: Any
    is_json: bool

    def content(self) -> bytes:
        if self.is_json:
            return json.dumps(self.body).encode()
        return str(self.body).encode()

    def content_type(self) -> str:
        for name, value in self.headers.items():
            if name.lower() == "content-type":
                return value
        return "application/json" if self.is_json else "text/plain; charset=utf-8"


@dataclass(frozen=True)
class HttpFixture:
    method: str
    url: str
    responses: tuple[HttpResponse, ...]
    query: dict[str, str] | None = None


@dataclass(frozen=True)
class Fixtures:
    http: tuple[HttpFixture, ...] = ()
    aws: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    name: str
    path: Path | None
    input: Any
    fixtures: Fixtures = field(default_factory=Fixtures)
    expected: dict[str, Any] = field(default_factory=dict)
    description: str = ""
    state_machine: str | None = None
    api_request: dict[str, Any] | None = None


def load_cases(directory: str | Path) -> list[Case]:
    """Every ``*.json`` case directly in ``directory``, sorted by file name."""
    root = Path(directory)
    if not root.is_dir():
        raise LambdaslimError("cases directory not found", root)
    cases = [load_case(path) for path in sorted(root.glob("*.json"))]
    if not cases:
        raise LambdaslimError("no *.json case in the cases directory", root)
    return cases


def load_case(path: Path) -> Case:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise LambdaslimError(f"case is not valid JSON: {error.msg}", path, error.lineno) from None
    return case_from_dict(_with_files(document, path), path.stem, path)


def _with_files(node: Any, case_file: Path) -> Any:
    """Replace every ``{"$file": "x.json"}`` by the parsed file (relative to the case file)."""
    if isinstance(node, dict):
        if set(node) == {"$file"}:
            target = case_file.parent / str(node["$file"])
            try:
                return json.loads(target.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as error:
                raise LambdaslimError(f"$file {node['$file']}: {error}", case_file) from None
        return {key: _with_files(value, case_file) for key, value in node.items()}
    if isinstance(node, list):
        return [_with_files(item, case_file) for item in node]
    return node


def case_from_dict(document: Any, name: str, path: Path | None = None) -> Case:
    def fail(message: str) -> LambdaslimError:
        return LambdaslimError(f"case {name}: {message}", path)

    if not isinstance(document, dict):
        raise fail("a case is a JSON object")
    unknown = set(document) - _CASE_KEYS
    if unknown:
        raise fail(f"unknown keys {sorted(unknown)} (allowed: {sorted(_CASE_KEYS)})")
    if "input" not in document:
        raise fail("'input' is required")
    fixtures = document.get("fixtures") or {}
    if not isinstance(fixtures, dict) or set(fixtures) - _FIXTURE_KEYS:
        raise fail(f"'fixtures' is an object with keys among {sorted(_FIXTURE_KEYS)}")
    expected = document.get("expected") or {}
    if not isinstance(expected, dict):
        raise fail("'expected' is an object")
    state_machine = document.get("state_machine")
    if state_machine is not None and not isinstance(state_machine, str):
        raise fail("'state_machine' is a state machine's logical id")
    api_request = document.get("api_request")
    if api_request is not None and not isinstance(api_request, dict):
        raise fail("'api_request' is an object ('body', 'requestId')")
    return Case(
        name=str(document.get("name") or name),
        path=path,
        input=document["input"],
        fixtures=Fixtures(
            http=tuple(_http_fixture(item, fail) for item in _list(fixtures, "http", fail)),
            aws=_aws_fixtures(fixtures.get("aws") or {}, fail),
            tables=_tables(fixtures.get("tables") or {}, fail),
            objects=_objects(fixtures.get("objects") or {}, fail),
        ),
        expected=expected,
        description=str(document.get("description") or ""),
        state_machine=state_machine,
        api_request=api_request,
    )


def _list(mapping: dict[str, Any], key: str, fail: Any) -> list[Any]:
    value = mapping.get(key) or []
    if not isinstance(value, list):
        raise fail(f"'fixtures.{key}' is a list")
    return value


def _http_fixture(item: Any, fail: Any) -> HttpFixture:
    if not isinstance(item, dict) or not isinstance(item.get("url"), str):
        raise fail("each 'fixtures.http' entry has a 'url' string")
    responses = item.get("responses")
    if not isinstance(responses, list) or not responses:
        raise fail(f"http fixture {item['url']}: 'responses' is a non-empty list")
    query = item.get("query")
    if query is not None and not isinstance(query, dict):
        raise fail(f"http fixture {item['url']}: 'query' is an object")
    return HttpFixture(
        method=str(item.get("method", "GET")).upper(),
        url=item["url"],
        responses=tuple(_http_response(response, item["url"], fail) for response in responses),
        query=None if query is None else {str(k): str(v) for k, v in query.items()},
    )


def _http_response(response: Any, url: str, fail: Any) -> HttpResponse:
    if not isinstance(response, dict) or ("json" in response and "text" in response):
        raise fail(f"http fixture {url}: a response is an object with 'json' or 'text'")
    headers = response.get("headers") or {}
    if not isinstance(headers, dict):
        raise fail(f"http fixture {url}: 'headers' is an object")
    status = response.get("status", 200)
    if not isinstance(status, int) or not 100 <= status <= 599:
        raise fail(f"http fixture {url}: 'status' is an HTTP status code")
    is_json = "json" in response
    body = response["json"] if is_json else response.get("text", "")
    return HttpResponse(status, {str(k): str(v) for k, v in headers.items()}, body, is_json)


def _aws_fixtures(aws: Any, fail: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(aws, dict):
        raise fail("'fixtures.aws' maps 'service:Operation' to a list of answers")
    for key, answers in aws.items():
        if ":" not in key or not isinstance(answers, list):
            raise fail(f"'fixtures.aws.{key}': key 'service:Operation', value a list")
        for answer in answers:
            if not isinstance(answer, dict) or len(set(answer) & {"Return", "Throw"}) != 1:
                raise fail(f"'fixtures.aws.{key}': each answer has 'Return' or 'Throw'")
            throw = answer.get("Throw")
            if throw is not None and not (isinstance(throw, dict) and "Error" in throw):
                raise fail(f"'fixtures.aws.{key}': 'Throw' has 'Error' (and 'Cause')")
    return aws


def _tables(tables: Any, fail: Any) -> dict[str, list[dict[str, Any]]]:
    if not isinstance(tables, dict) or not all(
        isinstance(items, list) and all(isinstance(item, dict) for item in items)
        for items in tables.values()
    ):
        raise fail("'fixtures.tables' maps a table's logical id to a list of items")
    return tables


def _objects(objects: Any, fail: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(objects, dict) or not all(isinstance(v, dict) for v in objects.values()):
        raise fail("'fixtures.objects' maps a bucket's logical id to {key: content}")
    return objects
