"""Lone UTF-16 surrogates: JSON and YAML escapes can spell them, but they are not text.

``"\\ud800"`` is valid JSON, and valid YAML in a double-quoted scalar; both parsers give a
Python string that holds the lone surrogate, and nothing can write that string as UTF-8 (the
analysis output, a rewritten template): the run would end in a traceback. So a document that
holds one is rejected as it is read, with the line of the escape. YAML does not join a
``\\ud83d\\ude00`` pair into one character either; ``\\U0001F600`` is the YAML spelling.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lambdaslim.errors import LoadError

_ESCAPE = re.compile(r"\\(?:u|U0000)[dD][89a-fA-F][0-9a-fA-F]{2}")


def reject_lone_surrogates(parsed: Any, text: str, shown: str) -> None:
    """Raise a LoadError when ``parsed`` (the document of ``text``) holds a lone surrogate."""
    if not _ESCAPE.search(text):
        return  # the only way to write one in a UTF-8 file
    found = _string_with_surrogate(parsed)
    if found is None:
        return
    value, line = found
    lone = next(char for char in value if "\ud800" <= char <= "\udfff")
    raise LoadError(f"\\u{ord(lone):04x} is half of a UTF-16 surrogate pair, not a character",
                    shown, _escape_line(text, ord(lone), line))


def _escape_line(text: str, code: int, near: int | None) -> int | None:
    """The line of the first escape of ``code`` from line ``near`` on that is not the first half
    of a pair (a JSON object only knows the line it starts on, not its keys')."""
    spelled = re.compile(rf"\\(?:u|U0000){code:04x}(?!\\u[dD][c-fC-F])", re.IGNORECASE)
    start = 0
    for _ in range((near or 1) - 1):
        start = text.find("\n", start) + 1
    escape = spelled.search(text, start)
    return near if escape is None else text.count("\n", 0, escape.start()) + 1


def _string_with_surrogate(document: Any) -> tuple[str, int | None] | None:
    """The first string (key or value) holding a lone surrogate, with the line of its key or
    item where the parser recorded one (else of the nearest object around it)."""
    # Here, not at the top: documents imports the parsers, which call this module.
    from lambdaslim.loading.documents import key_line, line_of

    stack: list[tuple[Any, int | None]] = [(document, None)]
    while stack:
        node, line = stack.pop()
        if isinstance(node, str):
            try:
                node.encode("utf-8")
            except UnicodeEncodeError:
                return node, line
        elif isinstance(node, Mapping):
            line = line_of(node) or line
            for key, value in node.items():
                at = key_line(node, key) or line
                stack.extend(((key, at), (value, at)))
        elif isinstance(node, list | tuple):
            stack.extend((item, key_line(node, index) or line) for index, item in enumerate(node))
    return None
