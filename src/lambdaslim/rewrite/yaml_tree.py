"""A YAML node tree that knows where every node is in the text, and its plain Python value.

Built from ruamel.yaml's *parse events* rather than its composer or constructors: events keep
whether a scalar was plain, quoted or explicitly tagged, nothing is constructed from tags (safe by
design), and each node gets exact start and end offsets so the editor can splice the original
text. CloudFormation short tags become long-form intrinsics (``!GetAtt A.Arn`` ->
``{"Fn::GetAtt": ["A", "Arn"]}``); any other tag is a ``LoadError``.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from lambdaslim.errors import LoadError
from lambdaslim.rewrite.yaml_render import SHORT_TAGS, YamlStyle

_STD = "tag:yaml.org,2002:"
_SHORT_TO_LONG = {"!" + short: long for long, short in SHORT_TAGS.items()}

# YAML 1.2 core schema, which is what ruamel.yaml reads by default.
_NULL = re.compile(r"~|null|Null|NULL|")
_BOOL = re.compile(r"true|True|TRUE|false|False|FALSE")
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF_NAN = re.compile(r"([-+]?)\.(inf|Inf|INF)|\.(nan|NaN|NAN)")


@dataclass(eq=False)
class Node:
    """One YAML node; ``start``/``end`` are text offsets (``start`` includes a leading tag).

    For an empty plain scalar (``Key:`` with no value) both are the offset right after the
    ``:`` or ``-`` that introduces it.
    """

    kind: str  # "scalar" | "map" | "seq"
    start: int
    end: int
    tag: str | None = None
    value: str = ""
    style: str | None = None
    flow: bool = False
    items: list[Node] = field(default_factory=list)
    entries: list[tuple[Node, Node]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.kind == "scalar" and self.tag is None and self.style is None and not self.value

    @property
    def block(self) -> bool:
        """A block mapping or sequence whose children map one-to-one onto its plain value."""
        return self.kind != "scalar" and not self.flow and self.tag is None


class Lines:
    """Offsets <-> (line, column) for one text."""

    def __init__(self, text: str):
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def line(self, index: int) -> int:
        return bisect.bisect_right(self.starts, index) - 1

    def col(self, index: int) -> int:
        return index - self.starts[self.line(index)]

    def content(self, line: int) -> str:
        """The line's text without its line break."""
        end = self.starts[line + 1] if line + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[line] : end].rstrip("\r\n")

    def end_of(self, line: int) -> int:
        """Offset of the line break ending ``line`` (or of the end of the text)."""
        return self.starts[line] + len(self.content(line))

    @property
    def count(self) -> int:
        return len(self.starts)


def compose(text: str, file: str) -> Node:
    """The root node of a one-document YAML text; ``LoadError`` on anything we cannot edit."""
    lines = Lines(text)
    try:
        events = iter(YAML(typ="safe", pure=True).parse(text))
        root: Node | None = None
        for event in events:
            if isinstance(event, DocumentStartEvent) and root is not None:
                raise LoadError("multi-document YAML is not supported", file, _line(event))
            if isinstance(event, (ScalarEvent, MappingStartEvent, SequenceStartEvent)):
                root = _node(event, events, lines, file)
            if isinstance(event, StreamEndEvent):
                break
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise LoadError(f"invalid YAML: {exc.problem or exc.context}", file, line) from exc
    except YAMLError as exc:
        raise LoadError(f"invalid YAML: {exc}", file) from exc
    if root is None or root.kind != "map":
        raise LoadError("the document is not a mapping", file, 1)
    return root


def to_data(node: Node, file: str, lines: Lines) -> Any:
    """The plain Python value of a node, intrinsics in long form."""
    if node.tag in _SHORT_TO_LONG:
        name = _SHORT_TO_LONG[node.tag]
        # a tagged scalar is a string whatever it looks like (`!Ref 123`)
        arg = node.value if node.kind == "scalar" else to_data(replace(node, tag=None), file, lines)
        if name == "Fn::GetAtt" and isinstance(arg, str) and "." in arg:
            arg = arg.split(".", 1)
        return {name: arg}
    if node.kind == "map":
        _check_tag(node, "map", file, lines)
        result: dict[Any, Any] = {}
        for key, value in node.entries:
            if key.kind != "scalar":
                raise LoadError("complex mapping keys are not supported", file, _at(lines, key))
            key_value = to_data(key, file, lines)
            if key_value in result:
                raise LoadError(f"duplicate key {key_value!r}", file, _at(lines, key))
            result[key_value] = to_data(value, file, lines)
        return result
    if node.kind == "seq":
        _check_tag(node, "seq", file, lines)
        return [to_data(item, file, lines) for item in node.items]
    return _scalar(node, file, lines)


def detect_style(root: Node, lines: Lines) -> YamlStyle:
    """The document's indentation, sequence indentation, quoting and intrinsic conventions."""
    counts: dict[str, Counter[Any]] = {
        name: Counter() for name in ("step", "seq", "quote", "short", "getatt", "sub")
    }
    for node in _walk(root):
        if node.kind == "scalar" and node.style in ("'", '"'):
            counts["quote"][node.style] += 1
        if node.tag in _SHORT_TO_LONG:
            counts["short"][True] += 1
            if node.tag == "!GetAtt":
                counts["getatt"][node.kind == "scalar"] += 1
            if node.tag == "!Sub" and node.kind == "scalar":
                counts["sub"][node.style is not None] += 1
        for key, value in node.entries:
            if value.block and value.kind == "map":
                counts["step"][lines.col(value.start) - lines.col(key.start)] += 1
            elif value.block:
                counts["seq"][lines.col(value.start) - lines.col(key.start)] += 1
            if len(node.entries) == 1 and key.value in SHORT_TAGS and key.style is None:
                counts["short"][False] += 1
    step = _mode(counts["step"], 2)
    return YamlStyle(
        step=step if step > 0 else 2,
        seq_offset=_mode(counts["seq"], step),
        quote=_mode(counts["quote"], "'"),
        short_tags=_mode(counts["short"], True),
        getatt_dotted=_mode(counts["getatt"], True),
        quote_sub=_mode(counts["sub"], False),
    )


def find_dash(seq: Node, item: Node, lines: Lines) -> int:
    """Offset of the ``-`` introducing ``item``: the last one in ``seq``'s column before it."""
    col = lines.col(seq.start)
    for line in range(lines.line(item.start), -1, -1):
        index = lines.starts[line] + col
        if index < item.start and lines.text[index : index + 1] == "-":
            return index
    raise AssertionError("a block sequence item without its dash")


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for key, value in node.entries:
        yield from _walk(key)
        yield from _walk(value)
    for item in node.items:
        yield from _walk(item)


def _mode(counter: Counter[Any], default: Any) -> Any:
    """The most common value; ties go to the default, then to the first seen."""
    if not counter:
        return default
    best = max(counter.values())
    if counter.get(default) == best:
        return default
    return next(value for value, count in counter.items() if count == best)


def _node(event: Event, events: Iterator[Event], lines: Lines, file: str) -> Node:
    if isinstance(event, AliasEvent) or getattr(event, "anchor", None) is not None:
        raise LoadError("YAML anchors and aliases are not supported", file, _line(event))
    raw_tag = getattr(event, "tag", None)
    tag = None if raw_tag is None else str(raw_tag)
    start = event.start_mark.index
    if isinstance(event, ScalarEvent):
        end = event.end_mark.index
        if event.style in ("|", ">"):  # the event ends after the trailing blank lines
            end = start + len(lines.text[start:end].rstrip())
        return Node("scalar", start, end, _STD + "str" if tag == "!" else tag, event.value,
                    event.style)
    kind = "map" if isinstance(event, MappingStartEvent) else "seq"
    node = Node(kind, start, start, None if tag == "!" else tag,
                flow=bool(getattr(event, "flow_style", False)))
    key: Node | None = None
    for child in events:
        if isinstance(child, (MappingEndEvent, SequenceEndEvent)):
            node.end = child.end_mark.index
            break
        value = _node(child, events, lines, file)
        if kind == "seq":
            if value.empty:
                value.start = value.end = find_dash(node, value, lines) + 1
            node.items.append(value)
        elif key is None:
            key = value
        else:
            if value.empty:
                colon = re.compile(r"[ \t]*:?").match(lines.text, key.end)
                value.start = value.end = colon.end() if colon else key.end
            node.entries.append((key, value))
            key = None
    if not node.flow:
        node.end = node.items[-1].end if node.items else node.entries[-1][1].end
    return node


def _scalar(node: Node, file: str, lines: Lines) -> Any:
    value = node.value
    if node.tag is None and node.style is None:
        return _resolve(value)
    if node.tag is None or node.tag == _STD + "str":
        return value
    try:
        if node.tag == _STD + "int":
            return int(value, 0) if value[:2] in ("0x", "0o") else int(value)
        if node.tag == _STD + "float":
            return float(_resolve(value))
        if node.tag == _STD + "bool" and _BOOL.fullmatch(value):
            return value.lower() == "true"
        if node.tag == _STD + "null" and _NULL.fullmatch(value):
            return None
    except (TypeError, ValueError):
        pass
    raise LoadError(f"unsupported tag {node.tag} on {value!r}", file, _at(lines, node))


def _resolve(value: str) -> Any:
    if _NULL.fullmatch(value):
        return None
    if _BOOL.fullmatch(value):
        return value.lower() == "true"
    if _INT.fullmatch(value):
        return int(value, 0) if value[:2] in ("0x", "0o") else int(value)
    if _FLOAT.fullmatch(value):
        return float(value)
    special = _INF_NAN.fullmatch(value)
    if special:
        if special.group(3):
            return float("nan")
        return float("-inf") if special.group(1) == "-" else float("inf")
    return value


def _check_tag(node: Node, kind: str, file: str, lines: Lines) -> None:
    if node.tag not in (None, _STD + kind):
        raise LoadError(f"unsupported tag {node.tag}", file, _at(lines, node))


def _line(event: Event) -> int:
    return int(event.start_mark.line) + 1


def _at(lines: Lines, node: Node) -> int:
    return lines.line(node.start) + 1
