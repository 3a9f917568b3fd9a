"""The template editor: edits are exact text splices, everything else stays byte-identical.

Most cases are written as the unified diff (no context) an edit must produce on a real-looking
SAM template, which is what a reviewer will read in the pull request.
"""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from lambdaslim.errors import LoadError
from lambdaslim.rewrite.template_edit import TemplateEditor, dump_json_like, render_yaml_value
from lambdaslim.rewrite.yaml_render import YamlStyle

FIXTURES = Path(__file__).parent.parent / "fixtures" / "templates"
SAM = (FIXTURES / "sam_app.yaml").read_text()
CDK = (FIXTURES / "cdk_app.template.json").read_text()
ASL = (FIXTURES / "onboarding.asl.json").read_text()
R = "Resources"


def diff(before: str, after: str) -> str:
    lines = difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
    return "".join(line for line in lines if not line.startswith(("---", "+++")))


def edited(text: str, file: str, *edits: tuple) -> str:
    editor = TemplateEditor.from_text(text, file)
    for name, *args in edits:
        getattr(editor, name)(*args)
    return editor.text()


def sam_diff(*edits: tuple) -> str:
    return diff(SAM, edited(SAM, "template.yaml", *edits))


# -- reading -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [SAM, CDK, ASL, "a: 1\r\nb:\r\n  - x\r\n", "a: 1"])
def test_no_edit_is_byte_identical(text: str) -> None:
    name = "t.json" if text.startswith("{") else "t.yaml"
    assert TemplateEditor.from_text(text, name).text() == text


def test_get_converts_short_tags_to_long_form() -> None:
    editor = TemplateEditor.from_text(SAM, "template.yaml")
    assert editor.get(("Conditions", "IsProd")) == {"Fn::Equals": [{"Ref": "Stage"}, "prod"]}
    substitutions = (R, "OnboardingStateMachine", "Properties", "DefinitionSubstitutions")
    assert editor.get(substitutions) == {
        "CreateUserFunctionArn": {"Fn::GetAtt": ["CreateUserFunction", "Arn"]},
        "NotifyUserFunctionArn": {"Fn::GetAtt": ["NotifyUserFunction", "Arn"]},
    }
    assert editor.get(("Outputs", "TableName", "Condition")) == "IsProd"
    assert editor.get(("AWSTemplateFormatVersion",)) == "2010-09-09"
    assert editor.get(("Globals", "Function", "Timeout")) == 10
    responses = (R, "OnboardingApi", "Properties", "DefinitionBody", "paths", "/users", "post",
                 "responses")
    assert editor.get(responses) == {200: {"description": "started"}}
    assert editor.has((*responses, "200")) and not editor.has((*responses, "404"))
    assert editor.get((R, "NotificationsTopic")) == {"Type": "AWS::SNS::Topic"}


def test_get_returns_a_copy() -> None:
    editor = TemplateEditor.from_text(SAM, "template.yaml")
    editor.get(("Globals",))["Function"]["Timeout"] = 99
    assert editor.get(("Globals", "Function", "Timeout")) == 10


# -- deleting ------------------------------------------------------------------------------------


def test_delete_resource_in_the_middle_takes_its_comments() -> None:
    assert sam_diff(("delete", (R, "CreateUserFunction"))) == """\
@@ -39,24 +38,0 @@
-
-  # Stores a validated user.
-  # Only transports data: a candidate for a direct integration.
-  CreateUserFunction:
-    Type: AWS::Serverless::Function
-    Properties:
-      CodeUri: functions/create_user/
-      Handler: app.handler
-      Environment:
-        Variables:
-          TABLE_NAME: !Ref UsersTable
-          STAGE: !Sub "${Stage}"
-      Policies:
-        - DynamoDBCrudPolicy:
-            TableName: !Ref UsersTable
-        - Statement:
-            - Effect: Allow
-              Action: sns:Publish
-              Resource: !Ref NotificationsTopic
-            - Effect: Allow
-              Action:
-                - xray:PutTraceSegments
-              Resource: '*'
-      # MemorySize: 512
"""


def test_delete_first_resource_keeps_no_leading_blank_line() -> None:
    after = edited(SAM, "template.yaml", ("delete", (R, "UsersTable")))
    assert "Resources:\n  NotificationsTopic:\n    Type: AWS::SNS::Topic\n\n  # Stores" in after
    assert diff(SAM, after).count("\n-") == 12  # the comment, 11 lines of block, one blank line


def test_delete_last_resource_keeps_the_gap_before_the_next_section() -> None:
    after = edited(SAM, "template.yaml", ("delete", (R, "ApiRole")))
    assert "          version: '1.0'" in after
    assert "                    statusCode: '200'\n\nOutputs:\n" in after
    assert "ApiRole:" not in after and "\n\n\n" not in after


def test_delete_blank_line_rhythm() -> None:
    text = "R:\n  A: 1\n  B: 2\n\n  C: 3\n\n\n  D: 4\nX: 5\n"
    cases = {
        ("R", "B"): "R:\n  A: 1\n\n  C: 3\n\n\n  D: 4\nX: 5\n",  # the smaller run goes
        ("R", "C"): "R:\n  A: 1\n  B: 2\n\n\n  D: 4\nX: 5\n",
        ("R", "D"): "R:\n  A: 1\n  B: 2\n\n  C: 3\nX: 5\n",  # a last entry: the run before
        ("X",): "R:\n  A: 1\n  B: 2\n\n  C: 3\n\n\n  D: 4\n",
    }
    for path, expected in cases.items():
        assert edited(text, "t.yaml", ("delete", path)) == expected
    assert edited("a: 1\nb: 2", "t.yaml", ("delete", ("b",))) == "a: 1"


def test_delete_keeps_a_free_standing_comment() -> None:
    text = "R:\n  A:\n    T: 1\n\n# -- section --\n\n  B:\n    T: 2\n"
    after = edited(text, "t.yaml", ("delete", ("R", "A")))
    assert after == "R:\n# -- section --\n\n  B:\n    T: 2\n"


def test_delete_property() -> None:
    assert sam_diff(("delete", (R, "CreateUserFunction", "Properties", "Environment"))) == """\
@@ -47,4 +46,0 @@
-      Environment:
-        Variables:
-          TABLE_NAME: !Ref UsersTable
-          STAGE: !Sub "${Stage}"
"""


def test_delete_list_items() -> None:
    policies = (R, "CreateUserFunction", "Properties", "Policies")
    assert sam_diff(("delete", (*policies, 1, "Statement", 1))) == """\
@@ -58,4 +57,0 @@
-            - Effect: Allow
-              Action:
-                - xray:PutTraceSegments
-              Resource: '*'
"""
    assert sam_diff(("delete", (*policies, 0))) == """\
@@ -52,2 +51,0 @@
-        - DynamoDBCrudPolicy:
-            TableName: !Ref UsersTable
"""
    text = "DependsOn:\n  - !Ref A  # first\n  - !Ref B\n  - C\n"
    after = edited(text, "t.yaml", ("delete", ("DependsOn", 1)))
    assert after == "DependsOn:\n  - !Ref A  # first\n  - C\n"


def test_delete_first_key_of_a_sequence_item_moves_the_next_key_up() -> None:
    statement = (R, "CreateUserFunction", "Properties", "Policies", 1, "Statement", 0)
    assert sam_diff(("delete", (*statement, "Effect"))) == """\
@@ -55,2 +55 @@
-            - Effect: Allow
-              Action: sns:Publish
+            - Action: sns:Publish
"""
    assert edited("a:\n- - x\n  - y\n", "t.yaml", ("delete", ("a", 0, 0))) == "a:\n- - y\n"


def test_delete_the_last_entry_leaves_an_empty_collection() -> None:
    variables = (R, "NotifyUserFunction", "Properties", "Environment", "Variables")
    assert sam_diff(("delete", (*variables, "TOPIC_ARN"))) == """\
@@ -70,2 +70 @@
-        Variables:
-          TOPIC_ARN: !Ref NotificationsTopic
+        Variables: {}
"""


def test_delete_inside_flow_and_tagged_nodes() -> None:
    assert sam_diff(("delete", ("Parameters", "Stage", "AllowedValues", 0))) == """\
@@ -19 +19 @@
-    AllowedValues: [dev, prod]
+    AllowedValues: [prod]
"""
    text = "V: !Join ['-', [a, !Ref B, c]]  # name\n"
    after = edited(text, "t.yaml", ("delete", ("V", "Fn::Join", 1, 1)))
    assert after == "V: !Join ['-', [a, c]]  # name\n"


def test_delete_missing_path_raises_key_error() -> None:
    editor = TemplateEditor.from_text(SAM, "template.yaml")
    with pytest.raises(KeyError):
        editor.delete((R, "Nope"))
    with pytest.raises(KeyError):
        editor.delete(("Parameters", "Stage", "AllowedValues", 5))
    assert editor.text() == SAM


# -- setting -------------------------------------------------------------------------------------


def test_set_scalar_keeps_the_end_of_line_comment() -> None:
    after = edited("a: 1  # seconds\nb: x\n", "t.yaml", ("set", ("a",), 30))
    assert after == "a: 30  # seconds\nb: x\n"
    version = (R, "OnboardingApi", "Properties", "DefinitionBody", "info", "version")
    timeout = ("Globals", "Function", "Timeout")
    assert sam_diff(("set", timeout, 30), ("set", version, "2.0")) == """\
@@ -11 +11 @@
-    Timeout: 10
+    Timeout: 30
@@ -99 +99 @@
-          version: '1.0'
+          version: '2.0'
"""


def test_set_mapping() -> None:
    environment = (R, "CreateUserFunction", "Properties", "Environment")
    value = {"Variables": {"TABLE_NAME": {"Ref": "UsersTable"}, "MODE": "on"}}
    assert sam_diff(("set", environment, value)) == """\
@@ -50 +50 @@
-          STAGE: !Sub "${Stage}"
+          MODE: 'on'
"""
    text = "a:\n  b: 1\n  c: 2\nd: 3\n"
    assert edited(text, "t.yaml", ("set", ("a",), "x")) == "a: x\nd: 3\n"
    assert edited("a: x  # old\nd: 3\n", "t.yaml", ("set", ("a",), {"b": [1, {"c": None}]})) == (
        "a:\n  b:\n    - 1\n    - c: null\nd: 3\n"
    )


def test_set_tagged_values() -> None:
    substitutions = (R, "OnboardingStateMachine", "Properties", "DefinitionSubstitutions")
    url = "https://${OnboardingApi}.execute-api.${AWS::Region}.amazonaws.com/v2"
    assert sam_diff(
        ("set", (*substitutions, "CreateUserFunctionArn"), {"Fn::GetAtt": ["UsersTable", "Arn"]}),
        ("set", ("Outputs", "ApiUrl", "Value"), {"Fn::Sub": url}),
        ("set", ("Conditions", "IsProd", "Fn::Equals", 1), "production"),
    ) == """\
@@ -22 +22 @@
-  IsProd: !Equals [!Ref Stage, prod]
+  IsProd: !Equals [!Ref Stage, production]
@@ -81 +81 @@
-        CreateUserFunctionArn: !GetAtt CreateUserFunction.Arn
+        CreateUserFunctionArn: !GetAtt UsersTable.Arn
@@ -143 +143 @@
-    Value: !Sub 'https://${OnboardingApi}.execute-api.${AWS::Region}.amazonaws.com/${Stage}'
+    Value: !Sub 'https://${OnboardingApi}.execute-api.${AWS::Region}.amazonaws.com/v2'
"""


def test_set_adds_missing_keys_at_the_end_of_the_mapping() -> None:
    machine = (R, "OnboardingStateMachine", "Properties")
    assert sam_diff(
        ("set", (*machine, "DefinitionSubstitutions", "UsersTableName"), {"Ref": "UsersTable"}),
        ("set", (*machine, "Type"), "EXPRESS"),
    ) == """\
@@ -82,0 +83 @@
+        UsersTableName: !Ref UsersTable
@@ -89,0 +91 @@
+      Type: EXPRESS
"""
    assert edited("a: {}\nb: 1\n", "t.yaml", ("set", ("a", "k"), "v")) == "a:\n  k: v\nb: 1\n"


def test_set_multi_line_string_as_literal_block() -> None:
    integration = (R, "OnboardingApi", "Properties", "DefinitionBody", "paths", "/users", "post",
                   "x-amazon-apigateway-integration")
    template = '#set($body = $input.path(\'$\'))\n{\n  "TableName": "${UsersTable}"\n}\n'
    assert sam_diff(("set", (*integration, "requestTemplates", "application/json"),
                     {"Fn::Sub": template})) == """\
@@ -112,0 +113 @@
+                    #set($body = $input.path('$'))
@@ -114,2 +115 @@
-                      "input": "$util.escapeJavaScript($input.json('$'))",
-                      "stateMachineArn": "${OnboardingStateMachine}"
+                      "TableName": "${UsersTable}"
"""
    request = (*integration, "requestTemplates", "application/json")
    after = edited(SAM, "template.yaml", ("set", request, {"Fn::Sub": template}))
    indent = " " * 20
    assert f'{indent}#set($body = $input.path(\'$\'))\n{indent}{{\n' in after
    assert f'{indent}  "TableName": "${{UsersTable}}"\n{indent}}}\n' in after


def test_insert_after_follows_the_blank_line_rhythm() -> None:
    queue = {"Type": "AWS::SQS::Queue",
             "Properties": {"QueueName": {"Fn::Sub": "${AWS::StackName}-notify"}}}
    assert sam_diff(("insert_after", (R, "NotifyUserFunction"), "NotifyQueue", queue)) == """\
@@ -75,0 +76,5 @@
+  NotifyQueue:
+    Type: AWS::SQS::Queue
+    Properties:
+      QueueName: !Sub '${AWS::StackName}-notify'
+
"""
    assert sam_diff(("insert_after", ("Outputs", "TableName"), "QueueUrl",
                     {"Value": {"Ref": "NotifyQueue"}})) == """\
@@ -146,0 +147,2 @@
+  QueueUrl:
+    Value: !Ref NotifyQueue
"""
    with pytest.raises(KeyError):
        TemplateEditor.from_text(SAM, "t.yaml").insert_after((R, "ApiRole"), "UsersTable", {})


def test_edits_see_earlier_edits_and_crlf_is_kept() -> None:
    text = "A:\r\n  B: 1\r\n  C: 2\r\n"
    after = edited(text, "t.yaml", ("set", ("A", "D"), [1]), ("delete", ("A", "B")),
                   ("insert_after", ("A", "D"), "E", "x"), ("set", ("A", "D", 0), 2))
    assert after == "A:\r\n  C: 2\r\n  D:\r\n    - 2\r\n  E: x\r\n"


# -- following the document's style --------------------------------------------------------------


def test_new_yaml_follows_four_space_unindented_double_quoted_style() -> None:
    text = (
        'Resources:\n    Fn:\n        Type: "AWS::Serverless::Function"\n        Properties:\n'
        '            Events:\n            - "a b"\n            Layers:\n            - "x"\n'
    )
    after = edited(text, "t.yaml", ("set", ("Resources", "Fn", "Properties", "Policies"),
                                    [{"Statement": [{"Effect": "Allow", "Action": ["s3:Get*"]}]}]))
    assert diff(text, after) == """\
@@ -8,0 +9,5 @@
+            Policies:
+            - Statement:
+              - Effect: Allow
+                Action:
+                - s3:Get*
"""


def test_new_yaml_follows_long_form_intrinsics() -> None:
    text = "Outputs:\n  A:\n    Value:\n      Fn::GetAtt: [Fn, Arn]\n  B:\n    Value: {Ref: Fn}\n"
    value = {"Value": {"Fn::GetAtt": ["Q", "Arn"]}}
    after = edited(text, "t.yaml", ("set", ("Outputs", "C"), value))
    assert diff(text, after) == "@@ -6,0 +7,3 @@\n+  C:\n+    Value:\n+      Fn::GetAtt: [Q, Arn]\n"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain text", " plain text"),
        ("yes", " 'yes'"),
        ("1.0", " '1.0'"),
        ("2010-09-09", " '2010-09-09'"),
        ("a: b", " 'a: b'"),
        ("#x", " '#x'"),
        ("it's", " it's"),
        ("'q'", " '''q'''"),
        ("tab\there", ' "tab\\there"'),
        ("", " ''"),
        (None, " null"),
        (1e-05, " 1.0e-05"),
        ({"Ref": "AWS::NoValue"}, " !Ref AWS::NoValue"),
        ({"Fn::GetAtt": ["A", "B.C"]}, " !GetAtt A.B.C"),
        ({"Fn::GetAtt": ["A", {"Ref": "Attr"}]}, " !GetAtt [A, !Ref Attr]"),
        ({"Fn::If": ["C", "a", {"Ref": "AWS::NoValue"}]}, " !If [C, a, !Ref AWS::NoValue]"),
        ({"Fn::Select": [0, {"Fn::GetAZs": ""}]}, " !Select [0, !GetAZs '']"),
        ({"Fn::Base64": {"Fn::Sub": "x${A}"}}, "\n    Fn::Base64: !Sub x${A}"),
        ({"Condition": "IsProd"}, " !Condition IsProd"),
        ({"Ref": 5}, "\n    Ref: 5"),  # `!Ref 5` would read back as the string "5"
        ({"Fn::GetAtt": {"A": "b"}}, "\n    Fn::GetAtt:\n      A: b"),
        ({"Fn::Sub": ["${A}", {"A": "b"}]}, " !Sub\n    - ${A}\n    - A: b"),
        ("line 1\n\nline 3\n", " |\n    line 1\n\n    line 3"),
        ("no newline\nat end", " |-\n    no newline\n    at end"),
        ("  indented\nfirst\n", ' "  indented\\nfirst\\n"'),
        ("two\n\n", ' "two\\n\\n"'),
        ([], " []"),
        ([{"a": 1, "b": [2]}], "\n    - a: 1\n      b:\n        - 2"),
    ],
)
def test_render_yaml_value(value: object, expected: str) -> None:
    assert render_yaml_value(value, 2) == expected


def test_flow_plain_scalars_stay_readable_by_yaml_1_1() -> None:
    after = edited("a: [x, y]\n", "t.yaml", ("set", ("a", 0), ":x"), ("set", ("a", 1), "?y"))
    assert after == "a: [':x', '?y']\n"


def test_render_prefers_quoting_sub_like_the_document() -> None:
    style = YamlStyle(quote='"', quote_sub=True, getatt_dotted=False)
    assert render_yaml_value({"Fn::Sub": "${A}-b"}, 0, style) == ' !Sub "${A}-b"'
    assert render_yaml_value({"Fn::GetAtt": ["A", "Arn"]}, 0, style) == " !GetAtt [A, Arn]"


# -- JSON ----------------------------------------------------------------------------------------


def test_json_edits_keep_indentation_and_key_order() -> None:
    flow = (R, "OrdersFlowB1E2C3D4", "Properties")
    after = edited(
        CDK, "cdk.template.json",
        ("delete", (R, "PutOrderFn7C3A9D21")),
        ("set", (*flow, "StateMachineType"), "EXPRESS"),
        ("set", (*flow, "RoleArn", "Fn::GetAtt", 0), "NewRole"),
        ("insert_after", (R, "OrdersTable2A4E1B6C"), "Queue", {"Type": "AWS::SQS::Queue",
                                                                "Properties": {"Name": "é"}}),
        ("delete", (R, "OrdersTable2A4E1B6C", "Metadata")),
    )
    assert diff(CDK, after) == """\
@@ -21,3 +21,6 @@
-   "DeletionPolicy": "Retain",
-   "Metadata": {
-    "aws:cdk:path": "OrdersStack/OrdersTable/Resource"
+   "DeletionPolicy": "Retain"
+  },
+  "Queue": {
+   "Type": "AWS::SQS::Queue",
+   "Properties": {
+    "Name": "é"
@@ -25,25 +27,0 @@
-  },
-  "PutOrderFn7C3A9D21": {
-   "Type": "AWS::Lambda::Function",
-   "Properties": {
-    "Code": {
-     "S3Bucket": "cdk-hnb659fds-assets",
-     "S3Key": "4f1c0e.zip"
-    },
-    "Role": {
-     "Fn::GetAtt": ["PutOrderFnServiceRoleE1F9D8A2", "Arn"]
-    },
-    "Environment": {
-     "Variables": {
-      "TABLE_NAME": {
-       "Ref": "OrdersTable2A4E1B6C"
-      },
-      "GREETING": "Grüße"
-     }
-    },
-    "Handler": "index.handler",
-    "Runtime": "python3.12"
-   },
-   "DependsOn": [
-    "PutOrderFnServiceRoleE1F9D8A2"
-   ]
@@ -67,2 +45,3 @@
-     "Fn::GetAtt": ["OrdersFlowRole5A6B7C8D", "Arn"]
-    }
+     "Fn::GetAtt": ["NewRole", "Arn"]
+    },
+    "StateMachineType": "EXPRESS"
"""
    assert json.loads(after)[R]["Queue"]["Properties"] == {"Name": "é"}


def test_json_compact_document_stays_compact() -> None:
    text = '{"a":{"b":[1,2]},"c":"\\u00e9"}'
    after = edited(text, "t.json", ("set", ("a", "d"), {"e": "é"}), ("delete", ("a", "b", 0)))
    assert after == '{"a":{"b":[2],"d":{"e":"\\u00e9"}},"c":"\\u00e9"}'


def test_dump_json_like_keeps_an_asl_files_formatting() -> None:
    definition = json.loads(ASL)
    assert dump_json_like(definition, ASL) == ASL
    del definition["States"]["NotifyUser"]
    definition["States"]["CreateUser"] = {"Type": "Task", "End": True}
    assert dump_json_like(definition, ASL).startswith('{\n    "Comment": "User onboarding",\n')
    assert dump_json_like([1], '[1]') == "[1]"


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "file", "line", "message"),
    [
        ("a: 1\nb: [1, 2\nc: 3\n", "t.yaml", 3, "invalid YAML"),
        ("a: 1\nb: !Unknown x\n", "t.yaml", 2, "unsupported tag !Unknown"),
        ("a: 1\nb: &x 1\nc: *x\n", "t.yaml", 2, "anchors"),
        ("a: 1\na: 2\n", "t.yaml", 2, "duplicate key"),
        ("- a\n", "t.yaml", 1, "not a mapping"),
        ('{\n  "a": 1,\n  "a": 2\n}', "t.json", 3, "duplicate key"),
        ('{\n  "a": 1,\n}', "t.json", 3, "expected a property name"),
        ('{"a": tru}', "t.json", 1, "expected a value"),
    ],
)
def test_malformed_input_is_a_load_error_with_file_and_line(
    text: str, file: str, line: int, message: str
) -> None:
    with pytest.raises(LoadError) as caught:
        TemplateEditor.from_text(text, file)
    assert caught.value.file == file
    assert caught.value.line == line
    assert message in caught.value.message


def test_json_content_without_suffix_is_detected() -> None:
    editor = TemplateEditor.from_text('{\n  "a": 1\n}\n', "template")
    editor.set(("b",), [1])
    assert editor.text() == '{\n  "a": 1,\n  "b": [\n    1\n  ]\n}\n'


# -- the result is still a valid template ---------------------------------------------------------


def test_edited_sam_template_passes_cfn_lint() -> None:
    from cfnlint.api import ManualArgs, lint

    machine = (R, "OnboardingStateMachine", "Properties")
    after = edited(
        SAM, "template.yaml",
        ("delete", (R, "NotifyUserFunction")),
        ("delete", (*machine, "DefinitionSubstitutions", "NotifyUserFunctionArn")),
        ("delete", (*machine, "Policies", 1)),
        ("set", (*machine, "DefinitionSubstitutions", "TopicArn"), {"Ref": "NotificationsTopic"}),
        ("set", (*machine, "Type"), "EXPRESS"),
        ("insert_after", (*machine, "Policies"), "Role", {"Fn::GetAtt": ["MachineRole", "Arn"]}),
        ("delete", (*machine, "Policies")),
        ("insert_after", (R, "OnboardingStateMachine"), "MachineRole", {
            "Type": "AWS::IAM::Role",
            "Properties": {
                "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "states.amazonaws.com"},
                    "Action": "sts:AssumeRole"}]},
                "Policies": [{"PolicyName": "publish", "PolicyDocument": {
                    "Version": "2012-10-17", "Statement": [{
                        "Effect": "Allow", "Action": ["sns:Publish"],
                        "Resource": {"Ref": "NotificationsTopic"}}]}}],
            },
        }),
    )
    assert "'2012-10-17'" in after.split("MachineRole:")[1]
    assert lint(after, config=ManualArgs(regions=["us-east-1"])) == []
