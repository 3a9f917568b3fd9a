"""``lambdaslim rewrite`` and the file system, end to end with the real analysis and planner.

The rewrite never modifies its input; refuses an ``--out`` that is not empty (without
``--force``), that is the input or contains it; leaves an ``--out`` inside the input out of what it
reads and writes; copies no symlink that leaves the project; keeps file modes; and an interrupt
in the middle of writing leaves nothing behind and prints one line.

(The output tree functions themselves are tested in ``tests/rewrite/test_output_tree.py`` and the
command with a fake planner in ``tests/rewrite/test_rewrite_command.py``.)
"""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from lambdaslim.cli import main

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
    Handler: app.handler
Resources:
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
  SaveFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/save/
      Environment:
        Variables:
          TABLE_NAME: !Ref RecordsTable
  PriceFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/price/
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.json
      DefinitionSubstitutions:
        SaveFunctionArn: !GetAtt SaveFunction.Arn
        PriceFunctionArn: !GetAtt PriceFunction.Arn
      Policies:
        - LambdaInvokePolicy:
            FunctionName: !Ref SaveFunction
        - LambdaInvokePolicy:
            FunctionName: !Ref PriceFunction
"""
FLOW = """\
{
  "StartAt": "Price",
  "States": {
    "Price": {"Type": "Task", "Resource": "${PriceFunctionArn}", "ResultPath": "$.price",
              "Next": "Save"},
    "Save": {"Type": "Task", "Resource": "${SaveFunctionArn}", "End": true}
  }
}
"""
SAVE = """\
import os

import boto3

table = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def handler(event, context):
    table.put_item(Item={"pk": event["id"], "price": event["price"]})
    return event
"""
PRICE = """\
def handler(event, context):
    total = 0
    for line in event["lines"]:
        total += line["quantity"] * line["unit"]
    return total
"""


def make_app(root: Path) -> Path:
    files = {
        "template.yaml": TEMPLATE,
        "statemachine/flow.asl.json": FLOW,
        "functions/save/app.py": SAVE,
        "functions/price/app.py": PRICE,
        "functions/price/rates.csv": "eur,1\n",
        "scripts/deploy.sh": "#!/bin/sh\nsam deploy\n",
        "README.md": "# app\n",
    }
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    os.chmod(root / "scripts" / "deploy.sh", 0o755)
    os.chmod(root / "template.yaml", 0o640)
    os.chmod(root / "functions" / "price" / "rates.csv", 0o444)
    os.symlink("../functions/price/rates.csv", root / "scripts" / "rates.csv")
    return root


@pytest.fixture
def app(tmp_path: Path) -> Path:
    return make_app(tmp_path / "app")


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def tree_state(root: Path) -> dict[str, tuple]:
    """Everything rewrite must not change: contents, modes, link texts, modification times."""
    state: dict[str, tuple] = {}
    for folder, subfolders, names in os.walk(root):
        for name in [*subfolders, *names]:
            path = Path(folder) / name
            info = path.lstat()
            if path.is_symlink():
                state[path.relative_to(root).as_posix()] = ("link", os.readlink(path))
            elif path.is_dir():
                state[path.relative_to(root).as_posix()] = ("dir", info.st_mode)
            else:
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                state[path.relative_to(root).as_posix()] = (
                    "file", info.st_mode, info.st_mtime_ns, digest
                )
    return state


def output_bytes(root: Path) -> dict[str, bytes | str]:
    result: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_symlink():
            result[relative] = "-> " + os.readlink(path)
        elif path.is_file():
            result[relative] = path.read_bytes()
    return result


def assert_one_line(result: Result, code: int, fragment: str) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert fragment in lines[0]
    assert "Traceback" not in result.output


def no_staging_left(folder: Path) -> bool:
    return not [p for p in folder.iterdir() if ".lambdaslim-" in p.name]


def test_the_real_rewrite_replaces_save_and_keeps_price(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke("rewrite", app, "--out", out)
    assert result.exit_code == 0, result.output
    assert not (out / "functions" / "save").exists()
    assert (out / "functions" / "price" / "app.py").read_text() == PRICE
    assert "dynamodb:putItem" in (out / "statemachine" / "flow.asl.json").read_text()


@pytest.mark.parametrize(
    "extra", [[], ["--diff"], ["--query-language", "jsonata"], ["--skip", "SaveFunction"]]
)
def test_rewrite_never_modifies_its_input(app: Path, tmp_path: Path, extra: list[str]) -> None:
    before = tree_state(app)
    result = invoke("rewrite", app, "--out", tmp_path / "out", *extra)
    assert result.exit_code == 0, result.output
    assert tree_state(app) == before


def test_diff_alone_never_writes(app: Path, tmp_path: Path) -> None:
    before = tree_state(tmp_path)
    result = invoke("rewrite", app, "--diff")
    assert result.exit_code == 0, result.output
    assert "-  SaveFunction:" in result.stdout
    assert tree_state(tmp_path) == before


def test_a_non_empty_out_is_refused_without_force(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "precious.txt").write_text("keep me\n")
    before = tree_state(out)
    result = invoke("rewrite", app, "--out", out)
    assert_one_line(result, 2, "not empty")
    assert str(out) in result.stderr
    assert tree_state(out) == before and no_staging_left(tmp_path)

    result = invoke("rewrite", app, "--out", out, "--force")
    assert result.exit_code == 0, result.output
    assert not (out / "precious.txt").exists() and (out / "template.yaml").is_file()
    assert no_staging_left(tmp_path)


def test_an_out_that_is_a_file_is_refused(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("x")
    assert_one_line(invoke("rewrite", app, "--out", out, "--force"), 2, "not a folder")
    assert out.read_text() == "x"


@pytest.mark.parametrize(
    "where",
    [
        pytest.param(lambda app: app, id="the input"),
        pytest.param(lambda app: app.parent, id="the input's parent"),
        pytest.param(lambda app: app / "functions" / "..", id="the input, spelled with .."),
    ],
)
def test_out_equal_to_or_containing_the_input_is_refused(
    app: Path, where: Callable[[Path], Path]
) -> None:
    before = tree_state(app.parent)
    for force in ([], ["--force"]):
        result = invoke("rewrite", app, "--out", where(app), *force)
        assert_one_line(result, 2, "the output folder")
    assert tree_state(app.parent) == before


def test_out_as_a_symlink_to_the_input_is_refused(app: Path, tmp_path: Path) -> None:
    link = tmp_path / "link"
    os.symlink(app, link)
    before = tree_state(app)
    assert_one_line(invoke("rewrite", app, "--out", link, "--force"), 2, "application folder")
    assert tree_state(app) == before and link.is_symlink()


def tree_listing(root: Path) -> dict[str, bytes | str]:
    """Files (bytes), links (text) and folders of a tree."""
    listing: dict[str, bytes | str] = {
        path.relative_to(root).as_posix() + "/": "folder"
        for path in root.rglob("*") if path.is_dir() and not path.is_symlink()
    }
    listing.update(output_bytes(root))
    return listing


@pytest.mark.parametrize(
    "relative",
    [
        pytest.param("optimized", id="a child of the input"),
        pytest.param("build/optimized", id="in a folder the first run created"),
    ],
)
def test_out_inside_the_input_is_excluded_and_a_rerun_gives_the_same_output(
    app: Path, tmp_path: Path, relative: str
) -> None:
    reference = tmp_path / "reference"
    assert invoke("rewrite", app, "--out", reference).exit_code == 0
    before = tree_state(app)
    inside = app / relative
    top = relative.split("/")[0]
    result = invoke("rewrite", app, "--out", inside)
    assert result.exit_code == 0, result.output
    assert tree_listing(inside) == tree_listing(reference)
    state = tree_state(app)
    assert {k: v for k, v in state.items() if k.split("/")[0] != top} == before
    # A second run reads neither its earlier output nor the folder holding it.
    result = invoke("rewrite", app, "--out", inside, "--force")
    assert result.exit_code == 0, result.output
    assert tree_listing(inside) == tree_listing(reference)
    # analyze still loads the application, not its copy
    analysis = invoke("analyze", app, "--format", "json")
    assert analysis.exit_code == 0, analysis.output


def test_a_symlink_leaving_the_project_is_refused_and_nothing_written(
    app: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "secrets"
    outside.mkdir()
    (outside / "id_rsa").write_text("PRIVATE\n")
    os.symlink(outside, app / "functions" / "price" / "vendor")
    out = tmp_path / "out"
    result = invoke("rewrite", app, "--out", out)
    assert_one_line(result, 2, "outside the project")
    assert "functions/price/vendor" in result.stderr
    assert not out.exists() and no_staging_left(tmp_path)


def test_a_handler_reached_through_a_symlink_out_of_the_project_is_refused(
    app: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "app.py").write_text(PRICE)
    price = app / "functions" / "price" / "app.py"
    price.unlink()
    os.symlink(outside / "app.py", price)
    for command in (["analyze", app], ["rewrite", app, "--out", tmp_path / "out"]):
        result = invoke(*command)
        assert_one_line(result, 2, "outside the project")
    assert not (tmp_path / "out").exists()


def test_symlinks_inside_the_project_stay_links_into_the_copy(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("rewrite", app, "--out", out).exit_code == 0
    link = out / "scripts" / "rates.csv"
    assert link.is_symlink()
    assert link.resolve() == (out / "functions" / "price" / "rates.csv").resolve()


def test_file_modes_are_kept(app: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert invoke("rewrite", app, "--out", out).exit_code == 0

    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(out / "scripts" / "deploy.sh") == 0o755
    assert mode(out / "functions" / "price" / "rates.csv") == 0o444
    changed = out / "template.yaml"
    assert changed.read_text() != TEMPLATE  # rewritten, and still 0o640
    assert mode(changed) == 0o640
    assert mode(out / "statemachine" / "flow.asl.json") == mode(app / "statemachine" /
                                                                 "flow.asl.json")


# -- interrupts -------------------------------------------------------------------------------


def interrupt_after(calls: int, real: Callable) -> Callable:
    count = {"n": 0}

    def wrapper(*args, **kwargs):
        count["n"] += 1
        if count["n"] > calls:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    return wrapper


@pytest.mark.parametrize(
    ("target", "after"),
    [
        pytest.param("shutil.copy2", 0, id="first copy"),
        pytest.param("shutil.copy2", 3, id="middle of the copies"),
        pytest.param("_write", 1, id="middle of the changed files"),
        pytest.param("shutil.copymode", 2, id="while copying folder modes"),
        pytest.param("_swap_in", 0, id="just before the rename"),
    ],
)
def test_an_interrupt_while_writing_leaves_nothing_and_prints_one_line(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, target: str, after: int
) -> None:
    import lambdaslim.rewrite.output_tree as output_tree

    owner, _, name = target.rpartition(".")
    module = getattr(output_tree, owner) if owner else output_tree
    monkeypatch.setattr(module, name, interrupt_after(after, getattr(module, name)))
    out = tmp_path / "deep" / "out"
    before = tree_state(app)
    result = invoke("rewrite", app, "--out", out)
    assert_one_line(result, 130, "interrupted")
    assert not out.exists() and not (tmp_path / "deep").exists()
    assert no_staging_left(tmp_path)
    assert tree_state(app) == before


def test_an_interrupt_with_force_keeps_the_previous_output(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lambdaslim.rewrite.output_tree as output_tree

    out = tmp_path / "out"
    out.mkdir()
    (out / "previous.txt").write_text("previous run\n")
    before = tree_state(out)
    monkeypatch.setattr(output_tree, "_write", interrupt_after(1, output_tree._write))
    result = invoke("rewrite", app, "--out", out, "--force")
    assert_one_line(result, 130, "interrupted")
    assert tree_state(out) == before and no_staging_left(tmp_path)


def test_an_interrupt_during_the_analysis_writes_nothing(
    app: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import lambdaslim.rewrite.planning as planning

    monkeypatch.setattr(planning, "build_plan", interrupt_after(0, planning.build_plan))
    result = invoke("rewrite", app, "--out", tmp_path / "out")
    assert_one_line(result, 130, "interrupted")
    assert not (tmp_path / "out").exists() and no_staging_left(tmp_path)
