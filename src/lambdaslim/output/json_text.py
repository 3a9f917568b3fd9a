"""``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte, about three times faster.

With ``indent`` set, the standard library never uses its C encoder: it falls back to a
generator-based encoder written in Python that yields every token separately. On the JSON
report of a 2,000-function application (2.9 MB) that took about 0.2 s, after all the analysis,
where nothing else runs in parallel. This encoder builds the same text with one list of parts,
and leaves strings to the standard library's C escaping function.

What differs from ``json.dumps``: no check for circular references (the documents rendered
here are trees built from dataclasses; a cycle would end in ``RecursionError``), and values
of other types raise ``TypeError`` as ``json.dumps`` does, with the same message.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

_INDENT = "  "


def dumps_indented(value: Any) -> str:
    """The text of ``json.dumps(value, indent=2, ensure_ascii=False)``."""
    parts: list[str] = []
    _encode(value, parts, "\n")
    return "".join(parts)


def _encode(value: Any, parts: list[str], newline: str) -> None:
    """Append ``value``'s text; ``newline`` is a line break plus the current indentation."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + _INDENT
        separator = "{" + inner
        for key, item in value.items():
            parts.append(separator)
            parts.append(encode_basestring(key if isinstance(key, str) else _key(key)))
            parts.append(": ")
            _encode(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        inner = newline + _INDENT
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _encode(item, parts, inner)
            separator = "," + inner
        parts.append(newline + "]")
    else:
        parts.append(_scalar(value))


def _scalar(value: Any) -> str:
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return json.dumps(value)  # NaN and Infinity as json.dumps spells them
    raise TypeError(f"Object of type {value.__class__.__name__} is not JSON serializable")


def _key(key: Any) -> str:
    """A dictionary key that is not a string, as ``json.dumps`` writes it."""
    if key is None or isinstance(key, bool | int | float):
        return json.dumps(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")
