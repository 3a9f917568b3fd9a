"""YAML loading with every CloudFormation short-form tag.

ruamel's round-trip loader is safe (it never builds arbitrary Python objects) and keeps the line of
every mapping and key (``CommentedMap.lc``). Short tags become the long form CloudFormation itself
uses (``!GetAtt A.B`` -> ``{"Fn::GetAtt": ["A", "B"]}``), so the rest of the loader sees one form.
Any other tag is refused.
"""

from __future__ import annotations

from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from lambdaslim.errors import LoadError

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


def _tagged(key: str, node: Node, value: Any) -> CommentedMap:
    mapping = CommentedMap()
    mapping[key] = value
    mapping._yaml_set_line_col(node.start_mark.line, node.start_mark.column)
    line, column = node.start_mark.line, node.start_mark.column
    mapping._yaml_set_kv_line_col(key, [line, column, line, column])
    return mapping


def _function_constructor(name: str):
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


def parse_yaml(text: str, shown: str) -> Any:
    """Parse one YAML document; any syntax problem is a LoadError naming ``shown`` and the line."""
    yaml = YAML(typ="rt")
    yaml.Constructor = CloudFormationConstructor
    try:
        return yaml.load(text)
    except LoadError as error:
        raise LoadError(error.message, shown, error.line) from None
    except MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = error.problem or error.context or "invalid YAML"
        raise LoadError(f"invalid YAML: {problem}", shown, line) from None
    except YAMLError as error:
        raise LoadError(f"invalid YAML: {error}", shown) from None
