"""CloudFormation YAML: every short tag becomes the long form; lines survive; nothing else loads."""

import json

import pytest

from lambdaslim.errors import LoadError
from lambdaslim.loading.cfn_yaml import parse_yaml
from lambdaslim.loading.documents import key_line, to_plain

SHORT_AND_LONG = [
    ("!Ref Table", {"Ref": "Table"}),
    ("!GetAtt Fn.Arn", {"Fn::GetAtt": ["Fn", "Arn"]}),
    ("!GetAtt [Fn, Arn]", {"Fn::GetAtt": ["Fn", "Arn"]}),
    ("!GetAtt Bucket.Outputs.Name", {"Fn::GetAtt": ["Bucket", "Outputs.Name"]}),
    ("!Sub 'arn:${AWS::Partition}:x'", {"Fn::Sub": "arn:${AWS::Partition}:x"}),
    ("!Sub ['${A}-x', {A: !Ref B}]", {"Fn::Sub": ["${A}-x", {"A": {"Ref": "B"}}]}),
    ("!Join ['', [a, !Ref B]]", {"Fn::Join": ["", ["a", {"Ref": "B"}]]}),
    ("!If [IsProd, a, !Ref AWS::NoValue]", {"Fn::If": ["IsProd", "a", {"Ref": "AWS::NoValue"}]}),
    ("!Select [0, !GetAZs '']", {"Fn::Select": [0, {"Fn::GetAZs": ""}]}),
    ("!FindInMap [M, K, V]", {"Fn::FindInMap": ["M", "K", "V"]}),
    ("!Split [',', 'a,b']", {"Fn::Split": [",", "a,b"]}),
    ("!Base64 text", {"Fn::Base64": "text"}),
    ("!ImportValue shared-vpc", {"Fn::ImportValue": "shared-vpc"}),
    ("!Equals [a, b]", {"Fn::Equals": ["a", "b"]}),
    ("!And [!Condition A, !Condition B]", {"Fn::And": [{"Condition": "A"}, {"Condition": "B"}]}),
    (
        "!Or [!Condition A, !Not [!Condition B]]",
        {"Fn::Or": [{"Condition": "A"}, {"Fn::Not": [{"Condition": "B"}]}]},
    ),
    ("!Cidr [10.0.0.0/16, 4, 8]", {"Fn::Cidr": ["10.0.0.0/16", 4, 8]}),
    (
        "!Transform {Name: AWS::Include, Parameters: {Location: api.yaml}}",
        {"Fn::Transform": {"Name": "AWS::Include", "Parameters": {"Location": "api.yaml"}}},
    ),
]


@pytest.mark.parametrize(("text", "expected"), SHORT_AND_LONG)
def test_short_tags_become_long_form(text, expected):
    assert to_plain(parse_yaml(f"Value: {text}\n", "t.yaml")) == {"Value": expected}


@pytest.mark.parametrize(("_", "long_form"), SHORT_AND_LONG)
def test_long_form_loads_unchanged(_, long_form):
    assert to_plain(parse_yaml(json.dumps({"Value": long_form}), "t.yaml")) == {"Value": long_form}


def test_template_version_date_stays_text_and_lines_are_kept():
    document = parse_yaml(
        "AWSTemplateFormatVersion: 2010-09-09\nResources:\n  Queue:\n    Type: AWS::SQS::Queue\n",
        "t.yaml",
    )
    assert document["AWSTemplateFormatVersion"] == "2010-09-09"
    assert key_line(document["Resources"], "Queue") == 3


@pytest.mark.parametrize(
    "text",
    [
        "a: !Custom x\n",
        "a: !!python/object/apply:os.system [echo hi]\n",
        "a: !!python/name:os.system\n",
    ],
)
def test_unknown_and_python_tags_are_refused(text):
    with pytest.raises(LoadError, match="unknown YAML tag") as error:
        parse_yaml(text, "t.yaml")
    assert (error.value.file, error.value.line) == ("t.yaml", 1)


def test_malformed_yaml_names_file_and_line():
    with pytest.raises(LoadError) as error:
        parse_yaml("Resources:\n  A:\n    Type: x\n   B: [\n", "bad.yaml")
    assert error.value.file == "bad.yaml"
    assert error.value.line == 4


def test_to_plain_keeps_the_order_and_merged_keys_of_a_commented_map() -> None:
    """to_plain reads ruamel's maps as the OrderedDicts they are: the same items, own keys
    first and then the keys a merge (``<<``) brought, as ``CommentedMap.items()`` gives them."""
    document = parse_yaml("base: &b {x: 1, z: 3}\nuse:\n  <<: *b\n  y: 2\n  z: 4\n", "m.yaml")
    plain = to_plain(document)
    assert list(plain["use"].items()) == list(document["use"].items()) == [
        ("y", 2), ("z", 4), ("x", 1)]
    assert type(plain["use"]) is dict
