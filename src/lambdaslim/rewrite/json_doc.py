"""Surgical edits of JSON documents (CloudFormation/CDK templates, ASL definitions).

A small parser records where every value (and every object key) starts and ends, so an edit
replaces exactly one span of the original text; indentation, key order and escapes elsewhere stay
as they were. New values are formatted like the document: its indentation unit (CDK writes one
space), its ``": "``/``","`` separators and whether it escapes non-ASCII characters.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from lambdaslim.errors import LoadError

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_LITERALS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(eq=False)
class JNode:
    """A JSON value and its ``[start, end)`` span; object entries keep their key's offset."""

    kind: str  # "object" | "array" | "scalar"
    start: int
    end: int
    value: Any = None
    entries: list[tuple[str, int, JNode]] = field(default_factory=list)
    items: list[JNode] = field(default_factory=list)

    def child_starts(self) -> list[int]:
        """Where each entry (its key) or item begins."""
        return [start for _, start, _ in self.entries] or [item.start for item in self.items]

    def children(self) -> list[JNode]:
        return [value for _, _, value in self.entries] or self.items


@dataclass(frozen=True)
class JsonStyle:
    """How a JSON text is laid out: ``indent`` None means everything on one line."""

    indent: str | None = "  "
    key_sep: str = ": "
    item_sep: str = ", "
    ensure_ascii: bool = False
    final_newline: bool = True

    @classmethod
    def detect(cls, text: str) -> JsonStyle:
        """Read the conventions off the text (the first indented line is one level deep)."""
        indent = re.search(r"\n([ \t]+)\S", text)
        key_sep = re.search(r'"[ \t]*:([ \t]*)', text)
        item_sep = re.search(r'[\]}"0-9el],( ?)[\[{"0-9tfn-]', text)
        non_ascii = any(ord(char) > 127 for char in text)
        return cls(
            indent=indent.group(1) if indent else None,
            key_sep=":" + key_sep.group(1) if key_sep else ": ",
            item_sep="," + item_sep.group(1) if item_sep else ", ",
            ensure_ascii=bool(re.search(r"\\u[0-9a-fA-F]{4}", text)) and not non_ascii,
            final_newline=text.endswith("\n"),
        )

    def dumps(self, value: Any, base_indent: str = "", compact: bool = False) -> str:
        """``value`` as JSON whose continuation lines start with ``base_indent``."""
        if compact or self.indent is None:
            return json.dumps(value, separators=(self.item_sep, self.key_sep),
                              ensure_ascii=self.ensure_ascii)
        text = json.dumps(value, indent=self.indent, separators=(",", self.key_sep),
                          ensure_ascii=self.ensure_ascii)
        return text.replace("\n", "\n" + base_indent)


def dump_json_like(value: Any, like_text: str) -> str:
    """A whole new JSON text for ``value`` formatted like ``like_text`` (e.g. an ASL file)."""
    style = JsonStyle.detect(like_text)
    return style.dumps(value) + ("\n" if style.final_newline else "")


def parse_json(text: str, file: str) -> JNode:
    """The position-tracking tree of a JSON text; ``LoadError`` (with line) when malformed."""
    parser = _Parser(text, file)
    root = parser.value(parser.skip(0))
    if parser.skip(root.end) != len(text):
        raise parser.error("extra data after the JSON value", root.end)
    return root


def to_data(node: JNode) -> Any:
    if node.kind == "object":
        return {key: to_data(value) for key, _, value in node.entries}
    if node.kind == "array":
        return [to_data(item) for item in node.items]
    return node.value


class JsonEdits:
    """Span computations for edits of one parsed JSON text; each method returns the new text."""

    def __init__(self, text: str, root: JNode, style: JsonStyle):
        self.text = text
        self.root = root
        self.style = style

    def replace(self, parent: JNode, index: int, value: Any) -> str:
        old = parent.children()[index]
        return self._splice(old.start, old.end, self._render(value, old.start, parent))

    def append(self, parent: JNode, key: str, value: Any, compact: bool) -> str:
        """Add ``key`` at the end of ``parent`` (``compact``: its own parent is on one line)."""
        if not parent.entries:
            return self._replace_node(parent, {key: value}, compact)
        return self.insert_after(parent, len(parent.entries) - 1, key, value)

    def insert_after(self, parent: JNode, index: int, key: str, value: Any) -> str:
        gap = self._gap(parent)
        at = parent.entries[index][2].end
        if "\n" in gap:
            base = gap.rsplit("\n", 1)[1]
            rendered = self.style.dumps(value, base)
        else:
            rendered = self.style.dumps(value, compact=True)
        name = json.dumps(key, ensure_ascii=self.style.ensure_ascii)
        entry = name + self.style.key_sep + rendered
        return self._splice(at, at, "," + gap + entry)

    def delete(self, parent: JNode, index: int) -> str:
        starts = parent.child_starts()
        children = parent.children()
        if len(children) == 1:
            return self._replace_node(parent, {} if parent.kind == "object" else [], True)
        if index + 1 < len(children):
            return self._splice(starts[index], starts[index + 1], "")
        return self._splice(children[index - 1].end, children[index].end, "")

    def _replace_node(self, node: JNode, value: Any, compact: bool) -> str:
        """Replace a whole (emptied or empty) container."""
        rendered = self.style.dumps(value, self._line_indent(node.start), compact)
        return self._splice(node.start, node.end, rendered)

    def _render(self, value: Any, at: int, parent: JNode) -> str:
        return self.style.dumps(value, self._line_indent(at), compact=self.one_line(parent))

    def _gap(self, parent: JNode) -> str:
        """The whitespace this object puts before an entry (``"\\n    "`` or ``" "``)."""
        starts = parent.child_starts()
        if len(starts) >= 2:
            between = self.text[parent.children()[0].end : starts[1]]
            return between.split(",", 1)[1]
        first = self.text[parent.start + 1 : starts[0]]
        return first if first else self.style.item_sep[1:]

    def one_line(self, node: JNode) -> bool:
        return "\n" not in self.text[node.start : node.end]

    def _line_indent(self, at: int) -> str:
        line_start = self.text.rfind("\n", 0, at) + 1
        match = re.compile(r"[ \t]*").match(self.text, line_start)
        return match.group(0) if match else ""

    def _splice(self, start: int, end: int, new: str) -> str:
        return self.text[:start] + new + self.text[end:]


class _Parser:
    def __init__(self, text: str, file: str):
        self.text = text
        self.file = file

    def error(self, message: str, at: int) -> LoadError:
        return LoadError(f"invalid JSON: {message}", self.file, self.text.count("\n", 0, at) + 1)

    def skip(self, at: int) -> int:
        match = _WS.match(self.text, at)
        return match.end() if match else at

    def value(self, at: int) -> JNode:
        char = self.text[at : at + 1]
        if char == "{":
            return self._object(at)
        if char == "[":
            return self._array(at)
        if char == '"':
            value, end = self._string(at)
            return JNode("scalar", at, end, value)
        number = _NUMBER.match(self.text, at)
        if number and number.end() > at:
            text = number.group(0)
            is_float = number.group(1) or number.group(2)
            return JNode("scalar", at, number.end(), float(text) if is_float else int(text))
        for literal, parsed in _LITERALS.items():
            if self.text.startswith(literal, at):
                return JNode("scalar", at, at + len(literal), parsed)
        raise self.error("expected a value", at)

    def _string(self, at: int) -> tuple[str, int]:
        match = _STRING.match(self.text, at)
        if match is None:
            raise self.error("invalid string", at)
        return json.loads(match.group(0)), match.end()

    def _object(self, at: int) -> JNode:
        node = JNode("object", at, at)
        seen: set[str] = set()
        at = self.skip(at + 1)
        if self.text.startswith("}", at):
            node.end = at + 1
            return node
        while True:
            if not self.text.startswith('"', at):
                raise self.error("expected a property name", at)
            key, after = self._string(at)
            if key in seen:
                raise self.error(f"duplicate key {key!r}", at)
            seen.add(key)
            colon = self.skip(after)
            if not self.text.startswith(":", colon):
                raise self.error("expected ':'", colon)
            value = self.value(self.skip(colon + 1))
            node.entries.append((key, at, value))
            at = self.skip(value.end)
            if self.text.startswith("}", at):
                node.end = at + 1
                return node
            if not self.text.startswith(",", at):
                raise self.error("expected ',' or '}'", at)
            at = self.skip(at + 1)

    def _array(self, at: int) -> JNode:
        node = JNode("array", at, at)
        at = self.skip(at + 1)
        if self.text.startswith("]", at):
            node.end = at + 1
            return node
        while True:
            item = self.value(at)
            node.items.append(item)
            at = self.skip(item.end)
            if self.text.startswith("]", at):
                node.end = at + 1
                return node
            if not self.text.startswith(",", at):
                raise self.error("expected ',' or ']'", at)
            at = self.skip(at + 1)
