"""Surgical edits of CloudFormation/SAM templates (YAML or JSON) and other JSON documents.

Reviewers read the rewrite as a diff, so everything an edit does not need to touch must stay
byte-identical: comments, key order, quoting, blank lines, short tags, indentation. A round-trip
dumper cannot promise that, so the editor edits the *text*: a parse only locates the nodes
(start and end offsets, see ``yaml_tree`` and ``json_doc``) and each edit splices new text into
the original string. The document is parsed again after every edit, so edits can come in any
order and each one sees the previous ones (templates are small).

YAML rules, in short:

* an entry's *block* is its key line through the end of its value, plus the comment lines
  directly above the key (at or left of the key's column) and the comment lines after the value
  that are indented deeper than the key (commented-out properties, notes);
* deleting a block also removes one of the blank-line runs around it, so the rhythm of the
  siblings stays the same (a first entry takes the run after it, a last entry the run before,
  a middle entry the smaller run);
* new text follows the document's conventions (``yaml_render.YamlStyle``, detected once);
* values inside flow collections (``[a, b]``) or short-tagged nodes (``!Join [...]``) are
  edited by rendering that whole collection or tagged node again.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import PurePath
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.rewrite import json_doc, yaml_tree
from lambdaslim.rewrite.json_doc import JNode, JsonEdits, JsonStyle, dump_json_like
from lambdaslim.rewrite.yaml_render import (
    YamlStyle,
    render_flow,
    render_yaml_entry,
    render_yaml_item,
    render_yaml_value,
)
from lambdaslim.rewrite.yaml_tree import Lines, Node

__all__ = ["Path", "TemplateEditor", "dump_json_like", "render_yaml_value"]

Path = tuple[str | int, ...]

_COLON = re.compile(r"[ \t]*:")


class TemplateEditor:
    """Edits one template text in place; read the result with ``text()``."""

    def __init__(self, text: str, file: str, is_json: bool):
        self._file = file
        self._json = is_json
        self._yaml_style = YamlStyle()
        self._json_style = JsonStyle()
        self._load(text)
        if is_json:
            self._json_style = JsonStyle.detect(text)
        else:
            self._yaml_style = yaml_tree.detect_style(self._yroot, self._lines)

    @classmethod
    def from_text(cls, text: str, file: str) -> TemplateEditor:
        """An editor for ``text``; JSON by suffix (``.json``) or, failing that, by content."""
        suffix = PurePath(file).suffix.lower()
        if suffix == ".json":
            return cls(text, file, is_json=True)
        if suffix not in (".yaml", ".yml") and text.lstrip().startswith("{"):
            try:
                return cls(text, file, is_json=True)
            except LoadError:
                pass  # YAML flow mappings also start with "{"
        return cls(text, file, is_json=False)

    # -- reading -------------------------------------------------------------------------------

    def text(self) -> str:
        return self._text

    def get(self, path: Path) -> Any:
        """A copy of the value at ``path`` (plain Python, intrinsics in long form)."""
        return copy.deepcopy(_lookup(self._data, path))

    def has(self, path: Path) -> bool:
        try:
            _lookup(self._data, path)
        except KeyError:
            return False
        return True

    # -- editing -------------------------------------------------------------------------------

    def set(self, path: Path, value: Any) -> None:
        """Replace the value at ``path``, or add the mapping key ``path[-1]`` at its end."""
        parent, index = self._parent(path)
        if self._json:
            self._json_set(path, value)
        elif parent is None:
            self._rerender(path, _set_in, value)
        elif index is None:
            self._yaml_add(parent, len(parent.entries) - 1, path[-1], value)
        else:
            self._yaml_replace(parent, index, value)

    def delete(self, path: Path) -> None:
        """Remove a mapping key (its whole block) or a sequence item."""
        if not self.has(path):
            raise KeyError(path)
        parent, index = self._parent(path)
        if self._json:
            node, position = self._jparent(path)
            self._load(self._jedits().delete(node, position))
        elif parent is None:
            self._rerender(path, _delete_in)
        else:
            assert index is not None
            self._yaml_delete(path, parent, index)

    def insert_after(self, path: Path, key: str, value: Any) -> None:
        """Add ``key: value`` right after the existing mapping key ``path[-1]``."""
        siblings = _lookup(self._data, path[:-1])
        if not isinstance(siblings, dict) or not self.has(path):
            raise KeyError(path)
        if self.has((*path[:-1], key)):
            raise KeyError(f"{key!r} already exists in {path[:-1]!r}")
        if self._json:
            node, position = self._jparent(path)
            self._load(self._jedits().insert_after(node, position, key, value))
            return
        parent, index = self._parent(path)
        if parent is None or index is None:
            self._rerender(path, _insert_in, (key, value))
        else:
            self._yaml_add(parent, index, key, value)

    # -- shared --------------------------------------------------------------------------------

    def _load(self, text: str) -> None:
        self._text = text
        if self._json:
            self._jroot = json_doc.parse_json(text, self._file)
            self._data = json_doc.to_data(self._jroot)
        else:
            self._lines = Lines(text)
            self._yroot = yaml_tree.compose(text, self._file)
            self._data = yaml_tree.to_data(self._yroot, self._file, self._lines)

    def _parent(self, path: Path) -> tuple[Node | None, int | None]:
        """The block collection holding ``path[-1]`` and its index there (None: not there yet).

        ``(None, None)`` when a node on the way is not a block collection (a flow collection, a
        short-tagged node): such edits render that node again. Always ``(None, None)`` for JSON.
        """
        if not path:
            raise KeyError("the document root cannot be replaced or deleted")
        _lookup(self._data, path[:-1])  # KeyError on a missing parent
        if self._json:
            return None, None
        node = self._yroot
        for step in path[:-1]:
            if not node.block:
                return None, None
            node = self._child(node, step)
        if not node.block:
            return None, None
        if node.kind == "seq":
            return node, _seq_index(node.items, path[-1])
        return node, self._key_position(node, path[-1])

    def _key_position(self, node: Node, step: str | int) -> int | None:
        keys = [yaml_tree.to_data(key, self._file, self._lines) for key, _ in node.entries]
        return _key_position(keys, step)

    def _child(self, node: Node, step: str | int) -> Node:
        if node.kind == "seq":
            return node.items[_seq_index(node.items, step)]
        position = self._key_position(node, step)
        if position is None:
            raise KeyError(step)
        return node.entries[position][1]

    # -- JSON ----------------------------------------------------------------------------------

    def _jedits(self) -> JsonEdits:
        return JsonEdits(self._text, self._jroot, self._json_style)

    def _jparent(self, path: Path) -> tuple[JNode, int]:
        """The JSON container of ``path[-1]`` and the position of ``path[-1]`` in it."""
        node = self._jroot
        for step in path[:-1]:
            node = node.children()[_jindex(node, step)]
        return node, _jindex(node, path[-1])

    def _json_set(self, path: Path, value: Any) -> None:
        node, outer = self._jroot, None
        for step in path[:-1]:
            node, outer = node.children()[_jindex(node, step)], node
        edits = self._jedits()
        try:
            self._load(edits.replace(node, _jindex(node, path[-1]), value))
        except KeyError:
            if node.kind != "object" or not isinstance(path[-1], str):
                raise
            compact = outer is not None and edits.one_line(outer)
            self._load(edits.append(node, path[-1], value, compact))

    # -- YAML ----------------------------------------------------------------------------------

    def _rerender(self, path: Path, op: Callable[..., None], *args: Any) -> None:
        """Apply an edit below the first node on ``path`` that is not a block collection by
        rendering that node again (flow style kept for a non-empty flow collection)."""
        node, depth = self._yroot, 0
        while node.block:
            node = self._child(node, path[depth])
            depth += 1
        value = self.get(path[:depth])
        op(value, path[depth:], *args)
        flow = node.flow and bool(node.items or node.entries)
        if depth == 0:  # a YAML document that is one flow mapping
            style = self._yaml_style
            text = "\n".join(render_yaml_entry(k, v, 0, style) for k, v in value.items())
            flow_text = render_flow(value, style) if flow else None
            self._splice(node.start, node.end, text if flow_text is None else flow_text)
            return
        parent, index = self._parent(path[:depth])
        assert parent is not None and index is not None
        self._yaml_replace(parent, index, value, flow=flow)

    def _yaml_replace(self, parent: Node, index: int, value: Any, flow: bool = False) -> None:
        lines = self._lines
        if parent.kind == "map":
            key, old = parent.entries[index]
            colon = _COLON.match(self._text, key.end)
            start = colon.end() if colon else key.end
            owner = lines.col(key.start)
        else:
            old = parent.items[index]
            start = yaml_tree.find_dash(parent, old, lines) + 1
            owner = lines.col(start - 1)
        flow_text = render_flow(value, self._yaml_style) if flow else None
        if flow_text is not None:
            rendered = " " + flow_text
        elif parent.kind == "map":
            rendered = render_yaml_value(value, owner, self._yaml_style)
        else:
            rendered = render_yaml_item(value, owner, self._yaml_style)
        end = start if old.empty else old.end
        if "\n" in rendered or lines.line(start) != lines.line(end):
            end = lines.end_of(lines.line(end))  # an end-of-line comment went with the old value
        self._splice(start, end, rendered)

    def _yaml_add(self, parent: Node, after: int, key: Any, value: Any) -> None:
        col = self._lines.col(parent.entries[0][0].start)
        entry = render_yaml_entry(key, value, col, self._yaml_style)
        at = self._lines.end_of(self._last_line(parent, after))
        self._splice(at, at, "\n" * self._rhythm(parent, after) + "\n" + entry)

    def _yaml_delete(self, path: Path, parent: Node, index: int) -> None:
        count = len(parent.items or parent.entries)
        if count == 1:
            empty: Any = [] if parent.kind == "seq" else {}
            if path[:-1]:
                self.set(path[:-1], empty)
            else:
                self._splice(parent.start, parent.end, "{}")
            return
        start = self._entry_start(parent, index)
        if not self._first_on_line(start):  # `- Key: v` or `- - v`: the next entry moves up
            self._splice(start, self._entry_start(parent, index + 1), "")
            return
        first, last = self._first_line(parent, index), self._last_line(parent, index)
        before, after = self._blank_run(first, -1), self._blank_run(last, +1)
        if index + 1 < count and (index == 0 or after <= before):
            last += after
        else:
            first -= before
        lines = self._lines
        if last + 1 < lines.count:
            self._splice(lines.starts[first], lines.starts[last + 1], "")
        else:  # the block ends the text: keep the text's own ending
            self._splice(max(lines.starts[first] - 1, 0), lines.end_of(last), "")

    def _entry_start(self, parent: Node, index: int) -> int:
        if parent.kind == "map":
            return parent.entries[index][0].start
        return yaml_tree.find_dash(parent, parent.items[index], self._lines)

    def _entry_end(self, parent: Node, index: int) -> int:
        return parent.items[index].end if parent.kind == "seq" else parent.entries[index][1].end

    def _first_on_line(self, offset: int) -> bool:
        line_start = self._lines.starts[self._lines.line(offset)]
        return not self._text[line_start:offset].strip()

    def _first_line(self, parent: Node, index: int) -> int:
        """The entry's first line: its key (or dash) line, or the comments directly above it."""
        start = self._entry_start(parent, index)
        col, line = self._lines.col(start), self._lines.line(start)
        while line > 0 and _comment_col(self._lines.content(line - 1)) in range(col + 1):
            line -= 1
        return line

    def _last_line(self, parent: Node, index: int) -> int:
        """The entry's last line: its value's, or that of a deeper-indented comment after it."""
        col = self._lines.col(self._entry_start(parent, index))
        last = line = self._lines.line(self._entry_end(parent, index))
        while line + 1 < self._lines.count:
            line += 1
            content = self._lines.content(line)
            comment = _comment_col(content)
            if comment is not None and comment > col:
                last = line
            elif content.strip():
                break
        return last

    def _blank_run(self, line: int, direction: int) -> int:
        """How many blank lines directly above (-1) or below (+1) ``line``."""
        count, line = 0, line + direction
        while 0 <= line < self._lines.count and not self._lines.content(line).strip():
            if line == self._lines.count - 1 and not self._lines.content(line):
                break  # the empty "line" after a final newline
            count, line = count + 1, line + direction
        return count

    def _rhythm(self, parent: Node, index: int) -> int:
        """Blank lines the mapping puts between entries around ``index`` (for a new entry)."""
        if index + 1 < len(parent.entries):
            return self._blank_run(self._last_line(parent, index), +1)
        if index > 0:
            return self._blank_run(self._first_line(parent, index), -1)
        return 0

    def _splice(self, start: int, end: int, new: str) -> None:
        if "\r\n" in self._text:
            new = new.replace("\n", "\r\n")
        self._load(self._text[:start] + new + self._text[end:])


# -- plain data --------------------------------------------------------------------------------


def _lookup(data: Any, path: Path) -> Any:
    for step in path:
        if isinstance(data, dict):
            data = data[_existing_key(data, step)]
        elif isinstance(data, list):
            data = data[_seq_index(data, step)]
        else:
            raise KeyError(step)
    return data


def _key_position(keys: list[Any], step: str | int) -> int | None:
    """Where ``step`` is among ``keys``: by value, else by text (``200`` and ``"200"`` both
    reach an unquoted ``200:`` of an OpenAPI ``responses`` mapping)."""
    exact = [i for i, key in enumerate(keys) if key == step and type(key) is type(step)]
    textual = [i for i, key in enumerate(keys) if str(key) == str(step)]
    found = exact or textual
    return found[0] if found else None


def _existing_key(mapping: dict[Any, Any], step: str | int) -> Any:
    keys = list(mapping)
    position = _key_position(keys, step)
    if position is None:
        raise KeyError(step)
    return keys[position]


def _seq_index(items: list[Any], step: str | int) -> int:
    if isinstance(step, int) and not isinstance(step, bool) and 0 <= step < len(items):
        return step
    raise KeyError(step)


def _jindex(node: JNode, step: str | int) -> int:
    if node.kind == "array":
        return _seq_index(node.items, step)
    for position, (key, _, _) in enumerate(node.entries):
        if key == step:
            return position
    raise KeyError(step)


def _comment_col(line: str) -> int | None:
    stripped = line.lstrip(" ")
    return len(line) - len(stripped) if stripped.startswith("#") else None


def _set_in(data: Any, path: Path, value: Any) -> None:
    container = _lookup(data, path[:-1])
    if isinstance(container, dict):
        try:
            container[_existing_key(container, path[-1])] = value
        except KeyError:
            container[path[-1]] = value
    elif isinstance(container, list):
        container[_seq_index(container, path[-1])] = value
    else:
        raise KeyError(path)


def _delete_in(data: Any, path: Path) -> None:
    container = _lookup(data, path[:-1])
    if isinstance(container, dict):
        del container[_existing_key(container, path[-1])]
    else:
        del container[_seq_index(container, path[-1])]


def _insert_in(data: Any, path: Path, entry: tuple[str, Any]) -> None:
    container = _lookup(data, path[:-1])
    anchor = _existing_key(container, path[-1])
    items = list(container.items())
    position = next(i for i, (key, _) in enumerate(items) if key == anchor) + 1
    items.insert(position, entry)
    container.clear()
    container.update(items)
