"""``rewrite --diff``: the patch a reviewer reads, exact and deterministic."""

from __future__ import annotations

from pathlib import Path

from lambdaslim.rewrite.unified_diff import render_diff

TEMPLATE = """\
Resources:
  SaveFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/save/
      Handler: app.handler
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
"""


def make_app(root: Path) -> Path:
    for relative, text in {
        "template.yaml": TEMPLATE,
        "functions/save/app.py": "def handler(event, context):\n    return event\n",
        "functions/save/requirements.txt": "boto3\n",
        "notes.txt": "one\ntwo",
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def test_a_small_change_a_deleted_folder_and_an_added_file(tmp_path: Path) -> None:
    root = make_app(tmp_path)
    files = {
        "template.yaml": TEMPLATE.replace(
            "  SaveFunction:\n    Type: AWS::Serverless::Function\n    Properties:\n"
            "      CodeUri: functions/save/\n      Handler: app.handler\n", ""),
        "statemachine/flow.asl.json": '{\n  "StartAt": "Save"\n}\n',
    }
    assert render_diff(root, files, ["functions/save/"]) == """\
deleted: functions/save/
--- /dev/null
+++ b/statemachine/flow.asl.json
@@ -0,0 +1,3 @@
+{
+  "StartAt": "Save"
+}
--- a/template.yaml
+++ b/template.yaml
@@ -1,9 +1,4 @@
 Resources:
-  SaveFunction:
-    Type: AWS::Serverless::Function
-    Properties:
-      CodeUri: functions/save/
-      Handler: app.handler
   Flow:
     Type: AWS::Serverless::StateMachine
     Properties:
"""


def test_a_deleted_file_and_a_missing_final_newline(tmp_path: Path) -> None:
    root = make_app(tmp_path)
    patch = render_diff(root, {"notes.txt": "one\ntwo\n"}, ["functions/save/app.py"])
    assert patch == """\
--- a/functions/save/app.py
+++ /dev/null
@@ -1,2 +0,0 @@
-def handler(event, context):
-    return event
--- a/notes.txt
+++ b/notes.txt
@@ -1,2 +1,2 @@
 one
-two
\\ No newline at end of file
+two
"""


def test_only_three_lines_of_context_and_crlf_lines_stay_whole(tmp_path: Path) -> None:
    before = "".join(f"line {n}\r\n" for n in range(1, 11))
    (tmp_path / "a.txt").write_text(before, newline="")
    patch = render_diff(tmp_path, {"a.txt": before.replace("line 5\r\n", "five\r\n")}, [])
    assert patch == (
        "--- a/a.txt\n+++ b/a.txt\n@@ -2,7 +2,7 @@\n line 2\r\n line 3\r\n line 4\r\n"
        "-line 5\r\n+five\r\n line 6\r\n line 7\r\n line 8\r\n"
    )


def test_no_change_is_an_empty_patch(tmp_path: Path) -> None:
    assert render_diff(make_app(tmp_path), {}, []) == ""
