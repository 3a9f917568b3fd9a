"""JSON loading that remembers the line of every object.

The standard ``json`` module forgets positions. Its pure-Python scanner calls a replaceable
``parse_object`` with the offset of each object, which is all we need to record the line of every
``{`` (for a state, the line of its name). Objects become :class:`LineDict`.
"""

from __future__ import annotations

import bisect
import json
import re
from json.decoder import JSONObject  # type: ignore[attr-defined]
from json.scanner import py_make_scanner  # type: ignore[attr-defined]
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.surrogates import reject_lone_surrogates

_NEWLINE = re.compile("\n")


class LineDict(dict[str, Any]):
    """A JSON object that knows the 1-based line it starts on."""

    line: int | None = None


def parse_json(text: str, shown: str) -> Any:
    """Parse JSON; a syntax problem is a LoadError naming ``shown`` and the line."""
    line_starts = [0]
    line_starts += [match.end() for match in _NEWLINE.finditer(text)]
    decoder = json.JSONDecoder()

    def parse_object(state: tuple[str, int], *args: Any) -> tuple[LineDict, int]:
        _, start = state
        pairs, end = JSONObject(state, *args)
        result = LineDict(pairs)
        result.line = bisect.bisect_right(line_starts, start - 1)
        return result, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = py_make_scanner(decoder)  # type: ignore[attr-defined]
    try:
        parsed = decoder.decode(text)
    except json.JSONDecodeError as error:
        raise LoadError(f"invalid JSON: {error.msg}", shown, error.lineno) from None
    except RecursionError:
        raise LoadError("invalid JSON: nested too deeply", shown) from None
    reject_lone_surrogates(parsed, text, shown)
    return parsed
