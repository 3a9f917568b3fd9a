"""What ``rewrite`` writes is itself a valid application: it loads again, its definitions
validate with statelint, and rewriting it again changes nothing.

Minimal inputs found by the property tests (``tests/property``) are kept here as examples.
"""

from __future__ import annotations

import json
import re
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambdaslim.cli import main

TEMPLATE = """\
Transform: AWS::Serverless-2016-10-31
Resources:
  CheckFunction:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: functions/check/
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        CheckFunctionArn: !GetAtt CheckFunction.Arn
"""
GUARD = """\
class WrongKind(Exception):
    pass


def handler(event, context):
    if event["kind"] != "standard":
        raise WrongKind("only standard orders")
    return event
"""


def definition(catch_errors: list[str]) -> str:
    return json.dumps({
        "StartAt": "Check",
        "States": {
            "Check": {"Type": "Task", "Resource": "${CheckFunctionArn}",
                      "Catch": [{"ErrorEquals": catch_errors, "Next": "Rejected"}],
                      "End": True},
            "Rejected": {"Type": "Fail", "Error": "Rejected"},
        },
    }, indent=2)


def make_app(root: Path, catch_errors: list[str]) -> Path:
    for relative, text in {
        "template.yaml": TEMPLATE,
        "functions/check/app.py": GUARD,
        "statemachine/flow.asl.json": definition(catch_errors),
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    return root


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def check_output_is_valid(out: Path) -> None:
    from statelint.linter import Linter

    text = (out / "statemachine" / "flow.asl.json").read_text()
    filled = re.sub(r"\$\{(\w+)\}", r"arn:aws:lambda:eu-west-1:123456789012:function:\1", text)
    assert Linter.validate(json.loads(filled)) == []
    again = invoke("analyze", out)
    assert again.exit_code == 0, again.output
    second = out.parent / "second"
    result = invoke("rewrite", out, "--out", second)
    assert result.exit_code == 0, result.output
    assert (second / "statemachine" / "flow.asl.json").read_text() == text


@pytest.mark.parametrize(
    "errors",
    [
        pytest.param(["States.ALL"], id="catch-all"),
        pytest.param(["WrongKind"], id="catching the raised error"),
        pytest.param(["TooBig"], id="catching an error the handler never raises"),
    ],
)
def test_a_replaced_guard_with_a_catcher_gives_a_valid_definition(
    tmp_path: Path, errors: list[str]
) -> None:
    app = make_app(tmp_path / "app", errors)
    out = tmp_path / "out"
    result = invoke("rewrite", app, "--out", out)
    assert result.exit_code == 0, result.output
    replaced = "Choice" in (out / "statemachine" / "flow.asl.json").read_text()
    declined = json.loads((out / ".lambdaslim" / "plan.json").read_text())["declined"]
    if errors == ["TooBig"]:
        # The catcher's only target would become unreachable: the function is kept, and why.
        assert not replaced
        assert "would become unreachable" in declined[0]["reason"]
    else:
        assert replaced and declined == []
    check_output_is_valid(out)


# -- YAML aliases ----------------------------------------------------------------------------


def alias_bomb(levels: int) -> str:
    """A template of ~650 bytes whose aliases expand to 9**(levels+1) strings."""
    lines = ["Resources:", "  Queue:", "    Type: AWS::SQS::Queue", "    Metadata:",
             "      a0: &a0 [" + ", ".join(['"lol"'] * 9) + "]"]
    lines += [f"      a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]"
              for i in range(1, levels + 1)]
    lines += ["    Properties:", f"      Tags: *a{levels}"]
    return "\n".join(lines) + "\n"


def test_a_yaml_alias_bomb_is_refused_quickly(tmp_path: Path) -> None:
    app = tmp_path / "app"
    app.mkdir()
    (app / "template.yaml").write_text(alias_bomb(8))

    def limit_memory() -> None:
        two_gb = 2 * 1024**3
        resource.setrlimit(resource.RLIMIT_AS, (two_gb, two_gb))

    try:
        completed = subprocess.run(
            [sys.executable, "-c", "from lambdaslim.cli import main; main()", "analyze",
             str(app), "--no-cache"],
            capture_output=True, text=True, timeout=10, preexec_fn=limit_memory, check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("analyze of a 650-byte template did not finish in 10 s")
    assert completed.returncode in (0, 2), completed.stderr[-2000:]
    assert "Traceback" not in completed.stderr
    if completed.returncode == 2:
        assert completed.stderr.count("\n") == 1 and "template.yaml" in completed.stderr
