"""Random edit sequences: the data ends up exactly as edited, and only the edited blocks change.

The expected data is the same edits applied to plain dicts. Which lines an edit may touch is
decided independently of the editor, from ruamel.yaml's round-trip line numbers: the lines of the
edited entry (up to its next sibling, plus the comments and blank lines directly above it). The
YAML result is also read back with cfn-lint's YAML 1.1 loader, so quoting holds for both YAML
versions.
"""

from __future__ import annotations

import copy
import io
from pathlib import Path
from typing import Any

from cfnlint.decode.cfn_yaml import loads as cfn_yaml_loads
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from lambdaslim.rewrite.template_edit import TemplateEditor

FIXTURES = Path(__file__).parent.parent / "fixtures" / "templates"
STYLED = """\
# four spaces, sequences not indented, double quotes
Resources:
    Queue:
        Type: "AWS::SQS::Queue"
        Properties:
            Tags:
            - Key: "team"
              Value: "payments"   # owner
            - {Key: env, Value: !Ref Env}

    # the worker
    Worker:
        Type: AWS::Serverless::Function
        Properties:
            Events: {}
            Layers: [!Ref Layer, "arn:aws:lambda:::layer:x"]
            Description: |
                Line one.
                Line two.
Outputs:
    Arn:
        Value:
            Fn::GetAtt: [Worker, Arn]
"""
DOCUMENTS = {
    "template.yaml": (FIXTURES / "sam_app.yaml").read_text(),
    "styled.yaml": STYLED,
    "cdk.template.json": (FIXTURES / "cdk_app.template.json").read_text(),
}

TRICKY = ["yes", "No", "null", "~", "1.0", "0x1F", "1_000", "12:30", "2010-09-09", "", " lead",
          "trail ", "a\n", "a\n\n", "\n", "- x", "---", "=", "<<", "a: b", "a #b", "#c", "'q'",
          '"d"', "!Ref", "*a", "@x", "%y", "x\r\ny", "tab\tx", "${AWS::Region}", "é", "\u2028"]
KEYS = st.sampled_from(["Type", "Ref", "Fn::Sub", "yes", "1", "a b", "x:y", "#k", "- d", "é", "'q"])
TEXT = st.one_of(
    st.sampled_from(TRICKY),
    st.text(alphabet="ab :#'\"\n\t-é{}[],!&*|>%@`?\\$", max_size=12),
)
NAMES = st.sampled_from(["Queue", "Worker", "UsersTable", "AWS::Region"])


def values(json_safe: bool) -> st.SearchStrategy[Any]:
    floats = st.floats(allow_nan=False, allow_infinity=not json_safe)
    scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), floats, TEXT)
    intrinsics = st.one_of(
        st.builds(lambda name: {"Ref": name}, NAMES),
        st.builds(lambda a, b: {"Fn::GetAtt": [a, b]}, NAMES, st.sampled_from(["Arn", "A.B"])),
        st.builds(lambda text: {"Fn::Sub": text}, TEXT),
        st.builds(lambda a, b: {"Fn::Join": [",", [a, b]]}, TEXT, st.builds(dict, Ref=NAMES)),
        st.builds(lambda text, name: {"Fn::Base64": {"Fn::Sub": [text, {"V": {"Ref": name}}]}},
                  TEXT, NAMES),
    )
    return st.recursive(
        st.one_of(scalars, intrinsics),
        lambda inner: st.one_of(st.lists(inner, max_size=3),
                                st.dictionaries(KEYS | TEXT, inner, max_size=3)),
        max_leaves=6,
    )


def paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path below ``data``."""
    if isinstance(data, dict):
        children = list(data.items())
    elif isinstance(data, list):
        children = list(enumerate(data))
    else:
        return []
    found = []
    for step, child in children:
        found.append((*prefix, step))
        found.extend(paths(child, (*prefix, step)))
    return found


def lookup(data: Any, path: tuple) -> Any:
    for step in path:
        data = data[step]
    return data


def region(text: str, path: tuple, is_json: bool) -> tuple[int, int]:
    """Lines [first, last] of the entry at ``path`` (its parent's when it does not exist)."""
    lines = text.split("\n")
    node = YAML().load(io.StringIO(text))
    first, last = 0, len(lines) - 1
    for step in path:
        if not isinstance(node, (CommentedMap, CommentedSeq)) or (
            step not in node if isinstance(node, CommentedMap) else step >= len(node)
        ):
            break
        steps = list(node) if isinstance(node, CommentedMap) else list(range(len(node)))
        where = node.lc.key if isinstance(node, CommentedMap) else node.lc.item
        position = steps.index(step)
        first = where(step)[0]
        if position + 1 < len(steps):  # a flow entry may end where the next one starts
            last = where(steps[position + 1])[0] - (0 if node.fa.flow_style() else 1)
        node = node[step]
    if is_json:
        return max(first - 1, 0), last  # removing a last entry takes the comma before it
    while first > 0 and (not lines[first - 1].strip() or lines[first - 1].lstrip().startswith("#")):
        first -= 1
    return first, last


def block_prefix(text: str, path: tuple, is_json: bool) -> tuple:
    """The longest prefix of ``path`` whose containers are all untagged block collections:
    an edit below a flow collection or a tagged node renders that node again."""
    if is_json:
        return path
    node = YAML().load(io.StringIO(text))
    for depth, step in enumerate(path):
        block = isinstance(node, (CommentedMap, CommentedSeq)) and not node.fa.flow_style()
        if not block or getattr(node.tag, "value", None):
            return path[:depth]
        if isinstance(node, CommentedMap) and step not in node:
            return path
        node = node[step]
    return path


def edit(draw: Any, editor: TemplateEditor, expected: Any, text: str, is_json: bool) -> tuple:
    """Apply one random edit to both; return the path whose entry may change."""
    existing = paths(expected)
    op = draw(st.sampled_from(["set", "add", "delete", "insert_after"]))
    if op == "set":
        path = draw(st.sampled_from(existing))
        value = draw(values(is_json))
        editor.set(path, value)
        parent = lookup(expected, path[:-1])
        parent[path[-1]] = value
        return block_prefix(text, path, is_json)
    mappings = [()] + [p for p in existing if isinstance(lookup(expected, p), dict)]
    if op == "add":
        parent_path = draw(st.sampled_from(mappings))
        parent = lookup(expected, parent_path)
        key = draw(KEYS.filter(lambda k: k not in {str(existing) for existing in parent}))
        value = draw(values(is_json))
        editor.set((*parent_path, key), value)
        parent[key] = value
        return block_prefix(text, parent_path, is_json)
    if op == "delete":
        path = draw(st.sampled_from(existing))
        editor.delete(path)
        parent = lookup(expected, path[:-1])
        # without the first key of `- Key: v` (or item of `- - v`) the next one moves up
        compact = len(path) > 1 and isinstance(path[-2], int) and path[-1] == next(iter(parent), 0)
        del parent[path[-1]]
        anchor = block_prefix(text, path, is_json)
        return anchor[:-1] if anchor == path and (not parent or compact) else anchor
    in_mappings = [p for p in existing if isinstance(lookup(expected, p[:-1]), dict)]
    path = draw(st.sampled_from(in_mappings))
    parent = lookup(expected, path[:-1])
    key = draw(KEYS.filter(lambda k: k not in {str(existing) for existing in parent}))
    value = draw(values(is_json))
    editor.insert_after(path, key, value)
    items = list(parent.items())
    items.insert([k for k, _ in items].index(path[-1]) + 1, (key, value))
    parent.clear()
    parent.update(items)
    return block_prefix(text, path[:-1], is_json)


@settings(max_examples=60, derandomize=True, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.sampled_from(sorted(DOCUMENTS)), st.data())
def test_random_edits(name: str, data: st.DataObject) -> None:
    text = DOCUMENTS[name]
    is_json = name.endswith(".json")
    editor = TemplateEditor.from_text(text, name)
    expected = copy.deepcopy(editor.get(()))
    for _ in range(data.draw(st.integers(1, 5))):
        if not expected:
            break
        before = editor.text()
        anchor = edit(data.draw, editor, expected, before, is_json)
        after = editor.text()
        assert editor.get(()) == expected
        assert TemplateEditor.from_text(after, name).get(()) == expected
        if not is_json:
            assert cfn_yaml_loads(after) == expected

        first, last = region(before, anchor, is_json)
        old, new = before.split("\n"), after.split("\n")
        kept = len(old) - last - 1
        assert new[:first] == old[:first], (anchor, first)
        assert new[len(new) - kept :] == old[last + 1 :], (anchor, last)
