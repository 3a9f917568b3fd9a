"""The template editor at scale, and where it still parses the whole text.

A YAML edit keeps the node tree up to date instead of parsing the template again (see
``template_edit``). The reference is the editor as it was: the whole text parsed after every
edit. A rewrite of a 60-step pipeline (51 steps replaced: some 190 edits of one template) is
recorded edit by edit, and replaying those edits on the reference gives the same value after
each edit and the same bytes at the end.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from lambdaslim.cli import main
from lambdaslim.errors import LoadError
from lambdaslim.rewrite import template_changes
from lambdaslim.rewrite.template_edit import TemplateEditor


class ReparsingEditor(TemplateEditor):
    """The reference: every edit parses the whole text again."""

    def _patch(self, *args: Any) -> bool:
        return False


# -- a 60-step pipeline ------------------------------------------------------------------------

COUNT = 60
HEADER = """\
# Order pipeline: {count} steps, one state machine.
AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  Synthetic order pipeline for the editor's scale test.

Parameters:
  Stage:
    Type: String
    Default: dev  # dev | prod

Globals:
  Function:
    Runtime: python3.12
    Timeout: 10
    Environment:
      Variables:
        TABLE_NAME: !Ref RecordsTable

Resources:
  # the one table every step writes to
  RecordsTable:
    Type: AWS::DynamoDB::Table
    Properties:
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: pk
          AttributeType: S
      KeySchema:
        - AttributeName: pk
          KeyType: HASH
"""
FUNCTION = """
  # step {n:02d}
  Step{n:02d}Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/step{n:02d}/
      Handler: app.handler
      # Tracing: Active
"""
LOGS = """
  Step{n:02d}Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub /aws/lambda/${{Step{n:02d}Function}}
      RetentionInDays: 14
"""
MACHINE = """
  Flow:
    Type: AWS::Serverless::StateMachine
    DependsOn:
{depends}    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        TableName: !Ref RecordsTable
{substitutions}      Policies:
        - DynamoDBCrudPolicy:
            TableName: !Ref RecordsTable
{policies}
Outputs:
  FlowArn:
    Value: !Ref Flow
{outputs}"""
OUTPUT = """\
  Step{n:02d}Arn:  # for the dashboard
    Value: !GetAtt Step{n:02d}Function.Arn
"""
TRANSPORT = """\
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    table.put_item(Item={{"pk": event["id"], "step": "{n:02d}"}})
    return event
"""
COMPUTE = """\
def handler(event, context):
    total = 0
    for line in event["lines"]:
        total += line["price"] * line["quantity"]
    return {"id": event["id"], "lines": event["lines"], "total": total}
"""


def kept(n: int) -> bool:
    return n % 7 == 3


def pipeline_app(root: Path) -> Path:
    """COUNT steps chained in one state machine: each step a function with an invoke policy
    and a substitution, some with a log group (some of those in ``DependsOn``) or an output;
    every 7th computes something (kept), the others only write to the table (replaced)."""
    steps = range(COUNT)
    template = HEADER.format(count=COUNT) + "".join(
        FUNCTION.format(n=n) + (LOGS.format(n=n) if n % 3 == 0 else "") for n in steps
    )
    template += MACHINE.format(
        depends="".join(f"      - Step{n:02d}Logs\n" for n in steps if n % 9 == 0),
        substitutions="".join(
            f"        Step{n:02d}Arn: !GetAtt Step{n:02d}Function.Arn\n" for n in steps
        ),
        policies="".join(
            f"        - LambdaInvokePolicy:\n            FunctionName: !Ref Step{n:02d}Function\n"
            for n in steps
        ),
        outputs="".join(OUTPUT.format(n=n) for n in steps if n % 4 == 0),
    )
    (root / "statemachine").mkdir(parents=True)
    (root / "template.yaml").write_text(template)
    states = {
        f"Step {n:02d}": {"Type": "Task", "Resource": f"${{Step{n:02d}Arn}}",
                          **({"Next": f"Step {n + 1:02d}"} if n + 1 < COUNT else {"End": True})}
        for n in steps
    }
    (root / "statemachine" / "flow.asl.json").write_text(
        json.dumps({"StartAt": "Step 00", "States": states}, indent=2) + "\n"
    )
    for n in steps:
        folder = root / "functions" / f"step{n:02d}"
        folder.mkdir(parents=True)
        (folder / "app.py").write_text(COMPUTE if kept(n) else TRANSPORT.format(n=n))
    return root


def test_a_rewrite_of_many_edits_gives_what_parsing_after_each_edit_gives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorded: list[tuple[str, tuple[Any, ...]]] = []

    class RecordingEditor(TemplateEditor):
        """The rewrite's editor, recording the edits its callers make (not its own)."""

        depth = 0

        def set(self, path: Any, value: Any) -> None:
            self._record("set", path, value)

        def delete(self, path: Any) -> None:
            self._record("delete", path)

        def insert_after(self, path: Any, key: str, value: Any) -> None:
            self._record("insert_after", path, key, value)

        def _record(self, name: str, *args: Any) -> None:
            if self.depth == 0:
                recorded.append((name, copy.deepcopy(args)))
            self.depth += 1
            try:
                getattr(super(), name)(*args)
            finally:
                self.depth -= 1

    monkeypatch.setattr(template_changes, "TemplateEditor", RecordingEditor)
    app, out = pipeline_app(tmp_path / "app"), tmp_path / "out"
    result = CliRunner().invoke(main, ["rewrite", str(app), "--out", str(out)])
    assert result.exit_code == 0, result.output
    kept_count = sum(kept(n) for n in range(COUNT))
    assert f"{COUNT - kept_count} functions replaced, {kept_count} kept" in result.output
    names = [name for name, _ in recorded]
    assert names.count("delete") > 150 and "set" in names

    original = (app / "template.yaml").read_text()
    editor = TemplateEditor.from_text(original, "template.yaml")
    reference = ReparsingEditor.from_text(original, "template.yaml")
    for name, args in recorded:
        getattr(editor, name)(*args)
        getattr(reference, name)(*args)
        assert editor.get(()) == reference.get(()), (name, args[0])
    rewritten = (out / "template.yaml").read_text()
    assert editor.text() == reference.text() == rewritten
    resources = reference.get(("Resources",))
    assert [n for n in range(COUNT) if f"Step{n:02d}Function" in resources] == [
        n for n in range(COUNT) if kept(n)
    ]
    assert "  # the one table every step writes to\n" in rewritten
    assert "Default: dev  # dev | prod\n" in rewritten


# -- where a YAML edit parses the whole text ---------------------------------------------------

BASE = """\
Resources:
  A:
    Type: X
    Properties:
      Tags:
        - Key: a
          Value: 1  # one
        - Key: b
          Value: 2

  B:
    Type: Y
"""


def same_edits(text: str, *edits: tuple[str, tuple[Any, ...]]) -> str:
    """The text after ``edits``, checked against the reference edit by edit."""
    editor = TemplateEditor.from_text(text, "template.yaml")
    reference = ReparsingEditor.from_text(text, "template.yaml")
    for name, args in edits:
        getattr(editor, name)(*args)
        getattr(reference, name)(*args)
        assert editor.get(()) == reference.get(())
    assert editor.text() == reference.text()
    return editor.text()


@pytest.mark.parametrize("text", [
    BASE,
    "%YAML 1.2\n---\n" + BASE,  # a directive
    BASE + "  C:\n    Description: |+\n      keeps its blank lines\n\n",  # keep chomping
    BASE.replace("\n", "\r\n"),
    BASE.rstrip("\n"),  # deleting B ends the text
])
def test_edits_in_every_kind_of_document(text: str) -> None:
    edits = [
        ("set", (("Resources", "A", "Properties", "Tags", 0, "Value"), {"Ref": "B"})),
        ("insert_after", (("Resources", "A", "Type"), "Condition", "IsProd")),
        ("delete", (("Resources", "A", "Properties", "Tags", 0, "Key"),)),
        ("set", (("Resources", "A", "Properties", "Tags", 1), {"Key": "c", "Value": [1, 2]})),
        ("set", (("Resources", "B", "Properties"), {"Timeout": 3})),
        ("delete", (("Resources", "B"),)),
    ]
    result = same_edits(text, *edits)
    assert "Value: !Ref B  # one" in result and "Condition: IsProd" in result


def test_an_explicit_key_and_a_first_key_after_a_dash() -> None:
    text = "Resources:\n  ? A\n  : Type: X\n  B:\n  - - 1\n    - 2\n  - Key: k\n    V: 1\n"
    same_edits(
        text,
        ("set", (("Resources", "A", "Type"), "Y")),
        ("delete", (("Resources", "B", 0, 0),)),
        ("delete", (("Resources", "B", 1, "Key"),)),
        ("set", (("Resources", "B", 0, 0), "x")),
    )


def test_a_new_key_equal_to_an_existing_one_is_reported_by_the_parse() -> None:
    editor = TemplateEditor.from_text("Codes:\n  1: one\n  2: two\n", "template.yaml")
    with pytest.raises(LoadError, match=r"duplicate key 1\.0"):
        editor.set(("Codes", 1.0), "float")  # type: ignore[arg-type]
