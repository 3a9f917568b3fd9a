"""The libyaml fast path builds exactly the trees (values, types, lines) ruamel builds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lambdaslim.errors import LoadError
from lambdaslim.loading import cfn_yaml
from lambdaslim.loading.cfn_yaml import parse_yaml, parse_yaml_libyaml, parse_yaml_ruamel
from lambdaslim.loading.documents import to_plain

pytestmark = pytest.mark.skipif(not cfn_yaml._LIBYAML, reason="PyYAML without libyaml")

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted(
    path
    for pattern in ("tests/fixtures/**/*.yaml", "tests/fixtures/**/*.yml", "samples/**/*.yaml")
    for path in ROOT.glob(pattern)
)

EDGE_CASES = [
    "AWSTemplateFormatVersion: 2010-09-09\nResources: {}\n",
    "a: 1\nb: -2\nc: 0x1F\nd: 0o17\ne: 1_000\nf: 1.5\ng: .inf\nh: -.INF\ni: .nan\nj: 1e3\n",
    "a: true\nb: False\nc: yes\nd: no\ne: on\nf: ~\ng: null\nh:\ni: ''\nj: 'null'\n",
    "a: 007\nb: +12\nc: '12'\nd: \"3.0\"\ne: 1.\nf: 0b101\n",
    "a: |\n  line one\n  line two\nb: >\n  folded\n  text\nc: |-\n  x\n",
    "1: one\n2.5: two\nfalse: three\n~: four\n",
    "base: &base {x: 1, y: [1, 2]}\nuse: *base\nlist: [*base, *base]\n",
    "Value: !Sub\n  - '${A}-${B}'\n  - A: !Ref X\n    B: !GetAtt Y.Arn\n",
    "Value: !If [Cond, !Join ['', [a, !Ref B]], !Ref 'AWS::NoValue']\n",
    "Value: !GetAtt [Res, Attr]\nOther: !Select [0, !GetAZs '']\n",
    "Value: !Transform {Name: AWS::Include, Parameters: {Location: api.yaml}}\n",
    "Outer:\n  - a\n  - - b\n    - c\n  - {k: v}\n  -\n  - !Ref R\n",
    "Empty: {}\nEmptyList: []\nNested: {a: {}, b: []}\n",
    "Name: caf\u00e9 \u00fcber\nNext: {\u00e9: \u00e8}\nLast: x\n",
    "a: 1\r\nb:\r\n  c: 2\r\n",
    "",
    "# only a comment\n",
    "- just\n- a list\n",
    "plain scalar document\n",
    "a: 2001-12-14t21:59:43.10-05:00\nb: 2002-12-14\n",
]

BAD = [
    "Resources:\n  A:\n    Type: [unclosed\n",
    "Resources:\n  A:\n    Type: x\n   B: [\n",
    "a: 1\na: 2\n",
    "a: !Custom x\n",
    "a: !!python/object/apply:os.system [echo hi]\n",
    "a: !!python/name:os.system\n",
    "a: b\n---\nc: d\n",
    "base: &b {x: 1}\nuse:\n  <<: *b\n  y: 2\n",
    "%YAML 1.1\n---\na: yes\n",
    "a: *missing\n",
    "? [a, b]\n: c\n",
    "a:\n\tb: 1\n",
    "a: 'unterminated\n",
    "1: one\ntrue: two\n",
    "x: =\n",
    "a: !!str 123\nb: !!int '42'\nc: !!float 1\nd: !!bool 'true'\ne: !!null ''\n",
]


def shape(node: Any) -> Any:
    """Types, values, and every position lambdaslim reads (node, key and item starts).

    Only the *value* position of an empty value (``key:`` then a new line) differs: ruamel
    puts it where the next token starts, libyaml right after the colon. Nothing reads it.
    """
    lc = getattr(node, "lc", None)
    where = None
    if lc is not None:
        starts = {key: tuple(position[:2]) for key, position in (lc.data or {}).items()}
        where = (lc.line, lc.col, starts)
    if isinstance(node, dict):
        items = [(shape(key), shape(value)) for key, value in node.items()]
        return ("map", type(node).__name__, where, items)
    if isinstance(node, list):
        return ("seq", type(node).__name__, where, [shape(value) for value in node])
    return (type(node).__name__, repr(node), str(node))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_fixture_templates_load_identically(path: Path) -> None:
    try:
        text = path.read_text("utf-8-sig")
    except UnicodeDecodeError:
        pytest.skip("not UTF-8 (a bad-input fixture)")
    try:
        expected = parse_yaml_ruamel(text, "t.yaml")
    except LoadError:
        pytest.skip("not valid YAML for ruamel either")
    assert shape(parse_yaml_libyaml(text)) == shape(expected)
    assert shape(parse_yaml(text, "t.yaml")) == shape(expected)


@pytest.mark.parametrize("text", EDGE_CASES)
def test_edge_cases_load_identically(text: str) -> None:
    assert shape(parse_yaml(text, "t.yaml")) == shape(parse_yaml_ruamel(text, "t.yaml"))


@pytest.mark.parametrize("text", EDGE_CASES[:16])
def test_edge_cases_take_the_fast_path(text: str) -> None:
    assert shape(parse_yaml_libyaml(text)) == shape(parse_yaml_ruamel(text, "t.yaml"))


@pytest.mark.parametrize("text", BAD)
def test_what_ruamel_refuses_or_handles_itself_gives_its_result_or_error(text: str) -> None:
    try:
        expected: Any = shape(parse_yaml_ruamel(text, "bad.yaml"))
    except LoadError as error:
        expected = (error.message, error.file, error.line)
    try:
        got: Any = shape(parse_yaml(text, "bad.yaml"))
    except LoadError as error:
        got = (error.message, error.file, error.line)
    assert got == expected


def test_without_libyaml_ruamel_loads_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    text = EDGE_CASES[8]
    fast = shape(parse_yaml(text, "t.yaml"))
    monkeypatch.setattr(cfn_yaml, "_LIBYAML", False)
    assert shape(parse_yaml(text, "t.yaml")) == fast


def test_aliases_share_one_object_instead_of_expanding() -> None:
    text = "a: &a [x, y]\nb: &b [*a, *a, *a]\nc: &c [*b, *b, *b]\nd: [*c, *c, *c]\n"
    document = parse_yaml_libyaml(text)
    assert document["d"][0] is document["d"][1] is document["c"]


# -- limits: nesting and alias expansion (both loaders) ------------------------------------


def nested(depth: int) -> str:
    return "Tags: " + "[" * depth + "]" * depth + "\n"


def alias_levels(levels: int) -> str:
    """Each level an anchored list of nine aliases to the previous one: 9**levels values."""
    lines = ["a0: &a0 [" + ", ".join(["x"] * 9) + "]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("parse", [parse_yaml, parse_yaml_ruamel])
def test_nesting_up_to_the_limit_loads(parse) -> None:
    assert parse(nested(cfn_yaml.MAX_DEPTH - 1), "t.yaml")["Tags"]


@pytest.mark.parametrize("parse", [parse_yaml, parse_yaml_ruamel])
def test_nesting_beyond_the_limit_is_one_load_error(parse) -> None:
    with pytest.raises(LoadError, match="YAML nested") as error:
        parse("a: 1\n" + nested(300), "t.yaml")
    assert error.value.file == "t.yaml"


def test_the_fast_path_names_the_line_of_the_deepest_node() -> None:
    with pytest.raises(LoadError) as error:
        parse_yaml("a: 1\n" + nested(cfn_yaml.MAX_DEPTH + 1), "t.yaml")
    assert (error.value.message, error.value.line) == ("YAML nested more than 100 levels deep", 2)


def test_aliases_nested_beyond_the_limit_are_refused() -> None:
    """Each alias is shallow; the copy it stands for is not."""
    text = "a: &a " + "[" * 60 + "]" * 60 + "\nb: &b " + "[" * 50 + "*a" + "]" * 50 + "\n"
    with pytest.raises(LoadError, match="YAML nested more than 100 levels deep"):
        parse_yaml(text, "t.yaml")


@pytest.mark.parametrize("parse", [parse_yaml, parse_yaml_ruamel])
def test_aliases_expanding_to_too_many_values_are_refused(parse) -> None:
    with pytest.raises(LoadError) as error:
        parse(alias_levels(6), "t.yaml")
    assert error.value.message == "YAML aliases expand to more than 100,000 values"
    assert (error.value.file, error.value.line) == ("t.yaml", 6)  # the alias crossing the limit


def test_aliases_expanding_to_fewer_values_load() -> None:
    document = parse_yaml(alias_levels(4), "t.yaml")
    assert to_plain(document)["a4"][8][8][8][8] == ["x"] * 9


def test_a_recursive_alias_is_refused() -> None:
    with pytest.raises(LoadError, match="recursive alias") as error:
        parse_yaml("a: &a\n  - x\n  - *a\n", "t.yaml")
    assert error.value.line == 1  # the (anchored) sequence holding the alias
