"""The integration catalog: one YAML file per rule in ``rules/``.

A rule says which handler behaviour it recognises (``match``), what replaces the function
(``integration``), what the replacement needs (``iam``), how its errors are named
(``error_prefix``) and why (``docs``). The packaged rules ship inside the wheel
(``lambdaslim/rules`` is a symlink to the top-level ``rules/`` folder); ``--rules DIR`` adds or
replaces rules by id.

The generic AWS SDK rule (LS109) covers every botocore operation. Its resource is
``arn:aws:states:::aws-sdk:<service>:<action>``, where ``<service>`` is the AWS SDK for Java v2
client name in lower case (boto3 ``stepfunctions`` -> ``sfn``, ``events`` -> ``eventbridge``,
``logs`` -> ``cloudwatchlogs``) and errors are named ``<ClientName>.<Exception>``
(``DynamoDb.ConditionalCheckFailedException``). The client name is derived from botocore's
``serviceId`` with the Java SDK's naming rule; the few names Step Functions publishes
differently are listed in ``_SDK_CLIENT_NAME_EXCEPTIONS``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.nodes import MappingNode, Node

from lambdaslim.analysis.sdk_model import service_model
from lambdaslim.catalog_files import digest, rule_sources
from lambdaslim.errors import LambdaslimError

DOCS_URL = "https://lambdaslim.dev/rules/{id}"
"""Where a rule's documentation lives; keyed by id because ids never change, names may."""

AWS_SDK_ARN = "arn:aws:states:::aws-sdk:{service}:{action}"
WILDCARD = "*"

CATEGORIES = (
    "transport",
    "decision",
    "query_decision",
    "http",
    "workflow_entry",
    "callback_channel",
)
API_STYLES = ("client", "resource", "pynamodb")
EXAMPLE_LANGUAGES = ("python", "json", "yaml")

# Categories whose ``match.services`` are boto3 client names (checked against botocore).
_SDK_CATEGORIES = frozenset({"transport", "query_decision", "workflow_entry", "callback_channel"})

_ID_RE = re.compile(r"^LS\d{3}$")
_NAME_RE = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$")

# Step Functions' table of AWS SDK integrations lists these exception prefixes where they differ
# from the Java SDK naming rule applied to botocore's serviceId.
_SDK_CLIENT_NAME_EXCEPTIONS: Mapping[str, str] = {"memorydb": "MemoryDB"}

# Actions Step Functions documents as unsupported for AWS SDK integrations of a supported
# service. Operations with event streams are unsupported too and are detected from the model.
_UNSUPPORTED_SDK_ACTIONS = frozenset(
    {
        ("comprehendmedical", "DetectEntities"),
        ("efs", "CreateTags"),
        ("elastictranscoder", "TestRole"),
        ("emr", "DescribeJobFlows"),
        ("iotdeviceadvisor", "ListTestCases"),
        ("lambda", "InvokeAsync"),
        ("mediapackage", "RotateChannelCredentials"),
        ("rds-data", "ExecuteSql"),
        ("shield", "DeleteSubscription"),
    }
)

_TOP_LEVEL_FIELDS = (
    "id",
    "name",
    "title",
    "category",
    "match",
    "integration",
    "iam",
    "error_prefix",
    "docs",
)


@dataclass(frozen=True)
class Rule:
    """One catalog entry.

    ``example_before`` and ``example_after`` are Markdown: one fenced code block per snippet
    (```` ```python ````, ```` ```json ```` for ASL, ```` ```yaml ```` for templates), so they
    render as-is in reports, SARIF help and the terminal.
    """

    id: str
    name: str
    title: str
    category: str
    services: tuple[str, ...]
    operations: tuple[str, ...]
    api_styles: tuple[str, ...]
    integration: str
    iam_actions: tuple[str, ...]
    resource_parameter: str | None
    error_prefix: str
    what_it_does: str
    why: str
    example_before: str
    example_after: str
    risks: tuple[str, ...]
    source: Path
    iam_resource_arn: str | None = None

    @property
    def url(self) -> str:
        return DOCS_URL.format(id=self.id)

    @property
    def is_generic_sdk(self) -> bool:
        """True for a transport rule that covers any service (the ``aws-sdk`` fallback)."""
        return self.category == "transport" and self.services == (WILDCARD,)


def _matches(rule: Rule, service: str, operation: str, api_style: str) -> bool:
    return (
        (WILDCARD in rule.services or service in rule.services)
        and (WILDCARD in rule.operations or operation in rule.operations)
        and (WILDCARD in rule.api_styles or api_style in rule.api_styles)
    )


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    digest: str

    def rule(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        known = ", ".join(r.id for r in self.rules)
        raise LambdaslimError(f"unknown rule {rule_id!r} (known rules: {known})")

    def match_sdk_call(self, service: str, operation: str, api_style: str) -> Rule | None:
        """The transport rule replacing ``service.operation`` called through ``api_style``.

        Optimized integrations win over the generic ``aws-sdk`` rule. Returns None when botocore
        does not know the operation, or when Step Functions cannot call it (event streams and
        the documented unsupported actions), so such a call keeps its function.
        """
        if not _operation_exists(service, operation):
            return None
        transport = [r for r in self.rules if r.category == "transport"]
        for rule in transport:
            if not rule.is_generic_sdk and _matches(rule, service, operation, api_style):
                return rule
        if not _sdk_action_supported(service, operation):
            return None
        for rule in transport:
            if rule.is_generic_sdk and _matches(rule, service, operation, api_style):
                return rule
        return None

    def for_category(self, category: str) -> Rule:
        """The single rule of a category (every category but ``transport`` has exactly one)."""
        found = [r for r in self.rules if r.category == category]
        if len(found) != 1:
            ids = ", ".join(r.id for r in found) or "none"
            raise LambdaslimError(
                f"category {category!r} has {len(found)} rules ({ids}); expected exactly one"
            )
        return found[0]

    def sdk_integration_arn(self, service: str, operation: str) -> str:
        if not _operation_exists(service, operation):
            raise LambdaslimError(f"botocore has no operation {service}.{operation}")
        return AWS_SDK_ARN.format(
            service=sdk_client_name(service).lower(), action=operation[0].lower() + operation[1:]
        )

    def sdk_error_prefix(self, service: str) -> str:
        return sdk_client_name(service) + "."


# --- botocore service models --------------------------------------------------------------


def _operation_exists(service: str, operation: str) -> bool:
    model = service_model(service)
    return model is not None and operation in model.operation_names


def _sdk_action_supported(service: str, operation: str) -> bool:
    if (service, operation) in _UNSUPPORTED_SDK_ACTIONS:
        return False
    model = service_model(service)
    assert model is not None  # callers check _operation_exists first
    op = model.operation_model(operation)
    return not (op.has_event_stream_input or op.has_event_stream_output)


def _split_words(text: str) -> list[str]:
    """Split a serviceId into words the way the AWS SDK for Java v2 code generator does."""
    text = re.sub(r"[^A-Za-z0-9]+", " ", text)
    text = re.sub(r"([^a-z]{2,})v([0-9]+)", r"\1 v\2 ", text)  # SESv2 -> SES v2
    text = re.sub(r"([^A-Z]{2,})V([0-9]+)", r"\1 V\2 ", text)  # GreengrassV2 -> Greengrass V2
    text = " ".join(re.split(r"(?<=[a-z])(?=[A-Z][a-zA-Z0-9])", text))  # CloudWatch -> Cloud Watch
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", text)  # XRay -> X Ray, FSx -> F Sx
    text = re.sub(r"([0-9])([a-zA-Z])", r"\1 \2", text)  # A2I -> A2 I
    return text.split()


def sdk_client_name(service: str) -> str:
    """The AWS SDK (Java v2) client name of a boto3 service: ``dynamodb`` -> ``DynamoDb``.

    Lower-cased, it is the service of an ``aws-sdk`` resource; as is, the prefix of its errors.
    """
    if service in _SDK_CLIENT_NAME_EXCEPTIONS:
        return _SDK_CLIENT_NAME_EXCEPTIONS[service]
    model = service_model(service)
    if model is None:
        raise LambdaslimError(f"botocore has no service {service!r}")
    service_id = model.metadata.get("serviceId") or model.endpoint_prefix
    name = "".join(word[:1].upper() + word[1:].lower() for word in _split_words(service_id))
    name = name.removeprefix("Amazon").removeprefix("Aws")
    return name.removesuffix("Service") or name


# --- loading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Document:
    """One parsed rule file: the data, and (composed only for an error) its node tree to point
    errors at lines."""

    path: Path
    data: Any
    text: str

    def line(self, field: str) -> int | None:
        """1-based line of ``field`` (dotted path), or of its nearest present parent."""
        node: Node | None = YAML(typ="safe", pure=True).compose(self.text)
        line = None
        for key in field.split("."):
            if not isinstance(node, MappingNode):
                break
            for key_node, value_node in node.value:
                if key_node.value == key:
                    line, node = key_node.start_mark.line + 1, value_node
                    break
            else:
                break
        return line

    def error(self, field: str, message: str) -> LambdaslimError:
        return LambdaslimError(f"rule field '{field}': {message}", self.path, self.line(field))


def _parse(path: Path, text: str) -> _Document:
    yaml = YAML(typ="safe", pure=True)
    try:
        return _Document(path, yaml.load(text), text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "invalid YAML"
        raise LambdaslimError(f"invalid YAML: {problem}", path, line) from exc


def _mapping(doc: _Document, value: Any, field: str, allowed: Iterable[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise doc.error(field, f"expected a mapping, got {type(value).__name__}")
    allowed = tuple(allowed)
    for key in value:
        if key not in allowed:
            where = f"{field}.{key}" if field else str(key)
            raise doc.error(where, f"unknown field (expected one of: {', '.join(allowed)})")
    return value


def _require(doc: _Document, mapping: dict[str, Any], key: str, parent: str) -> Any:
    if key not in mapping:
        raise doc.error(f"{parent}.{key}" if parent else key, "missing required field")
    return mapping[key]


def _string(doc: _Document, value: Any, field: str, *, empty: bool = False) -> str:
    if not isinstance(value, str):
        raise doc.error(field, f"expected a string, got {type(value).__name__}")
    if not empty and not value.strip():
        raise doc.error(field, "must not be empty")
    return value.strip()


def _optional_string(doc: _Document, value: Any, field: str) -> str | None:
    return None if value is None else _string(doc, value, field)


def _strings(doc: _Document, value: Any, field: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise doc.error(field, "expected a list of non-empty strings")
    if WILDCARD in value and len(value) > 1:
        raise doc.error(field, f"'{WILDCARD}' must be the only entry")
    if len(set(value)) != len(value):
        raise doc.error(field, "duplicate entries")
    return tuple(value)


def _example(doc: _Document, value: Any, field: str) -> str:
    """Turn ``{language: code, ...}`` into fenced Markdown blocks, in the file's order."""
    blocks = _mapping(doc, value, field, EXAMPLE_LANGUAGES)
    if not blocks:
        raise doc.error(field, f"expected at least one of: {', '.join(EXAMPLE_LANGUAGES)}")
    fenced = []
    for language, code in blocks.items():
        text = _string(doc, code, f"{field}.{language}")
        fenced.append(f"```{language}\n{text.strip()}\n```")
    return "\n\n".join(fenced)


def _check_match(
    doc: _Document, category: str, services: tuple[str, ...], operations: tuple[str, ...]
) -> None:
    if category == "transport" and not (services and operations):
        raise doc.error("match", "a transport rule must name services and operations")
    if category not in _SDK_CATEGORIES:
        return
    for service in services:
        if service == WILDCARD:
            continue
        if service_model(service) is None:
            raise doc.error("match.services", f"botocore has no service {service!r}")
        for operation in operations:
            if operation != WILDCARD and not _operation_exists(service, operation):
                raise doc.error(
                    "match.operations", f"botocore has no operation {service}.{operation}"
                )


def _check_integration(doc: _Document, category: str, services: tuple[str, ...], arn: str) -> None:
    if category in ("transport", "http") and not arn.startswith("arn:aws:states:::"):
        raise doc.error("integration", "expected a Step Functions resource 'arn:aws:states:::...'")
    if category == "transport" and services == (WILDCARD,) and arn != AWS_SDK_ARN:
        raise doc.error("integration", f"a rule for any service must use {AWS_SDK_ARN!r}")


def _rule_from(doc: _Document) -> Rule:
    top = _mapping(doc, doc.data, "", _TOP_LEVEL_FIELDS)
    for key in _TOP_LEVEL_FIELDS:
        _require(doc, top, key, "")

    rule_id = _string(doc, top["id"], "id")
    if not _ID_RE.match(rule_id):
        raise doc.error("id", f"{rule_id!r} does not look like LS followed by three digits")
    name = _string(doc, top["name"], "name")
    if not _NAME_RE.match(name):
        raise doc.error("name", f"{name!r} is not kebab-case (e.g. dynamodb-put-item-transport)")
    category = _string(doc, top["category"], "category")
    if category not in CATEGORIES:
        raise doc.error("category", f"{category!r} is not one of: {', '.join(CATEGORIES)}")

    match = _mapping(doc, top["match"], "match", ("services", "operations", "api_styles"))
    services = _strings(doc, _require(doc, match, "services", "match"), "match.services")
    operations = _strings(doc, _require(doc, match, "operations", "match"), "match.operations")
    styles = _strings(doc, _require(doc, match, "api_styles", "match"), "match.api_styles")
    for style in styles:
        if style != WILDCARD and style not in API_STYLES:
            raise doc.error("match.api_styles", f"{style!r} is not one of: {', '.join(API_STYLES)}")
    _check_match(doc, category, services, operations)

    integration = _string(doc, top["integration"], "integration")
    _check_integration(doc, category, services, integration)

    iam = _mapping(doc, top["iam"], "iam", ("actions", "resource_parameter", "resource_arn"))
    iam_actions = _strings(doc, _require(doc, iam, "actions", "iam"), "iam.actions")
    docs = _mapping(doc, top["docs"], "docs", ("what_it_does", "why", "example", "risks"))
    example = _mapping(
        doc, _require(doc, docs, "example", "docs"), "docs.example", ("before", "after")
    )
    return Rule(
        id=rule_id,
        name=name,
        title=_string(doc, top["title"], "title"),
        category=category,
        services=services,
        operations=operations,
        api_styles=styles,
        integration=integration,
        iam_actions=iam_actions,
        resource_parameter=_optional_string(
            doc, iam.get("resource_parameter"), "iam.resource_parameter"
        ),
        error_prefix=_string(doc, top["error_prefix"], "error_prefix", empty=True),
        what_it_does=_string(doc, _require(doc, docs, "what_it_does", "docs"), "docs.what_it_does"),
        why=_string(doc, _require(doc, docs, "why", "docs"), "docs.why"),
        example_before=_example(
            doc, _require(doc, example, "before", "docs.example"), "docs.example.before"
        ),
        example_after=_example(
            doc, _require(doc, example, "after", "docs.example"), "docs.example.after"
        ),
        risks=_strings(doc, docs.get("risks", []), "docs.risks"),
        source=doc.path,
        iam_resource_arn=_optional_string(doc, iam.get("resource_arn"), "iam.resource_arn"),
    )


def load_catalog(extra_dirs: Sequence[Path] = ()) -> Catalog:
    """The packaged rules, then each of ``extra_dirs`` in order; a later rule replaces an
    earlier one with the same id. Two files with the same id in one directory are an error.

    The digest is :func:`lambdaslim.catalog_files.catalog_digest`'s.
    """
    sources = rule_sources(extra_dirs)
    rules: dict[str, Rule] = {}
    for files in sources:
        seen: dict[str, Path] = {}
        for path, raw in files:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise LambdaslimError("rule file is not UTF-8 text", path) from exc
            doc = _parse(path, text)
            rule = _rule_from(doc)
            if rule.id in seen:
                raise doc.error("id", f"duplicate rule id {rule.id} (also in {seen[rule.id]})")
            seen[rule.id] = path
            rules[rule.id] = rule
    by_name: dict[str, Rule] = {}
    for rule in sorted(rules.values(), key=lambda r: r.id):
        if rule.name in by_name:
            other = by_name[rule.name]
            raise LambdaslimError(
                f"rule field 'name': {rule.name!r} is already used by {other.id} ({other.source})",
                rule.source,
            )
        by_name[rule.name] = rule
    return Catalog(rules=tuple(by_name.values()), digest=digest(sources))
