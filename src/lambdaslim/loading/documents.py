"""Parsed documents: choosing the parser, reading lines back, and plain JSON-like copies.

Parsed trees are *annotated*: mappings are ruamel ``CommentedMap`` (YAML) or ``LineDict`` (JSON),
both ``dict`` subclasses that know their lines. The model only ever holds plain copies
(:func:`to_plain`), so it does not depend on the parser.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ruamel.yaml.scalarbool import ScalarBoolean

from lambdaslim.loading.cfn_yaml import parse_yaml
from lambdaslim.loading.json_lines import LineDict, parse_json
from lambdaslim.loading.project import Project


def parse_document(project: Project, path: Path) -> Any:
    """Parse a JSON (``*.json``) or YAML file of the project."""
    text = project.read_text(path)
    shown = project.display(path)
    if path.suffix.lower() == ".json":
        return parse_json(text, shown)
    return parse_yaml(text, shown)


def line_of(node: Any) -> int | None:
    """1-based line where a parsed mapping or sequence starts, if known."""
    if isinstance(node, LineDict):
        return node.line
    lc = getattr(node, "lc", None)
    if lc is not None and lc.line is not None:
        return int(lc.line) + 1
    return None


def key_line(mapping: Any, key: str | int) -> int | None:
    """1-based line of ``key`` inside a parsed mapping (or of item ``key`` of a sequence)."""
    lc = getattr(mapping, "lc", None)
    if lc is not None:
        try:
            position = lc.key(key) if isinstance(mapping, Mapping) else lc.item(key)
        except (KeyError, IndexError, TypeError):
            position = None
        if position is not None:
            return int(position[0]) + 1
    child = _child(mapping, key)
    return line_of(child) if child is not None else line_of(mapping)


def pointer_line(root: Any, pointer: tuple[str | int, ...]) -> int | None:
    """Line of the value reached by following ``pointer`` keys from ``root`` (best effort)."""
    node, line = root, line_of(root)
    for key in pointer:
        child = _child(node, key)
        if child is None:
            break
        line = key_line(node, key) or line
        node = child
    return line


def _child(node: Any, key: str | int) -> Any:
    if isinstance(node, Mapping):
        return node.get(key)
    if isinstance(node, list) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return None


_PLAIN_SCALARS = frozenset({str, int, float, bool, type(None)})


def to_plain(node: Any) -> Any:
    """A plain ``dict``/``list``/``str``/``int``/``float``/``bool``/``None`` copy."""
    if type(node) in _PLAIN_SCALARS:  # most values: exact types, not ruamel's subclasses
        return node
    if isinstance(node, OrderedDict):  # ruamel's CommentedMap: the same items, read in C
        return {str(key): to_plain(value) for key, value in OrderedDict.items(node)}
    if isinstance(node, dict | Mapping):
        return {str(key): to_plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [to_plain(item) for item in node]
    if node is None or isinstance(node, bool | ScalarBoolean):
        return node if node is None else bool(node)
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return str(node)
