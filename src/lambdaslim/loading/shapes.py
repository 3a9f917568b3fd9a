"""The type of a template value, checked where the loader reads it.

A value of the wrong type (``Properties: oops``, ``Events: 7``) is bad input like any other: one
LoadError naming the file and the line of the value, saying what was expected ("Environment of
resource Fn must be a mapping, got a string"). An absent or null value is an empty mapping or
list, as for CloudFormation. The line is looked up only when the check fails: the loader reads
thousands of values on a large template.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.documents import key_line

_EMPTY: Mapping[str, Any] = {}


def describe(value: Any) -> str:
    """``"a string"``, ``"a number"``, ``"a list"``... for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def wrong_type(what: str, expected: str, value: Any, file: str, line: int | None) -> LoadError:
    return LoadError(f"{what} must be {expected}, got {describe(value)}", file, line)


def expect_mapping(holder: Mapping[Any, Any], key: Any, what: str, file: str) -> Mapping[str, Any]:
    """``holder[key]``, which must be a mapping (absent or null: empty)."""
    value = holder.get(key)
    if isinstance(value, Mapping):
        return value
    if value is None:
        return _EMPTY
    raise wrong_type(what, "a mapping", value, file, key_line(holder, key))


def expect_list(holder: Mapping[Any, Any], key: Any, what: str, file: str) -> list[Any]:
    """``holder[key]``, which must be a list (absent or null: empty)."""
    value = holder.get(key)
    if isinstance(value, list):
        return value
    if value is None:
        return []
    raise wrong_type(what, "a list", value, file, key_line(holder, key))


def expect_str(holder: Mapping[Any, Any], key: Any, what: str, file: str) -> str | None:
    """``holder[key]``, which must be a string when present (absent or null: None)."""
    value = holder.get(key)
    if value is None or isinstance(value, str):
        return value
    raise wrong_type(what, "a string", value, file, key_line(holder, key))


def expect_events(holder: Mapping[Any, Any], owner: str, file: str) -> Mapping[str, Any]:
    """SAM ``Events``: each a mapping with a string ``Type`` and a mapping ``Properties``."""
    events = expect_mapping(holder, "Events", f"Events of {owner}", file)
    for name in events:
        what = f"Events.{name} of {owner}"
        event = expect_mapping(events, name, what, file)
        expect_str(event, "Type", f"Events.{name}.Type of {owner}", file)
        expect_mapping(event, "Properties", f"Events.{name}.Properties of {owner}", file)
    return events
