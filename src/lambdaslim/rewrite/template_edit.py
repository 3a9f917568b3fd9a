"""Surgical edits of CloudFormation/SAM templates (YAML or JSON) and other JSON documents.

Reviewers read the rewrite as a diff, so everything an edit does not need to touch must stay
byte-identical: comments, key order, quoting, blank lines, short tags, indentation. A round-trip
dumper cannot promise that, so the editor edits the *text*: a parse only locates the nodes
(start and end offsets, see ``yaml_tree`` and ``json_doc``) and each edit splices new text into
the original string. Edits can come in any order and each one sees the previous ones.

Parsing a large YAML template takes a while, so a YAML edit does not parse the document again.
Each edit rewrites one entry of one block collection (replaced, inserted or deleted), and the
node tree follows the splice: only the new entry's own lines are parsed, as a document of their
own (what precedes the entry on its first line, the dashes of enclosing sequence items, blanked;
a sequence item below a dummy key), and its nodes move into place; the entries after it, and
those after each of its ancestors, move by the splice's length (the nodes below them only when
an edit next reads them, so an edit costs the siblings it moves, not the rest of the document);
the collection and its ancestors end where their last entries end; the plain value is patched
the same way. This is exact because the entry's lines read the same alone as in the document:
block structure depends on columns, which stay the same, and a deletion takes whole lines that
hold nothing but the entry (for ``- Key: v``, the entry up to the next one). Where that does not
hold the edit parses the whole text again: JSON, an edit of the document root, a deletion that
ends the text, a document with directives or a keep-chomping block scalar (``|+`` takes the
blank lines after it into its value), and new lines that do not read back as exactly one entry
(a duplicate key, an explicit ``?`` key...). ``text()``, and an edit that parses the whole text,
first parse the text as it is once to check that the tree and value kept up to date are the
ones it gives.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
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
# Where an edit cannot keep the tree up to date (see the module docstring); the patterns may
# match inside strings too, which only costs time.
_DIRECTIVE = re.compile(r"^%", re.MULTILINE)
_KEEP_CHOMPING = re.compile(r"[|>][1-9]?\+")
_ITEM_DASHES = re.compile(r"(?: |- )*")


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
        self._verify()
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
        trail = self._trail(path)
        if self._json:
            self._json_set(path, value)
        elif trail is None:
            self._rerender(path, _set_in, value)
        elif trail[-1][1] is None:
            self._yaml_add(path[:-1], trail, len(trail[-1][0].entries) - 1, path[-1], value)
        else:
            self._yaml_replace(path[:-1], trail, value)

    def delete(self, path: Path) -> None:
        """Remove a mapping key (its whole block) or a sequence item."""
        if not self.has(path):
            raise KeyError(path)
        trail = self._trail(path)
        if self._json:
            node, position = self._jparent(path)
            self._load(self._jedits().delete(node, position))
        elif trail is None:
            self._rerender(path, _delete_in)
        else:
            self._yaml_delete(path, trail)

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
        trail = self._trail(path)
        if trail is None:
            self._rerender(path, _insert_in, (key, value))
        else:
            after = trail[-1][1]
            assert after is not None
            self._yaml_add(path[:-1], trail, after, key, value)

    # -- shared --------------------------------------------------------------------------------

    def _verify(self) -> None:
        """After edits that kept the tree up to date: parse the text once and check that the
        tree and the value are the ones it gives."""
        if self._patched:
            self._settle_all()
            tree, data = self._yroot, self._data
            self._load(self._text)
            if not _same_tree(tree, self._yroot) or repr(data) != repr(self._data):
                raise AssertionError(f"{self._file}: the edits left the YAML tree out of step")

    def _load(self, text: str) -> None:
        """Parse the whole text (see the module docstring for when YAML edits do not)."""
        self._text = text
        self._patched = False
        self._owed: dict[Node, int] = {}
        if self._json:
            self._jroot = json_doc.parse_json(text, self._file)
            self._data = json_doc.to_data(self._jroot)
        else:
            self._lines = Lines(text)
            self._yroot = yaml_tree.compose(text, self._file)
            self._data = yaml_tree.to_data(self._yroot, self._file, self._lines)
            self._patchable = not _DIRECTIVE.search(text) and not _KEEP_CHOMPING.search(text)

    def _trail(self, path: Path) -> _Trail | None:
        """The block collections from the root to the one holding ``path[-1]``, each with the
        position of the next step of ``path`` in it (the last one None: not there yet).

        None when a node on the way is not a block collection (a flow collection, a short-tagged
        node): such edits render that node again. Always None for JSON.
        """
        if not path:
            raise KeyError("the document root cannot be replaced or deleted")
        _lookup(self._data, path[:-1])  # KeyError on a missing parent
        if self._json:
            return None
        trail: _Trail = []
        node, data = self._yroot, self._data
        for depth, step in enumerate(path):
            if not node.block:
                return None
            self._settle(node)
            # the plain value of a block collection has its entries, in the same order
            keys = list(data) if node.kind == "map" else list(range(len(data)))
            position = _key_position(keys, step) if node.kind == "map" else _seq_index(keys, step)
            trail.append((node, position))
            if depth + 1 < len(path):
                if position is None:
                    raise KeyError(step)
                node = node.entries[position][1] if node.kind == "map" else node.items[position]
                data = data[keys[position]]
        return trail

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
        trail = self._trail(path[:depth])
        assert trail is not None
        self._yaml_replace(path[: depth - 1], trail, value, flow=flow)

    def _yaml_replace(self, at: Path, trail: _Trail, value: Any, flow: bool = False) -> None:
        """Replace the value of the last entry of ``trail`` (in the collection at ``at``)."""
        parent, index = trail[-1]
        assert index is not None
        lines = self._lines
        if parent.kind == "map":
            key, old = parent.entries[index]
            colon = _COLON.match(self._text, key.end)
            entry, start = key.start, colon.end() if colon else key.end
        else:
            old = parent.items[index]
            entry = yaml_tree.find_dash(parent, old, lines)
            start = entry + 1
        flow_text = render_flow(value, self._yaml_style) if flow else None
        if flow_text is not None:
            rendered = " " + flow_text
        elif parent.kind == "map":
            rendered = render_yaml_value(value, lines.col(entry), self._yaml_style)
        else:
            rendered = render_yaml_item(value, lines.col(entry), self._yaml_style)
        end = start if old.empty else old.end
        if "\n" in rendered or lines.line(start) != lines.line(end):
            end = lines.end_of(lines.line(end))  # an end-of-line comment went with the old value
        self._splice(start, end, self._eol(rendered), _Change(at, trail, index, 1, entry))

    def _yaml_add(self, at: Path, trail: _Trail, after: int, key: Any, value: Any) -> None:
        """Add ``key: value`` after entry ``after`` of the mapping at ``at``."""
        parent = trail[-1][0]
        col = self._lines.col(parent.entries[0][0].start)
        gap = self._eol("\n" * self._rhythm(parent, after) + "\n")
        entry = self._eol(render_yaml_entry(key, value, col, self._yaml_style))
        start = self._lines.end_of(self._last_line(parent, after))
        self._splice(start, start, gap + entry,
                     _Change(at, trail, after + 1, 0, start + len(gap)))

    def _yaml_delete(self, path: Path, trail: _Trail) -> None:
        parent, index = trail[-1]
        assert index is not None
        count = len(parent.items or parent.entries)
        if count == 1:
            empty: Any = [] if parent.kind == "seq" else {}
            if path[:-1]:
                self.set(path[:-1], empty)
            else:
                self._splice(parent.start, parent.end, "{}")
            return
        change = _Change(path[:-1], trail, index, 1, None)
        start = self._entry_start(parent, index)
        if not self._first_on_line(start):  # `- Key: v` or `- - v`: the next entry moves up
            self._splice(start, self._entry_start(parent, index + 1), "", change)
            return
        first, last = self._first_line(parent, index), self._last_line(parent, index)
        before, after = self._blank_run(first, -1), self._blank_run(last, +1)
        if index + 1 < count and (index == 0 or after <= before):
            last += after
        else:
            first -= before
        lines = self._lines
        if last + 1 < lines.count:
            self._splice(lines.starts[first], lines.starts[last + 1], "", change)
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

    def _eol(self, new: str) -> str:
        """``new`` with the text's line breaks."""
        return new.replace("\n", "\r\n") if "\r\n" in self._text else new

    def _splice(self, start: int, end: int, new: str, change: _Change | None = None) -> None:
        """Replace ``[start, end)`` by ``new``; ``change`` says which entries that rewrote,
        for keeping the tree up to date without parsing the whole text again."""
        text = self._text[:start] + new + self._text[end:]
        if change is None or not self._patchable or not self._patch(change, text, start, end):
            self._verify()
            self._load(text)

    def _patch(self, change: _Change, text: str, start: int, end: int) -> bool:
        """Bring the tree and the plain value in line with ``text``, the result of replacing
        ``[start, end)`` for ``change``; False (nothing touched) when only a parse of the whole
        text is sure to be right."""
        parent = change.trail[-1][0]
        index, removed = change.index, change.removed
        delta = len(text) - len(self._text)
        parsed: list[Node] = []
        values: list[Any] = []
        base = 0
        if change.region is not None:
            entry = _parse_entry(text, change.region, end + delta - 1, parent.kind, self._file)
            if entry is None:
                return False
            parsed, value, base = entry
            values = [value]
        container = _lookup(self._data, change.at)
        if parent.kind == "map" and parsed:
            if removed:  # a new value: its key must be the one that was there
                key = parent.entries[index][0]
                if (parsed[0].start + base, parsed[0].end + base) != (key.start, key.end):
                    return False
            elif values[0][0] in container:  # a duplicate key: the parse reports it
                return False
        new_start = parent.start
        if index == 0 and not parsed:  # the collection now starts where its second entry did
            if parent.start != self._entry_start(parent, 0):
                return False
            new_start = self._entry_start(parent, 1) + delta
        if isinstance(container, dict):
            items = list(container.items())
            items[index : index + removed] = values
            container.clear()
            container.update(items)
        else:
            container[index : index + removed] = values
        self._shift(parsed, base)
        if parent.kind == "map":
            parent.entries[index : index + removed] = [(parsed[0], parsed[1])] if parsed else []
        else:
            parent.items[index : index + removed] = parsed
        parent.start = new_start
        self._shift(_nodes_from(parent, index + len(values)), delta)
        for node, position in change.trail[:-1]:
            assert position is not None
            self._shift(_nodes_from(node, position + 1), delta)
        for node, _ in reversed(change.trail):  # a block collection ends with its last entry
            node.end = node.entries[-1][1].end if node.kind == "map" else node.items[-1].end
        self._text = text
        self._lines = Lines(text)
        self._patched = True
        return True

    def _shift(self, nodes: Iterable[Node], delta: int) -> None:
        """Move ``nodes`` ``delta`` characters, and all the nodes below them: those only when
        read (``_settle``), so that an edit costs the siblings it moves, not their subtrees."""
        if delta:
            owed = self._owed
            for node in nodes:
                node.start += delta
                node.end += delta
                if node.kind != "scalar":
                    owed[node] = owed.get(node, 0) + delta

    def _settle(self, node: Node) -> None:
        """Make the offsets of ``node``'s children right (before anything reads them)."""
        self._shift(_nodes_from(node, 0), self._owed.pop(node, 0))

    def _settle_all(self) -> None:
        """Make all the offsets right."""
        stack = [self._yroot]
        while stack:
            node = stack.pop()
            self._settle(node)
            stack += _nodes_from(node, 0)


_Trail = list[tuple[Node, int | None]]


@dataclass(frozen=True)
class _Change:
    """Entries ``index`` to ``index + removed`` of the block collection that ends ``trail``
    (whose plain value is at ``at``) give way to the one entry written from offset ``region``
    of the new text (None: to nothing)."""

    at: Path
    trail: _Trail
    index: int
    removed: int
    region: int | None


def _nodes_from(node: Node, index: int) -> list[Node]:
    """The nodes of a collection's entries from ``index`` on (keys and values, or items)."""
    if node.kind == "seq":
        return node.items[index:]
    return [one for entry in node.entries[index:] for one in entry]


def _parse_entry(text: str, start: int, last: int, kind: str,
                 file: str) -> tuple[list[Node], Any, int] | None:
    """The nodes (key and value, or item) and the plain value of the one entry of a block
    ``kind`` collection written at ``text[start:]`` through the line holding offset ``last``,
    and how far those nodes must move to be at their offsets in ``text``.

    Those lines are read as a document of their own: what precedes the entry on its first line
    (the dashes of enclosing sequence items) blanked, a sequence item below a dummy key. None
    when they are not exactly one such entry there.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", last)
    end = len(text) if line_end < 0 else line_end + 1
    prefix = text[line_start:start]
    if not _ITEM_DASHES.fullmatch(prefix):
        return None
    head = "_:\n" if kind == "seq" else ""
    source = head + " " * len(prefix) + text[start:end]
    lines = Lines(source)
    try:
        node = yaml_tree.compose(source, file)
        if kind == "seq":
            if len(node.entries) != 1:
                return None
            node = node.entries[0][1]
        if node.kind != kind or not node.block or len(node.items or node.entries) != 1:
            return None
        nodes = _nodes_from(node, 0)
        values = tuple(yaml_tree.to_data(one, file, lines) for one in nodes)
    except LoadError:
        return None
    return nodes, values if kind == "map" else values[0], line_start - len(head)


def _same_tree(a: Node, b: Node) -> bool:
    """Whether two trees have the same nodes at the same offsets."""
    pairs = [(a, b)]
    while pairs:
        x, y = pairs.pop()
        if (x.kind, x.start, x.end, x.tag, x.value, x.style, x.flow, len(x.items),
                len(x.entries)) != (y.kind, y.start, y.end, y.tag, y.value, y.style, y.flow,
                                    len(y.items), len(y.entries)):
            return False
        pairs.extend(zip(x.items, y.items, strict=True))
        for (x_key, x_value), (y_key, y_value) in zip(x.entries, y.entries, strict=True):
            pairs += [(x_key, y_key), (x_value, y_value)]
    return True


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
