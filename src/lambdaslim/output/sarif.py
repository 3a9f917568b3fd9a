"""``lambdaslim analyze --format sarif``: SARIF 2.1.0 for GitHub code scanning.

One run whose driver lists every catalog rule (its documentation as help, in Markdown), and one
result per replaceable function, located at the handler line that decides (the SDK call, the
guard, the HTTP request). Kept functions are ``note`` results only when asked (``--all``): they
are not problems, but a reviewer may want to see why each one stays. File paths are relative to
the folder the command ran in (the repository root in CI), as code scanning expects.
"""

from __future__ import annotations

import posixpath
from typing import Any

from lambdaslim import __version__
from lambdaslim.catalog import Catalog, Rule
from lambdaslim.classification import Analysis, FunctionVerdict
from lambdaslim.output.json_text import dumps_indented
from lambdaslim.rule_docs import rule_markdown

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://lambdaslim.dev"
KEEP_RULE_ID = "keep"
"""The pseudo-rule of kept functions: code scanning wants a rule id on every result."""

_KEEP_RULE: dict[str, Any] = {
    "id": KEEP_RULE_ID,
    "name": "function-kept",
    "shortDescription": {"text": "The function does work a direct integration cannot do"},
    "fullDescription": {
        "text": "lambdaslim keeps this function: its handler computes, loops, parses or calls "
                "something no Step Functions or API Gateway integration replaces exactly."
    },
    "defaultConfiguration": {"level": "note"},
    "properties": {"tags": ["lambdaslim", "keep"]},
}


def sarif_document(
    analysis: Analysis, catalog: Catalog, shown_root: str, *, include_kept: bool = False
) -> dict[str, Any]:
    rules = [_rule(rule) for rule in catalog.rules]
    if include_kept:
        rules.append(_KEEP_RULE)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = [
        _result(verdict, shown_root, index)
        for verdict in analysis.functions
        if verdict.replaced or include_kept
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "lambdaslim",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [result for result in results if result is not None],
            }
        ],
    }


def render_sarif(
    analysis: Analysis, catalog: Catalog, shown_root: str, *, include_kept: bool = False
) -> str:
    document = sarif_document(analysis, catalog, shown_root, include_kept=include_kept)
    return dumps_indented(document) + "\n"


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": " ".join(rule.what_it_does.split())},
        "helpUri": rule.url,
        "help": {"text": rule_markdown(rule), "markdown": rule_markdown(rule)},
        "defaultConfiguration": {"level": "warning"},
        "properties": {
            "tags": ["lambdaslim", rule.category],
            "precision": "high",
            "problem.severity": "recommendation",
        },
    }


def _result(
    verdict: FunctionVerdict, shown_root: str, index: dict[str, int]
) -> dict[str, Any] | None:
    reason = verdict.reasons[0] if verdict.reasons else None
    if reason is None or not reason.file:
        return None
    rule_id = verdict.rule_id if verdict.replaced and verdict.rule_id else KEEP_RULE_ID
    if rule_id not in index:
        return None
    region = {"startLine": reason.line} if reason.line else {}
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(shown_root, reason.file)}}
    if region:
        physical["region"] = region
    return {
        "ruleId": rule_id,
        "ruleIndex": index[rule_id],
        "level": "warning" if verdict.replaced else "note",
        "message": {"text": _message(verdict, reason.message)},
        "locations": [
            {
                "physicalLocation": physical,
                "logicalLocations": [{"name": verdict.function_id, "kind": "function"}],
            }
        ],
        "partialFingerprints": {"lambdaslimFunction/v1": f"{verdict.function_id}:{rule_id}"},
    }


def _message(verdict: FunctionVerdict, reason: str) -> str:
    if not verdict.replaced:
        return f"{verdict.function_id} is kept: {reason}."
    target = ", ".join(verdict.resources) or "the workflow itself"
    return (f"{verdict.function_id} can be replaced ({verdict.category}, {verdict.rule_id}): "
            f"{reason}. Replaced by {target}; `lambdaslim rewrite` does it.")


def _uri(shown_root: str, file: str) -> str:
    root = "" if shown_root in ("", ".") else shown_root
    return posixpath.normpath(posixpath.join(root.replace("\\", "/"), file))
