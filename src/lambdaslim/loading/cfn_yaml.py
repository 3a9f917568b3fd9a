"""YAML loading with every CloudFormation short-form tag.

Two loaders build the same trees: ruamel ``CommentedMap``/``CommentedSeq`` that know the line of
every mapping, key and item (``.lc``), YAML 1.2 core-schema scalars, and short tags turned into
the long form CloudFormation itself uses (``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``), so
the rest of the loader sees one form. Any other tag is refused. Neither ever builds arbitrary
Python objects.

- **libyaml** (PyYAML's C parser, :class:`CloudFormationLoader`), when PyYAML was built with it:
  about ten times faster than ruamel on a large template (0.5 s against 7 s for 30,000 lines).
- **ruamel** round-trip loader: the reference, and the fallback. It parses whatever the fast
  path does not handle itself (merge keys, non-scalar keys, rare standard tags, YAML
  directives, duplicate keys) and every document libyaml refuses, so that what loads and every
  error message (file, line, problem) stay exactly those of ruamel.

Both refuse what would exhaust the recursion or the memory of whatever walks the tree later:
nesting deeper than :data:`MAX_DEPTH` and aliases expanding to more than
:data:`MAX_ALIAS_VALUES` values (:func:`check_tree`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.resolver import implicit_resolvers as _RUAMEL_IMPLICIT_RESOLVERS
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from lambdaslim.errors import LoadError
from lambdaslim.loading.surrogates import reject_lone_surrogates

try:  # PyYAML with libyaml; without it, ruamel alone loads templates (slower, same result)
    import yaml as _pyyaml

    _LIBYAML = bool(getattr(_pyyaml, "__with_libyaml__", False))
except ImportError:  # pragma: no cover - PyYAML is a dependency
    _LIBYAML = False

FUNCTION_TAGS = (
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "ForEach",
    "GetAZs",
    "GetAtt",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
)
# "!GetAtt" -> "Fn::GetAtt"; "!Ref" -> "Ref"; "!Condition" -> "Condition".
LONG_FORMS = {f"!{name}": f"Fn::{name}" for name in FUNCTION_TAGS} | {
    "!Ref": "Ref",
    "!Condition": "Condition",
}


# Deeper documents would exhaust Python's recursion in the walks that follow parsing.
MAX_DEPTH = 100
# Values added by expanding aliases: far beyond real templates, far below a "billion laughs".
MAX_ALIAS_VALUES = 100_000


def _too_deep(line: int | None) -> LoadError:
    return LoadError(f"YAML nested more than {MAX_DEPTH} levels deep", None, line)


def check_tree(root: Any) -> None:
    """Refuse a parsed tree nested too deeply, or whose aliases expand to too many values.

    Both loaders share the object built for an anchor among its aliases, but the model copies
    the tree (``to_plain``, substitutions), expanding every alias: 650 bytes of nested aliases
    become billions of values. The walk visits each mapping and sequence once (an alias adds
    the size and height of what it stands for), so it is linear in the document as written.
    """
    shapes: dict[int, tuple[int, int]] = {}  # id -> (values, height) of a walked container
    expanded = 0

    def visit(node: Any, depth: int) -> tuple[int, int]:
        nonlocal expanded
        if depth > MAX_DEPTH:
            raise _too_deep(_line(node))
        shapes[id(node)] = (-1, 0)  # being walked: an alias to it is recursive
        size, height = 1, 1
        for key, child in node.items() if isinstance(node, dict) else enumerate(node):
            if not isinstance(child, dict | list):
                size += 1
                continue
            known = shapes.get(id(child))
            if known is None:
                child_size, child_height = visit(child, depth + 1)
            else:
                child_size, child_height = known
                if child_size < 0:
                    raise LoadError("YAML alias inside the node it names (a recursive alias)",
                                    None, _child_line(node, key, child))
                expanded += child_size
                if expanded > MAX_ALIAS_VALUES:
                    raise LoadError(
                        f"YAML aliases expand to more than {MAX_ALIAS_VALUES:,} values",
                        None, _child_line(node, key, child),
                    )
                if depth + child_height > MAX_DEPTH:
                    raise _too_deep(_child_line(node, key, child))
            size += child_size
            height = max(height, child_height + 1)
        shapes[id(node)] = (size, height)
        return size, height

    if isinstance(root, dict | list):
        visit(root, 1)


def _line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None


def _child_line(parent: Any, key: Any, child: Any) -> int | None:
    """Line where ``child`` is written inside ``parent``: for an alias, the alias itself.

    In a mapping, the line of its key. The position recorded for a sequence item is that of the
    node (the anchor's, for an alias), so an alias item is placed at its sequence.
    """
    if not isinstance(parent, dict):
        return _line(parent)
    lc: Any = getattr(parent, "lc", None)
    try:
        position = lc.key(key)
    except (AttributeError, KeyError, TypeError):  # no position recorded
        position = None
    return position[0] + 1 if position else _line(child)


# -- ruamel (reference and fallback) ----------------------------------------------------------


class CloudFormationConstructor(RoundTripConstructor):
    """Round-trip constructor that knows the CloudFormation tags and nothing else."""


def _refuse_unknown_tag(constructor: CloudFormationConstructor, node: Node) -> None:
    raise LoadError(f"unknown YAML tag {node.tag}", None, node.start_mark.line + 1)


def _construct_value(constructor: CloudFormationConstructor, node: Node) -> Any:
    if isinstance(node, ScalarNode):
        return str(constructor.construct_scalar(node))
    if isinstance(node, SequenceNode):
        sequence = CommentedSeq()
        sequence._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
        sequence.extend(constructor.construct_object(child, deep=True) for child in node.value)
        return sequence
    assert isinstance(node, MappingNode)
    mapping = CommentedMap()
    mapping._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
    constructor.construct_mapping(node, mapping, deep=True)
    return mapping


def _tagged(key: str, node: Any, value: Any) -> CommentedMap:
    """``{key: value}`` placed where the tagged node (ruamel's or PyYAML's) starts."""
    mapping = CommentedMap()
    mapping[key] = value
    line, column = node.start_mark.line, node.start_mark.column
    mapping._yaml_set_line_col(line, column)
    mapping._yaml_set_kv_line_col(key, [line, column, line, column])
    return mapping


def _function_constructor(name: str) -> Callable[[CloudFormationConstructor, Node], CommentedMap]:
    key = "Ref" if name == "Ref" else "Condition" if name == "Condition" else f"Fn::{name}"

    def construct(constructor: CloudFormationConstructor, node: Node) -> CommentedMap:
        value = _construct_value(constructor, node)
        if name == "GetAtt" and isinstance(value, str):
            logical_id, _, attribute = value.partition(".")
            value = [logical_id, attribute]
        return _tagged(key, node, value)

    return construct


def _construct_timestamp_as_text(constructor: CloudFormationConstructor, node: Node) -> str:
    """``AWSTemplateFormatVersion: 2010-09-09`` stays the string CloudFormation reads."""
    return str(constructor.construct_scalar(node))


for _name in (*FUNCTION_TAGS, "Ref", "Condition"):
    CloudFormationConstructor.add_constructor(f"!{_name}", _function_constructor(_name))
CloudFormationConstructor.add_constructor(None, _refuse_unknown_tag)
CloudFormationConstructor.add_constructor(
    "tag:yaml.org,2002:timestamp", _construct_timestamp_as_text
)


def _ruamel_yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.Constructor = CloudFormationConstructor
    return yaml


def parse_yaml_ruamel(text: str, shown: str) -> Any:
    """The reference loader (ruamel round trip); any problem is a LoadError with file and line."""
    try:
        document = _ruamel_yaml().load(text)
        check_tree(document)
        reject_lone_surrogates(document, text, shown)
        return document
    except LoadError as error:
        raise LoadError(error.message, shown, error.line) from None
    except RecursionError:
        raise LoadError("YAML nested too deeply", shown) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise LoadError(f"invalid YAML: {problem}", shown, line) from None
    except YAMLError as error:
        raise LoadError(f"invalid YAML: {error}", shown) from None


# -- libyaml (fast path) ------------------------------------------------------------------------

STANDARD = "tag:yaml.org,2002:"
STR, INT, FLOAT, BOOL, NULL = (f"{STANDARD}{name}" for name in ("str", "int", "float", "bool",
                                                                   "null"))
SEQ, MAP, TIMESTAMP = f"{STANDARD}seq", f"{STANDARD}map", f"{STANDARD}timestamp"
_PLAIN_INT = re.compile(r"-?[1-9][0-9]*")  # ruamel: plain int (not "0", "+1", "0x1")
# Directives ("%YAML 1.1", "%TAG") and explicit standard tags ("!!str 1", "!<tag:...>") are rare
# and ruamel reads them its own way (``TaggedScalar``...): such documents go to ruamel whole.
_RUAMEL_ONLY = re.compile(r"^%|!!|!<", re.M)


class _Fallback(Exception):
    """Something the fast path leaves to ruamel (which then decides, errors included)."""


def _yaml12_resolvers() -> dict[str | None, list[tuple[str, re.Pattern[str]]]]:
    """ruamel's YAML 1.2 implicit resolvers, by first character, for libyaml's composer."""
    table: dict[str | None, list[tuple[str, re.Pattern[str]]]] = {}
    for versions, tag, regexp, first in _RUAMEL_IMPLICIT_RESOLVERS:
        if (1, 2) in versions:
            for char in first if first is not None else [None]:
                table.setdefault(char, []).append((tag, re.compile(regexp.pattern, re.X)))
    return table


if _LIBYAML:

    class CloudFormationLoader(_pyyaml.CSafeLoader):
        """libyaml composes (C, with line/column marks); this class builds ruamel's trees.

        Plain scalars resolve with ruamel's YAML 1.2 core schema, numbers and booleans are made
        by ruamel's own constructor, and each CloudFormation short tag has its constructor
        (:data:`LONG_FORMS`), so values and ``.lc`` positions equal the ruamel loader's.
        Aliases share the object built for their anchor, as in ruamel (no exponential copies);
        ``aliased`` tells whether there were any (then :func:`check_tree` bounds the copies). The
        nesting is counted while building (:data:`MAX_DEPTH`).
        """

        yaml_implicit_resolvers = _yaml12_resolvers()
        _scalars: RoundTripConstructor | None = None

        def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
            """The tag of an untagged node: YAML 1.2 core schema for plain scalars."""
            if kind is _pyyaml.ScalarNode:
                if implicit[0]:
                    for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                        if regexp.match(value):
                            return tag
                return STR
            return SEQ if kind is _pyyaml.SequenceNode else MAP

        def __init__(self, stream: str):
            super().__init__(stream)
            self._built: dict[int, Any] = {}
            self.aliased = False
            self.depth = 0

        def build_document(self) -> Any:
            node = self.get_single_node()
            return None if node is None else self.build(node)

        def build(self, node: Any) -> Any:
            built = self._built.get(id(node))
            if built is not None:
                self.aliased = True
                return built
            tag = node.tag
            kind = node.id
            value: Any
            if tag in LONG_FORMS:
                value = self.build_tagged(node, tag)
            elif kind == "scalar":
                value = self.build_scalar(node, tag)
            elif kind == "mapping" and tag == MAP:
                value = CommentedMap()
                value._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
                self._built[id(node)] = value  # before the children: aliases to an ancestor
                self.fill_mapping(node, value)
            elif kind == "sequence" and tag == SEQ:
                value = CommentedSeq()
                value._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
                self._built[id(node)] = value
                self.fill_sequence(node, value, positions=True)
            else:
                raise _Fallback(tag)  # unknown tag (refused by ruamel) or a rare standard one
            self._built[id(node)] = value
            return value

        def build_tagged(self, node: Any, tag: str) -> CommentedMap:
            """A CloudFormation short tag, as ruamel's ``_function_constructor`` builds it."""
            kind = node.id
            value: Any
            if kind == "scalar":
                value = str(self.build_scalar(node, STR))
                if tag == "!GetAtt":
                    logical_id, _, attribute = value.partition(".")
                    value = [logical_id, attribute]
            elif kind == "sequence":
                value = CommentedSeq()
                value._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
                self.fill_sequence(node, value, positions=False)
            else:
                value = CommentedMap()
                value._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
                self.fill_mapping(node, value)
            return _tagged(LONG_FORMS[tag], node, value)

        def build_scalar(self, node: Any, tag: str) -> Any:
            value = node.value
            if tag in (STR, TIMESTAMP):  # timestamps stay the text written
                style = node.style
                if style == "|":
                    return LiteralScalarString(value)
                if style == ">":
                    return FoldedScalarString(value)
                return value
            if tag == INT and _PLAIN_INT.fullmatch(value):
                return int(value)
            if tag == NULL and not node.style:
                return None
            if tag in (INT, FLOAT, BOOL, NULL):
                return self.ruamel_scalar(node, tag)
            raise _Fallback(tag)

        def ruamel_scalar(self, node: Any, tag: str) -> Any:
            """Numbers and booleans exactly as ruamel makes them (``0x1F``, ``1_000``, ``.inf``)."""
            if CloudFormationLoader._scalars is None:
                CloudFormationLoader._scalars = _ruamel_yaml().constructor
            constructor = CloudFormationLoader._scalars
            ruamel_node = ScalarNode(tag, node.value, node.start_mark, node.end_mark,
                                     style=node.style or None)
            method = {
                INT: constructor.construct_yaml_int,
                FLOAT: constructor.construct_yaml_float,
                BOOL: constructor.construct_yaml_bool,
                NULL: constructor.construct_yaml_null,
            }[tag]
            return method(ruamel_node)

        def fill_mapping(self, node: Any, mapping: CommentedMap) -> None:
            if not node.value:
                return
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _too_deep(node.start_mark.line + 1)
            build = self.build
            lc = mapping.lc
            positions = lc.data = lc.data if lc.data is not None else {}
            for key_node, value_node in node.value:
                if key_node.id != "scalar" or key_node.tag not in (STR, INT, FLOAT, BOOL, NULL):
                    raise _Fallback("key")  # merge keys ("<<"), tagged or non-scalar keys
                key = self.build_scalar(key_node, key_node.tag)
                if key in mapping:
                    raise _Fallback("duplicate key")  # ruamel words the error
                mapping[key] = build(value_node)
                key_mark, value_mark = key_node.start_mark, value_node.start_mark
                positions[key] = [key_mark.line, key_mark.column, value_mark.line,
                                  value_mark.column]
            self.depth -= 1

        def fill_sequence(self, node: Any, sequence: CommentedSeq, *, positions: bool) -> None:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise _too_deep(node.start_mark.line + 1)
            build = self.build
            sequence.extend(build(child) for child in node.value)
            self.depth -= 1
            if positions and node.value:  # ruamel records positions of untagged sequences only
                lc = sequence.lc
                data = lc.data = lc.data if lc.data is not None else {}
                for index, child in enumerate(node.value):
                    data[index] = [child.start_mark.line, child.start_mark.column]


def parse_yaml_libyaml(text: str) -> Any:
    """The fast path; raises ``_Fallback`` (or a PyYAML error) for what ruamel must decide."""
    loader = CloudFormationLoader(text)
    try:
        document = loader.build_document()
    finally:
        loader.dispose()
    if loader.aliased:
        check_tree(document)
    return document


def parse_yaml(text: str, shown: str) -> Any:
    """Parse one YAML document; any syntax problem is a LoadError naming ``shown`` and the line."""
    if _LIBYAML and not _RUAMEL_ONLY.search(text):
        try:
            document = parse_yaml_libyaml(text)
        except LoadError as error:
            raise LoadError(error.message, shown, error.line) from None
        except (_Fallback, _pyyaml.YAMLError, RecursionError, ValueError):
            pass  # ruamel decides: the same tree, or ruamel's own error message
        else:
            reject_lone_surrogates(document, text, shown)
            return document
    return parse_yaml_ruamel(text, shown)
