"""Bad input: one clear message naming the file (and line), exit 2, no traceback, nothing written.

Every case runs ``lambdaslim analyze`` and ``lambdaslim rewrite --out`` through click's CliRunner,
as a user (or a CI job) runs them. The inputs are folders of ``tests/fixtures/bad_inputs`` (the
small ones) or are generated in ``tmp_path`` (the big, the empty, the symlinked ones).

Where the rest of the application can still be analysed (a bad handler among good ones, a
Choice without Default, a function in another runtime), the problem is a reason or a warning
and the exit code is 0; where nothing sensible can be said, exit 2.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambdaslim.cli import main

BAD_INPUTS = Path(__file__).resolve().parents[1] / "fixtures" / "bad_inputs"
ERROR_LINE = re.compile(r"^lambdaslim: error: .+")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_no_crash(result: Result) -> None:
    """No Python exception escaped the command (CliRunner keeps it in ``exception``)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    assert "Traceback" not in result.output
    assert "Traceback" not in result.stderr


def assert_one_error(result: Result, where: str, line: int | None, fragment: str) -> None:
    """Exit 2 and exactly one line on stderr, ``lambdaslim: error: <where>[:<line>]: ...``."""
    assert_no_crash(result)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert ERROR_LINE.match(lines[0]), lines[0]
    message = lines[0].removeprefix("lambdaslim: error: ")
    if line is None:
        assert message.startswith(f"{where}:") or message.startswith(f"{where} "), message
    else:
        assert message.startswith(f"{where}:{line}: "), message
    assert fragment in message


def assert_nothing_written(out: Path) -> None:
    assert not out.exists()
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")]
    assert leftovers == []


def check_both_commands(
    tmp_path: Path, target: Path, where: str, line: int | None, fragment: str
) -> None:
    assert_one_error(invoke("analyze", str(target)), where, line, fragment)
    assert_one_error(invoke("analyze", str(target), "--format", "json"), where, line, fragment)
    out = tmp_path / "rewritten"
    assert_one_error(invoke("rewrite", str(target), "--out", str(out)), where, line, fragment)
    assert_nothing_written(out)


@dataclass(frozen=True)
class Bad:
    folder: str
    file: str | None  # the file named, relative to the folder (None: the folder itself)
    line: int | None  # None: no line is expected
    fragment: str
    target: str = ""  # what is passed to the command, relative to the folder ("": the folder)


EXIT_2 = [
    Bad("malformed_json", "template.json", 5, "invalid JSON"),
    Bad("malformed_yaml", "template.yaml", 7, "invalid YAML"),
    Bad("not_a_template", "template.yaml", 1, "not a SAM/CloudFormation template"),
    Bad("missing_start_at", "statemachine/flow.asl.json", 1, "no StartAt"),
    Bad("dangling_next", "statemachine/flow.asl.json", 4, "Next names no state: 'Nowhere'"),
    Bad("duplicate_state_names", "statemachine/flow.asl.json", 9, "duplicate state name 'Check'"),
    Bad("unresolved_substitution", "statemachine/flow.asl.json", 9, "${SaveFunctionArn}"),
    Bad("code_uri_outside", "template.yaml", 9, "points outside the project"),
    Bad("code_uri_missing", "template.yaml", 9, "does not exist"),
    Bad("definition_uri_outside", "template.yaml", 7, "points outside the project"),
    Bad("definition_uri_missing", "template.yaml", 7, "does not exist"),
    Bad("binary_template", "template.yaml", None, "binary file"),
    Bad("non_utf8_template", "template.yaml", 7, "not a UTF-8 text file"),
    Bad("python_tag", "template.yaml", 7, "unknown YAML tag"),
    Bad("lone_handler_syntax_error", "handler.py", 2, "invalid Python", target="handler.py"),
    Bad("nothing_to_load", None, None, "no SAM/CloudFormation template"),
    Bad("lone_surrogate_json", "template.json", 9, "\\ud83d is half of a UTF-16 surrogate pair"),
    Bad("lone_surrogate_yaml", "template.yaml", 8, "\\ud83d is half of a UTF-16 surrogate pair"),
]


@pytest.mark.parametrize("bad", EXIT_2, ids=[bad.folder for bad in EXIT_2])
def test_bad_input_is_one_message_exit_2_and_nothing_written(tmp_path: Path, bad: Bad) -> None:
    root = BAD_INPUTS / bad.folder
    target = root / bad.target if bad.target else root
    where = str(root / bad.file) if bad.file else str(root)
    check_both_commands(tmp_path, target, where, bad.line, bad.fragment)


def test_a_relative_path_is_named_as_the_user_wrote_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(BAD_INPUTS)
    result = invoke("analyze", "dangling_next")
    assert_one_error(result, "dangling_next/statemachine/flow.asl.json", 4, "'Nowhere'")


def test_an_empty_folder(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    check_both_commands(tmp_path, app, str(app), None, "empty folder")


def test_a_missing_path(tmp_path: Path) -> None:
    check_both_commands(tmp_path, tmp_path / "nope", str(tmp_path / "nope"), None, "no such file")


def test_a_50_mb_template_is_refused_by_size(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    with open(app / "template.yaml", "w") as stream:
        stream.write("Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n")
        chunk = "# " + "x" * 1021 + "\n"
        for _ in range(50 * 1024):
            stream.write(chunk)
    check_both_commands(tmp_path, app, str(app / "template.yaml"), None, "10 MB")


def test_a_50_mb_definition_is_refused_by_size(tmp_path: Path) -> None:
    app = tmp_path / "app"
    (app / "statemachine").mkdir(parents=True)
    (app / "template.yaml").write_text(
        "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        "      DefinitionUri: statemachine/flow.asl.json\n"
    )
    padding = " " * (50 * 1024 * 1024)
    (app / "statemachine" / "flow.asl.json").write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Succeed"}}}' + padding
    )
    check_both_commands(tmp_path, app, str(app / "statemachine" / "flow.asl.json"), None, "10 MB")


def test_a_code_uri_symlink_loop_names_the_template_line(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.yaml").write_text((BAD_INPUTS / "handler_syntax_error" / "template.yaml")
                                       .read_text())
    os.symlink("src", app / "src")  # src -> src
    check_both_commands(tmp_path, app, str(app / "template.yaml"), 9, "CodeUri")


def test_a_definition_uri_symlink_loop_names_the_template_line(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.yaml").write_text((BAD_INPUTS / "dangling_next" / "template.yaml")
                                       .read_text())
    (app / "statemachine").mkdir()
    os.symlink("flow.asl.json", app / "statemachine" / "flow.asl.json")
    check_both_commands(tmp_path, app, str(app / "template.yaml"), 7, "DefinitionUri")


def test_a_template_that_is_a_symlink_loop_is_named(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    os.symlink("template.yaml", app / "template.yaml")
    check_both_commands(tmp_path, app, str(app / "template.yaml"), None, "symlink")


def test_deeply_nested_yaml_is_one_message(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.yaml").write_text(
        "Resources:\n  Queue:\n    Type: AWS::SQS::Queue\n    Properties:\n      Tags: "
        + "[" * 300 + "]" * 300 + "\n"
    )
    check_both_commands(tmp_path, app, str(app / "template.yaml"), None, "YAML")


def test_deeply_nested_json_is_one_message(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.json").write_text(
        '{"Resources": {"Q": {"Type": "AWS::SQS::Queue", "Properties": {"Tags": '
        + "[" * 5000 + "]" * 5000 + "}}}}"
    )
    check_both_commands(tmp_path, app, str(app / "template.json"), None, "JSON")


def test_a_deeply_nested_lone_handler_is_one_message(tmp_path: Path) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text("def handler(event, context):\n    return " + "(" * 5000 + "event"
                       + ")" * 5000 + "\n")
    check_both_commands(tmp_path, handler, str(handler), 2, "invalid Python")


# -- the application is still analysable: a reason or a warning, exit 0 -----------------------


@dataclass(frozen=True)
class Kept:
    folder: str
    function: str
    file: str  # the file the first reason names (relative to the folder)
    line: int | None
    fragment: str


KEPT = [
    Kept("handler_syntax_error", "CheckFunction", "src/app.py", 5, "syntax error"),
    Kept("handler_not_utf8", "CheckFunction", "src/app.py", 2, "UTF-8"),
    Kept("handler_function_missing", "CheckFunction", "src/app.py", None, "no handler function"),
    Kept("handler_binary", "CheckFunction", "src/app.py", None, ""),
    Kept("nodejs_function", "AuditFunction", "template.yaml", 4,
         "not analysed: runtime nodejs20.x"),
    Kept("handler_module_missing", "CheckFunction", "template.yaml", 8, "src/checks.py"),
]


def _json_analysis(target: Path) -> dict:
    result = invoke("analyze", str(target), "--format", "json")
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _function(document: dict, function_id: str) -> dict:
    return next(f for f in document["functions"] if f["id"] == function_id)


@pytest.mark.parametrize("kept", KEPT, ids=[k.folder for k in KEPT])
def test_a_bad_handler_is_kept_with_the_problem_as_its_reason(tmp_path: Path, kept: Kept) -> None:
    root = BAD_INPUTS / kept.folder
    function = _function(_json_analysis(root), kept.function)
    assert function["verdict"] == "keep"
    first = function["reasons"][0]
    assert first["file"] == kept.file
    assert kept.fragment in first["message"]
    if kept.line is not None:
        assert first["line"] == kept.line
    text = invoke("analyze", str(root))
    assert_no_crash(text)
    assert text.exit_code == 0
    out = tmp_path / "rewritten"
    result = invoke("rewrite", str(root), "--out", str(out))
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    assert (out / "template.yaml").read_bytes() == (root / "template.yaml").read_bytes()


def test_a_choice_without_default_is_a_warning_with_exit_0(tmp_path: Path) -> None:
    root = BAD_INPUTS / "choice_without_default"
    document = _json_analysis(root)
    (warning,) = document["warnings"]
    assert "'Route' has no Default" in warning["message"]
    assert warning["file"] == "statemachine/flow.asl.json" and warning["line"] == 4
    out = tmp_path / "rewritten"
    result = invoke("rewrite", str(root), "--out", str(out))
    assert_no_crash(result)
    assert result.exit_code == 0 and (out / "statemachine" / "flow.asl.json").is_file()


# -- one bad handler among fifty ------------------------------------------------------------

FUNCTION = """\
  Step{n:02d}Function:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/step{n:02d}/
      Handler: {module}.handler
      Environment:
        Variables:
          TABLE_NAME: !Ref RecordsTable
"""
HANDLER = """\
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    table.put_item(Item={{"pk": event["id"], "step": "{n:02d}"}})
    return event
"""
COUNT = 50
BAD = 17


def fifty_function_app(root: Path, module: str = "app") -> Path:
    """50 transport functions, each one Task of one state machine; ``Step17`` uses ``module``."""
    functions = "".join(
        FUNCTION.format(n=n, module=module if n == BAD else "app") for n in range(COUNT)
    )
    substitutions = "".join(
        f"        Step{n:02d}Arn: !GetAtt Step{n:02d}Function.Arn\n" for n in range(COUNT)
    )
    policies = "".join(
        f"        - LambdaInvokePolicy:\n            FunctionName: !Ref Step{n:02d}Function\n"
        for n in range(COUNT)
    )
    (root / "statemachine").mkdir(parents=True)
    (root / "template.yaml").write_text(
        "AWSTemplateFormatVersion: '2010-09-09'\nTransform: AWS::Serverless-2016-10-31\n"
        "Globals:\n  Function:\n    Runtime: python3.12\nResources:\n"
        "  RecordsTable:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      BillingMode: PAY_PER_REQUEST\n"
        "      AttributeDefinitions:\n        - AttributeName: pk\n          AttributeType: S\n"
        "      KeySchema:\n        - AttributeName: pk\n          KeyType: HASH\n"
        f"{functions}"
        "  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        "      DefinitionUri: statemachine/flow.asl.json\n"
        f"      DefinitionSubstitutions:\n{substitutions}"
        f"      Policies:\n{policies}"
    )
    states = {
        f"Step {n:02d}": {"Type": "Task", "Resource": f"${{Step{n:02d}Arn}}",
                          **({"Next": f"Step {n + 1:02d}"} if n + 1 < COUNT else {"End": True})}
        for n in range(COUNT)
    }
    (root / "statemachine" / "flow.asl.json").write_text(
        json.dumps({"StartAt": "Step 00", "States": states}, indent=2) + "\n"
    )
    for n in range(COUNT):
        folder = root / "functions" / f"step{n:02d}"
        folder.mkdir(parents=True)
        (folder / "app.py").write_text(HANDLER.format(n=n))
    return root / "functions" / f"step{BAD:02d}"


def _break_syntax(folder: Path) -> None:
    (folder / "app.py").write_text("def handler(event, context)\n    return event\n")


def _break_encoding(folder: Path) -> None:
    (folder / "app.py").write_bytes(b"# caf\xe9\ndef handler(event, context):\n    return event\n")


def _break_function(folder: Path) -> None:
    (folder / "app.py").write_text("def main(event, context):\n    return event\n")


def _break_binary(folder: Path) -> None:
    (folder / "app.py").write_bytes(bytes(range(256)) * 4)


def _remove_module(folder: Path) -> None:
    """The template's Handler names ``checks.handler``; there is only ``app.py``."""


HANDLER_FILE = f"functions/step{BAD:02d}/app.py"
# (module of Step17's Handler, breakage, in the reason's message, the file the reason names)
BREAKAGES = [
    pytest.param("app", _break_syntax, "syntax error", HANDLER_FILE, id="syntax_error"),
    pytest.param("app", _break_encoding, "UTF-8", HANDLER_FILE, id="not_utf8"),
    pytest.param("app", _break_function, "no handler function", HANDLER_FILE,
                 id="function_missing"),
    pytest.param("app", _break_binary, "", HANDLER_FILE, id="binary"),
    pytest.param("checks", _remove_module, f"functions/step{BAD:02d}/checks.py", "template.yaml",
                 id="module_missing"),
]


@pytest.mark.parametrize(("module", "breakage", "fragment", "file"), BREAKAGES)
def test_one_bad_handler_among_fifty_is_kept_and_the_rest_is_analysed(
    tmp_path: Path, module: str, breakage, fragment: str, file: str
) -> None:
    app = tmp_path / "app"
    breakage(fifty_function_app(app, module))
    document = _json_analysis(app)
    verdicts = {f["id"]: f for f in document["functions"]}
    bad = verdicts.pop(f"Step{BAD:02d}Function")
    assert bad["verdict"] == "keep"
    assert fragment in bad["reasons"][0]["message"]
    assert bad["reasons"][0]["file"] == file
    assert {f["verdict"] for f in verdicts.values()} == {"replace"}
    assert len(verdicts) == COUNT - 1


def test_rewrite_of_fifty_with_one_bad_handler_replaces_the_rest(tmp_path: Path) -> None:
    app = tmp_path / "app"
    _break_syntax(fifty_function_app(app))
    out = tmp_path / "rewritten"
    result = invoke("rewrite", str(app), "--out", str(out))
    assert_no_crash(result)
    assert result.exit_code == 0, result.output
    assert (out / "functions" / f"step{BAD:02d}").is_dir()
    assert not (out / "functions" / "step00").exists()


def test_a_50_mb_handler_is_kept_within_bounded_time_and_memory(tmp_path: Path) -> None:
    import resource
    import subprocess
    import sys

    app = tmp_path / "app"
    folder = fifty_function_app(app)
    with open(folder / "app.py", "w") as stream:
        stream.write("def handler(event, context):\n    return event\n")
        for index in range(50 * 1024 * 1024 // 40):
            stream.write(f'v{index} = [1, 2, 3, "abcdefghijklmnop"]\n')

    def limit_memory() -> None:
        three_gb = 3 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (three_gb, three_gb))

    try:
        completed = subprocess.run(
            [sys.executable, "-c", "from lambdaslim.cli import main; main()", "analyze",
             str(app), "--format", "json", "--no-cache", "--jobs", "1"],
            capture_output=True, text=True, timeout=120, preexec_fn=limit_memory, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("analyze did not finish in 120 s")
    assert completed.returncode == 0, completed.stderr[-2000:]
    document = json.loads(completed.stdout)
    bad = _function(document, f"Step{BAD:02d}Function")
    assert bad["verdict"] == "keep" and "MB" in bad["reasons"][0]["message"]


def _over_the_limit(path: Path) -> Path:
    """A valid handler just over the 10 MB limit (sparse: no 10 MB written)."""
    from lambdaslim.loading.project import MAX_FILE_BYTES

    path.write_text("def handler(event, context):\n    return event\n")
    with open(path, "r+b") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)
    return path


def test_summaries_of_a_handler_over_the_limit_say_so(tmp_path: Path) -> None:
    from lambdaslim.handler_summaries import HandlerRequest, summarize_handlers

    path = _over_the_limit(tmp_path / "app.py")
    (summary,) = summarize_handlers([HandlerRequest(path, "handler", "app.py")], jobs=1,
                                    cache=None)
    (unknown,) = summary.unknowns
    assert unknown.reason == "the handler file is 10.0 MB, above the 10 MB limit: not analysed"


def test_a_lone_handler_over_the_limit_is_kept_by_analyze_handler_file(tmp_path: Path) -> None:
    from lambdaslim.analysis import analyze_handler_file
    from lambdaslim.catalog import load_catalog

    path = _over_the_limit(tmp_path / "app.py")
    verdict = analyze_handler_file(path, "handler", load_catalog())
    assert verdict.category == "keep"
    assert "above the 10 MB limit: not analysed" in verdict.reasons[0].message
