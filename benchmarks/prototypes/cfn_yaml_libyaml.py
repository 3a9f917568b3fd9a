"""PROTOTYPE (not used by lambdaslim): load CloudFormation YAML with libyaml, ~10x faster.

``lambdaslim.loading.cfn_yaml.parse_yaml`` uses ruamel's round-trip loader, which is pure
Python and gathers comments token by token: 7-9 s for the 30,700-line template of the
2,000-function benchmark. Here libyaml (PyYAML's C ``CSafeLoader``) composes the node graph
(with line/column marks) and a small builder makes the same ``CommentedMap``/``CommentedSeq``
trees with the same ``.lc`` positions, YAML 1.2 core-schema scalars and CloudFormation short
tags as long forms, so ``documents.line_of``/``key_line``/``to_plain`` work unchanged.

Run it to compare with the current loader (``to_plain`` output and every mapping's line)::

    python benchmarks/prototypes/cfn_yaml_libyaml.py /tmp/mono/template.yaml samples/*/template.yaml

Known gaps before it can replace the loader: PyYAML becomes a dependency (wheels bundle
libyaml; fall back to ruamel when ``yaml.__with_libyaml__`` is false); explicit standard tags
(``!!str 123``) resolve like plain scalars; YAML 1.1-only syntax libyaml accepts is not refused.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path
from typing import Any

import yaml
from ruamel.yaml.comments import CommentedMap, CommentedSeq

SHORT_TAGS = ("And", "Base64", "Cidr", "Equals", "FindInMap", "ForEach", "GetAZs", "GetAtt",
              "If", "ImportValue", "Join", "Length", "Not", "Or", "Select", "Split", "Sub",
              "ToJsonString", "Transform")
LONG_FORM = {f"!{name}": f"Fn::{name}" for name in SHORT_TAGS} | {"!Ref": "Ref",
                                                                   "!Condition": "Condition"}
STANDARD = "tag:yaml.org,2002:"
# YAML 1.2 core schema (what ruamel resolves plain scalars with).
NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
BOOL = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
INT10 = re.compile(r"^[-+]?[0-9]+$")
INT8 = re.compile(r"^0o[0-7]+$")
INT16 = re.compile(r"^0x[0-9a-fA-F]+$")
FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
SPECIAL_FLOAT = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"),
                 ".nan": float("nan")}


class DuplicateKeyError(ValueError):
    pass


def _scalar(node: yaml.ScalarNode) -> Any:
    value = node.value
    if node.style or not node.tag.startswith(STANDARD):  # plain: None (or "" from libyaml)
        return value  # quoted or block scalars are strings
    if NULL.match(value):
        return None
    if BOOL.match(value):
        return value.lower() == "true"
    if INT10.match(value):
        return int(value)
    if INT8.match(value):
        return int(value[2:], 8)
    if INT16.match(value):
        return int(value[2:], 16)
    if FLOAT.match(value):
        return float(value)
    if value.lower() in SPECIAL_FLOAT:
        return SPECIAL_FLOAT[value.lower()]
    return value  # timestamps stay text, as in lambdaslim today


def _build(node: yaml.Node) -> Any:
    tag = node.tag
    if tag.startswith("!"):
        key = LONG_FORM.get(tag)
        if key is None:
            raise ValueError(f"unknown YAML tag {tag} (line {node.start_mark.line + 1})")
        if isinstance(node, yaml.ScalarNode):
            value: Any = node.value
            if key == "Fn::GetAtt":
                logical_id, _, attribute = value.partition(".")
                value = [logical_id, attribute]
        else:
            value = _build_collection(node)
        tagged = CommentedMap()
        tagged[key] = value
        line, column = node.start_mark.line, node.start_mark.column
        tagged._yaml_set_line_col(line, column)
        tagged._yaml_set_kv_line_col(key, [line, column, line, column])
        return tagged
    if isinstance(node, yaml.ScalarNode):
        return _scalar(node)
    return _build_collection(node)


def _build_collection(node: yaml.Node) -> Any:
    if isinstance(node, yaml.SequenceNode):
        sequence = CommentedSeq(_build(child) for child in node.value)
        sequence._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        for index, child in enumerate(node.value):
            sequence._yaml_set_idx_line_col(index, [child.start_mark.line,
                                                    child.start_mark.column])
        return sequence
    mapping = CommentedMap()
    mapping._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
    for key_node, value_node in node.value:
        if key_node.tag == STANDARD + "merge":
            continue  # handled below, after the explicit keys
        key = _build(key_node)
        if key in mapping:
            raise DuplicateKeyError(f"duplicate key {key!r} (line {key_node.start_mark.line + 1})")
        mapping[key] = _build(value_node)
        mapping._yaml_set_kv_line_col(key, [key_node.start_mark.line, key_node.start_mark.column,
                                            value_node.start_mark.line,
                                            value_node.start_mark.column])
    for key_node, value_node in node.value:  # YAML merge keys ("<<: *base"): explicit keys win
        if key_node.tag == STANDARD + "merge":
            merged = [value_node] if isinstance(value_node, yaml.MappingNode) else value_node.value
            for source in merged:
                for key, value in _build(source).items():
                    mapping.setdefault(key, value)
    return mapping


def parse_yaml_fast(text: str) -> Any:
    return _build(yaml.compose(text, Loader=yaml.CSafeLoader))


def _lines(node: Any, path: str = "") -> dict[str, int | None]:
    found: dict[str, int | None] = {}
    lc = getattr(node, "lc", None)
    if isinstance(node, dict):
        found[path] = lc.line if lc is not None else None
        for key, value in node.items():
            found |= _lines(value, f"{path}/{key}")
    elif isinstance(node, list):
        found[path] = lc.line if lc is not None else None
        for index, value in enumerate(node):
            found |= _lines(value, f"{path}/{index}")
    return found


def main(paths: list[str]) -> int:
    from lambdaslim.loading.cfn_yaml import parse_yaml
    from lambdaslim.loading.documents import to_plain

    status = 0
    for name in paths:
        text = Path(name).read_text("utf-8")
        start = time.perf_counter()
        current = parse_yaml(text, name)
        middle = time.perf_counter()
        fast = parse_yaml_fast(text)
        end = time.perf_counter()
        same = to_plain(current) == to_plain(fast)
        same_lines = _lines(current) == _lines(fast)
        status |= not (same and same_lines)
        print(f"{name}: ruamel rt {middle - start:.2f} s, libyaml {end - middle:.2f} s; "
              f"same values: {same}, same lines: {same_lines}")
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
