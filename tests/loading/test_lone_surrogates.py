"""A lone UTF-16 surrogate escape is refused as the document is read, with its line."""

from __future__ import annotations

import pytest

from lambdaslim.errors import LoadError
from lambdaslim.loading.cfn_yaml import parse_yaml
from lambdaslim.loading.json_lines import parse_json

PAIRED_JSON = '{\n  "Description": "Orders \\ud83d\\ude80",\n  "Outputs": {}\n}\n'


def test_a_json_surrogate_pair_is_one_character() -> None:
    assert parse_json(PAIRED_JSON, "template.json")["Description"] == "Orders \U0001F680"


def test_a_lone_json_half_is_named_at_its_own_line_not_the_pairs() -> None:
    outputs = '"Outputs": {\n    "Url": {"Value": "x \\ud83d"}\n  }'
    text = PAIRED_JSON.replace('"Outputs": {}', outputs)
    with pytest.raises(LoadError) as raised:
        parse_json(text, "template.json")
    assert (raised.value.line, raised.value.message) == (
        4, "\\ud83d is half of a UTF-16 surrogate pair, not a character")


@pytest.mark.parametrize("text", [
    "Description: 'literal \\ud83d in single quotes'\n",
    "Description: plain \\ud83d text\n",
    'Description: "escaped \\U0001F680 rocket"\n',
    "# a comment about \\ud83d\nDescription: fine\n",
])
def test_yaml_that_only_looks_like_a_surrogate_escape_loads(text: str) -> None:
    assert parse_yaml(text, "template.yaml")["Description"]


def test_a_lone_yaml_half_in_a_sequence_is_named_at_its_item() -> None:
    text = "Tags:\n  - ok\n  - \"broken \\udc00\"\n"
    with pytest.raises(LoadError) as raised:
        parse_yaml(text, "template.yaml")
    assert raised.value.line == 3
    assert raised.value.message.startswith("\\udc00 is half")
