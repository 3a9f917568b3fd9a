"""Terms as JSONPath fields, where JSONPath can say exactly the same thing.

``--query-language auto`` keeps a JSONPath machine in JSONPath: a replaced Task gets
``Parameters`` and ``ResultSelector``/``ResultPath``/``OutputPath`` when its arguments are
references, literals and ``States.Format`` text, and its output is one of the shapes those
fields can produce. Everything else returns None and the state is written in JSONata.
"""

from __future__ import annotations

import re
from typing import Any

from lambdaslim.rewrite.ir_terms import JSON_OF_OBJECT, JSON_OF_VALUE
from lambdaslim.rewrite.terms import Arr, Expr, Lit, Obj, Path, Ref, SetPath, Term, references

# Parameters that accept a JSON object, which Step Functions serialises itself.
OBJECT_BODIES = frozenset({"MessageBody", "Message", "Detail", "Input"})
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def path_text(path: Path, root: str = "$") -> str:
    text = root
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _NAME.fullmatch(part):
            text += f".{part}"
        else:
            text += "['" + part.replace("\\", "\\\\").replace("'", "\\'") + "']"
    return text


def _reference(term: Term, source: str) -> str | None:
    if isinstance(term, Ref) and term.base == source:
        return path_text(term.path)
    if isinstance(term, Ref) and term.base == "context":
        return path_text(term.path, "$$")
    return None


def jsonpath_parameters(term: Term, source: str = "input") -> dict[str, Any] | None:
    """A Parameters/ResultSelector template computing ``term`` from ``source``."""
    if not isinstance(term, Obj):
        return None
    template: dict[str, Any] = {}
    for key, item in term.items:
        field = _field(key, item, source)
        if field is None:
            return None
        template.update(field)
    return template


def _field(key: str, item: Term, source: str) -> dict[str, Any] | None:
    reference = _reference(item, source)
    if reference is not None:
        return {f"{key}.$": reference}
    if isinstance(item, Lit):
        if isinstance(item.value, str) and key.endswith(".$"):
            return None
        return {key: item.value}
    if isinstance(item, Obj):
        nested = jsonpath_parameters(item, source)
        return None if nested is None else {key: nested}
    if isinstance(item, Arr):
        members = [jsonpath_parameters(member, source) if isinstance(member, Obj) else
                   (member.value if isinstance(member, Lit) else None) for member in item.items]
        return None if any(m is None for m in members) else {key: members}
    if isinstance(item, Expr) and len(item.args) == 1 and item.template in (
        JSON_OF_OBJECT, JSON_OF_VALUE
    ):
        body = item.args[0]
        if key in OBJECT_BODIES and isinstance(body, Obj):
            # An object body: Step Functions serialises it (compactly; declared).
            nested = jsonpath_parameters(body, source)
            return None if nested is None else {key: nested}
        inner = _reference(body, source)
        if inner is None:
            return None
        return {f"{key}.$": f"States.JsonToString({inner})"}
    formatted = _format(item, source)
    return None if formatted is None else {f"{key}.$": formatted}


def _format(item: Term, source: str) -> str | None:
    """``a & b & c`` over text literals and references -> ``States.Format('..{}..', $.x)``."""
    if not isinstance(item, Expr) or not re.fullmatch(r"\{0\}( & \{\d+\})*", item.template):
        return None
    pattern, args = "", []
    for arg in item.args:
        if isinstance(arg, Lit) and isinstance(arg.value, str):
            pattern += re.sub(r"([\\'{}])", r"\\\1", arg.value)
            continue
        reference = _reference(arg, source)
        if reference is None:
            return None
        pattern += "{}"
        args.append(reference)
    return "States.Format(" + ", ".join([f"'{pattern}'", *args]) + ")"


def jsonpath_output(output: Term, *, pass_state: bool = False) -> dict[str, Any] | None:
    """ResultSelector/ResultPath/OutputPath (or a Pass state's fields) producing ``output``."""
    source = "input" if pass_state else "result"
    if output == Ref("input"):
        return {"ResultPath": None} if not pass_state else {}
    if isinstance(output, Ref) and output.base == "input":
        return {"ResultPath": None, "OutputPath": path_text(output.path)} if not pass_state \
            else {"InputPath": path_text(output.path)}
    if isinstance(output, SetPath) and output.base == Ref("input") and all(
        isinstance(p, str) for p in output.path
    ):
        shaped = _shaped(output.value, source)
        if shaped is not None:
            return {**shaped, "ResultPath": path_text(output.path)}
        return None
    if references(output) <= {source}:
        return _shaped(output, source)
    return None


def _shaped(value: Term, source: str) -> dict[str, Any] | None:
    if value == Ref(source):
        return {}
    key = "Parameters" if source == "input" else "ResultSelector"
    template = jsonpath_parameters(value, source)
    if template is not None:
        return {key: template}
    if isinstance(value, Lit) and isinstance(value.value, dict) and source == "input":
        return {"Result": value.value}
    return None
