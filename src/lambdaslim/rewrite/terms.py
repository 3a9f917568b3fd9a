"""Symbolic JSON values, for composing a state's data flow with what a handler did.

A replaced Task must produce exactly the output the Lambda task produced, as a function of the
state's input and of the new integration's result. Both are unknown until run time, so the
rewrite computes with *terms*: references into ``$states.input`` / ``$states.result`` / a
variable, literals, object and array constructors, "this value with that path set", and opaque
JSONata expressions. Reading a path out of a term simplifies where it can (a path into an object
literal is the literal's member), so composed data flows stay small and readable.

Terms render to JSONata (``render``), and the simple ones to JSONPath (see
``jsonpath_render``), which is how ``--query-language auto`` keeps JSONPath where it can.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

PathPart = str | int
Path = tuple[PathPart, ...]


@dataclass(frozen=True)
class Ref:
    """A path into a run-time value: ``input`` (the state's input), ``result`` (the
    integration's result), ``context`` (the context object) or ``var:<name>`` (a variable)."""

    base: str
    path: Path = ()


@dataclass(frozen=True)
class Lit:
    """A JSON literal."""

    value: Any


@dataclass(frozen=True)
class Obj:
    items: tuple[tuple[str, Term], ...]


@dataclass(frozen=True)
class Arr:
    items: tuple[Term, ...]


@dataclass(frozen=True)
class SetPath:
    """``base`` with ``value`` at ``path`` (what a ResultPath or ``event["x"] = ...`` does)."""

    base: Term
    path: Path
    value: Term


@dataclass(frozen=True)
class Expr:
    """An opaque JSONata expression over other terms: ``template`` holds ``{0}``, ``{1}``...
    placeholders for ``args`` (rendered in parentheses)."""

    template: str
    args: tuple[Term, ...] = ()


Term = Ref | Lit | Obj | Arr | SetPath | Expr


def get(term: Term, path: Path) -> Term:
    """The term for ``term`` read at ``path`` (Python ``value[a][b]``)."""
    if not path:
        return term
    if isinstance(term, Ref):
        return Ref(term.base, term.path + path)
    if isinstance(term, Obj) and isinstance(path[0], str):
        for key, value in term.items:
            if key == path[0]:
                return get(value, path[1:])
        return Lit(None)
    if isinstance(term, Arr) and isinstance(path[0], int) and -len(term.items) <= path[0] < len(
        term.items
    ):
        return get(term.items[path[0]], path[1:])
    if isinstance(term, Lit) and isinstance(term.value, dict | list):
        try:
            return get(Lit(term.value[path[0]]), path[1:])  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return Lit(None)
    if isinstance(term, SetPath):
        shared = _common_prefix(term.path, path)
        if shared == len(term.path):
            return get(term.value, path[shared:])
        if shared == len(path):
            return SetPath(get(term.base, path), term.path[shared:], term.value)
        return get(term.base, path)  # the paths part ways: the set value is not read
    return Expr("{0}" + _jsonata_path(path), (term,))


def set_path(base: Term, path: Path, value: Term) -> Term:
    """``base`` with ``value`` at ``path``; an empty path replaces the whole value."""
    if not path:
        return value
    if get(base, path) == value:
        return base  # setting a value to itself (ResultPath "$.a" of what InputPath "$.a" read)
    if isinstance(base, Obj) and isinstance(path[0], str):
        items = list(base.items)
        for index, (key, old) in enumerate(items):
            if key == path[0]:
                items[index] = (key, set_path(old, path[1:], value))
                return Obj(tuple(items))
        if len(path) == 1:
            return Obj((*items, (path[0], value)))
    return SetPath(base, path, value)


def references(term: Term) -> set[str]:
    """The run-time bases a term reads (``input``, ``result``, ``var:x``...)."""
    if isinstance(term, Ref):
        return {term.base}
    found: set[str] = set()
    for child in _children(term):
        found |= references(child)
    return found


def _children(term: Term) -> tuple[Term, ...]:
    if isinstance(term, Obj):
        return tuple(v for _, v in term.items)
    if isinstance(term, Arr):
        return term.items
    if isinstance(term, SetPath):
        return (term.base, term.value)
    if isinstance(term, Expr):
        return term.args
    return ()


def _common_prefix(a: Path, b: Path) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


# ---- JSONata rendering -------------------------------------------------------------------

_BASES = {"input": "$states.input", "result": "$states.result", "context": "$states.context",
          "error": "$states.errorOutput"}
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Only {0}, {1}...: JSONata's own braces (object constructors, function bodies) stay as written.
_PLACEHOLDER = re.compile(r"\{(\d+)\}")


def _jsonata_path(path: Path) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif _NAME.fullmatch(part):
            text += f".{part}"
        else:
            text += ".`" + part.replace("`", "``") + "`"
    return text


def render(term: Term) -> str:
    """The JSONata expression (without ``{% %}``) computing ``term``."""
    if isinstance(term, Ref):
        base = _BASES.get(term.base) or "$" + term.base.removeprefix("var:")
        return base + _jsonata_path(term.path)
    if isinstance(term, Lit):
        return json.dumps(term.value, ensure_ascii=False, separators=(", ", ": "))
    if isinstance(term, Obj):
        members = ", ".join(
            f"{json.dumps(k, ensure_ascii=False)}: {render(v)}" for k, v in term.items
        )
        return "{" + members + "}"
    if isinstance(term, Arr):
        return "[" + ", ".join(render(item) for item in term.items) + "]"
    if isinstance(term, SetPath):
        return _render_set(term.base, term.path, term.value)
    rendered = [_operand(arg) for arg in term.args]
    return _PLACEHOLDER.sub(lambda m: rendered[int(m.group(1))], term.template)


_CALL = re.compile(r"\$[A-Za-z]+\(\{0\}\)")


def _operand(term: Term) -> str:
    """``term`` rendered as an operand: in parentheses unless it is atomic."""
    text = render(term)
    atomic = isinstance(term, Ref | Lit | Obj | Arr) or (
        isinstance(term, Expr) and _CALL.fullmatch(term.template) is not None
    )
    return text if atomic else f"({text})"


def _render_set(base: Term, path: Path, value: Term) -> str:
    head = path[0]
    inner = value if len(path) == 1 else SetPath(get(base, (head,)), path[1:], value)
    if isinstance(head, int):
        return f"$map({render(base)}, function($v, $i) {{ $i = {head} ? {render(inner)} : $v }})"
    key = json.dumps(head, ensure_ascii=False)
    return f"$merge([{render(base)}, {{{key}: {render(inner)}}}])"


def jsonata_value(term: Term) -> Any:
    """A JSONata field value: literals and object shapes stay JSON, computed leaves become
    ``{% ... %}`` strings (how Arguments and Output are usually written by hand)."""
    if isinstance(term, Lit) and not (isinstance(term.value, str) and "{%" in term.value):
        return term.value
    if isinstance(term, Obj):
        return {key: jsonata_value(value) for key, value in term.items}
    if isinstance(term, Arr):
        return [jsonata_value(item) for item in term.items]
    return "{% " + render(term) + " %}"
