"""``lambdaslim rewrite`` as a user runs it, with the planner and the template rewriter faked.

The application is loaded and analysed for real; ``fake_plan`` removes ``SaveFunction`` while the
template still declares it, and ``fake_rewrite`` deletes its folder, drops it from the template
and adds a state machine definition. Errors go through the CLI's ``reports_errors`` wrapper, so
the exit codes and messages are the ones a user sees.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from lambdaslim.cli import reports_errors
from lambdaslim.plan import PLAN_FILE, Plan
from lambdaslim.rewrite.command import run_rewrite

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "apps"

SAVE_BLOCK = """\
  SaveFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/save/
      Handler: app.handler
"""
TEMPLATE = f"""\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: python3.12
Resources:
{SAVE_BLOCK}  ReportFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/report/
      Handler: app.handler
"""
FLOW = '{\n  "StartAt": "Save"\n}\n'


@dataclass(frozen=True)
class FakeChanges:
    files: dict[str, str]
    deleted: tuple[str, ...]


planner_calls: list[dict[str, Any]] = []


def fake_plan(analysis: Any, catalog: Any, *, only: Any, skip: Any, query_language: str) -> Plan:
    planner_calls.append({"functions": sorted(analysis.app.functions), "only": only,
                          "skip": skip, "query_language": query_language})
    removed = ("SaveFunction",) if "SaveFunction" in analysis.app.functions else ()
    return Plan(machines=(), routes=(), removed_functions=removed)


def fake_rewrite(app: Any, analysis: Any, plan: Plan) -> FakeChanges:
    if not plan.removed_functions:
        return FakeChanges({}, ())
    template = (app.root / "template.yaml").read_text()
    return FakeChanges(
        {"template.yaml": template.replace(SAVE_BLOCK, ""), "statemachine/flow.asl.json": FLOW},
        ("functions/save/",),
    )


def make_app(root: Path) -> Path:
    for relative, text in {
        "template.yaml": TEMPLATE,
        "functions/save/app.py": "def handler(event, context):\n    return event\n",
        "functions/report/app.py": "def handler(event, context):\n    return sum(event)\n",
        "scripts/deploy.sh": "#!/bin/sh\nsam deploy\n",
        ".git/HEAD": "ref: refs/heads/main\n",
        "functions/report/__pycache__/app.cpython-311.pyc": "",
    }.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text)
    (root / "scripts/deploy.sh").chmod(0o755)
    return root


@pytest.fixture()
def app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``app/`` under the current folder, so messages read ``app/...``."""
    monkeypatch.chdir(tmp_path)
    planner_calls.clear()
    return make_app(Path("app"))


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err


def rewrite(
    capsys: pytest.CaptureFixture[str],
    path: str,
    out: str | None = None,
    *,
    diff: bool = False,
    force: bool = False,
    only: set[str] | None = None,
    skip: frozenset[str] = frozenset(),
    rewrite_files: Any = fake_rewrite,
) -> Run:
    printed: list[str] = []
    capsys.readouterr()
    try:
        code = reports_errors(run_rewrite)(
            Path(path), Path(out) if out is not None else None, diff=diff, force=force,
            only=only, skip=set(skip), query_language="jsonata", echo=printed.append,
            _build_plan=fake_plan, _rewrite_files=rewrite_files,
        )
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    return Run(code, "\n".join(printed), capsys.readouterr().err)


def snapshot(folder: Path, skip: str | None = None) -> dict[str, tuple[int, bytes]]:
    """Every path under ``folder``: its mode and its bytes (a link's text)."""
    tree: dict[str, tuple[int, bytes]] = {}
    for current, folders, names in os.walk(folder):
        here = Path(current)
        folders[:] = [name for name in folders if (here / name).relative_to(folder).as_posix()
                      != skip]
        for name in folders + names:
            path = here / name
            data = (os.readlink(path).encode() if path.is_symlink()
                    else b"" if path.is_dir() else path.read_bytes())
            tree[path.relative_to(folder).as_posix()] = (os.lstat(path).st_mode, data)
    return tree


def leftovers(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


# -- writing -------------------------------------------------------------------------------------


def test_writes_the_rewritten_copy_and_the_plan(app: Path, capsys) -> None:
    before = snapshot(app)
    run = rewrite(capsys, "app", "out")
    assert (run.code, run.err) == (0, "")
    assert run.out == "wrote out/: 1 function replaced, 1 kept, 2 files changed, 1 folder deleted"
    out = Path("out")
    assert sorted(snapshot(out)) == [
        ".lambdaslim", ".lambdaslim/plan.json", "functions", "functions/report",
        "functions/report/app.py", "scripts", "scripts/deploy.sh", "statemachine",
        "statemachine/flow.asl.json", "template.yaml",
    ]
    assert (out / "template.yaml").read_text() == TEMPLATE.replace(SAVE_BLOCK, "")
    assert stat.S_IMODE((out / "scripts/deploy.sh").stat().st_mode) == 0o755
    plan = (out / PLAN_FILE).read_text()
    assert json.loads(plan) == {"schema": "lambdaslim/plan/v1", "machines": [], "routes": [],
                                "removed_functions": ["SaveFunction"], "declared": [],
                                "declined": []}
    assert plan.endswith("]\n}\n")
    assert snapshot(app) == before
    assert leftovers(Path(".")) == ["app", "out"]
    assert planner_calls == [{"functions": ["ReportFunction", "SaveFunction"], "only": None,
                              "skip": set(), "query_language": "jsonata"}]


def test_neither_out_nor_diff_is_a_usage_error(app: Path, capsys) -> None:
    run = rewrite(capsys, "app")
    assert run.code == 2
    assert run.err == ("lambdaslim: error: nothing to do: pass --out DIR to write the optimized "
                       "application, --diff to print the changes, or both\n")


def test_a_non_empty_out_is_refused_without_force_and_replaced_with_it(app: Path, capsys) -> None:
    Path("out").mkdir()
    Path("out/mine.txt").write_text("keep me")
    run = rewrite(capsys, "app", "out")
    assert run.code == 2
    assert run.err == (
        "lambdaslim: error: out: the output folder is not empty (--force replaces it)\n"
    )
    assert leftovers(Path("out")) == ["mine.txt"]
    assert rewrite(capsys, "app", "out", force=True).code == 0
    assert not Path("out/mine.txt").exists() and Path("out/template.yaml").exists()
    assert leftovers(Path(".")) == ["app", "out"]


@pytest.mark.parametrize(("out", "message"), [
    ("app", "app: the output folder is the application folder itself"),
    ("app/../app", "app/../app: the output folder is the application folder itself"),
    (".", ".: the output folder contains the application folder"),
])
def test_out_that_is_or_contains_the_input_is_refused(
    app: Path, capsys, out: str, message: str
) -> None:
    before = snapshot(Path("."))
    run = rewrite(capsys, "app", out)
    assert run.code == 2 and run.err.startswith(f"lambdaslim: error: {message}")
    assert snapshot(Path(".")) == before


@pytest.mark.parametrize("path", ["app", "app/template.yaml"])
def test_unknown_function_ids_are_named(app: Path, capsys, path: str) -> None:
    run = rewrite(capsys, path, "out", only={"SaveFunction", "Nope"}, skip=frozenset({"Gone"}))
    assert run.code == 2
    assert run.err == (
        "lambdaslim: error: app/template.yaml: unknown function ids in --only/--skip: Gone, Nope "
        "(the application's functions: ReportFunction, SaveFunction)\n"
    )
    assert not Path("out").exists()


def test_only_skip_and_query_language_reach_the_planner(app: Path, capsys) -> None:
    assert rewrite(capsys, "app", "out", only={"SaveFunction"},
                   skip=frozenset({"ReportFunction"})).code == 0
    assert planner_calls[0]["only"] == {"SaveFunction"}
    assert planner_calls[0]["skip"] == {"ReportFunction"}


# -- out inside the input, and running twice -----------------------------------------------------


def test_out_inside_the_input_is_left_out_and_a_second_run_gives_the_same_output(
    app: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(app)
    before = snapshot(Path("."))
    assert rewrite(capsys, ".", "optimized/").out.startswith("wrote optimized/: 1 function")
    first = snapshot(Path("optimized"))
    assert "optimized" not in {path.split("/")[0] for path in first}
    assert rewrite(capsys, ".", "optimized/", force=True).code == 0
    assert snapshot(Path("optimized")) == first
    assert snapshot(Path("."), skip="optimized") == before
    assert leftovers(Path(".")) == [".git", "functions", "optimized", "scripts", "template.yaml"]


def test_a_second_run_does_not_read_its_earlier_output(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lone definition: reading ``optimized/`` would find two definitions and fail."""
    monkeypatch.chdir(tmp_path)
    shutil.copytree(FIXTURES / "lone_definition", "flows")
    monkeypatch.chdir("flows")
    assert rewrite(capsys, ".", "optimized").code == 0
    first = snapshot(Path("optimized"))
    run = rewrite(capsys, ".", "optimized", force=True)
    assert (run.code, run.err) == (0, "")
    assert snapshot(Path("optimized")) == first


def test_rewriting_the_output_again_changes_nothing(app: Path, capsys) -> None:
    assert rewrite(capsys, "app", "once").code == 0
    run = rewrite(capsys, "once", "twice", diff=True)
    assert run.out == "wrote twice/: 0 functions replaced, 1 kept, 0 files changed"
    once, twice = snapshot(Path("once")), snapshot(Path("twice"))
    # Nothing left to replace: the earlier plan is carried over unchanged, with everything else.
    assert json.loads(twice[PLAN_FILE][1])["removed_functions"] == ["SaveFunction"]
    assert twice == once


# -- failures leave nothing behind ---------------------------------------------------------------


def test_a_failing_rewriter_writes_nothing(app: Path, capsys) -> None:
    def failing(*_: Any) -> FakeChanges:
        raise RuntimeError("rewriter bug")

    with pytest.raises(RuntimeError):
        rewrite(capsys, "app", "out", rewrite_files=failing)
    assert leftovers(Path(".")) == ["app"]


@pytest.mark.parametrize(("failure", "code", "message"), [
    (OSError(28, "No space left on device"), 2,
     "lambdaslim: error: app/scripts/deploy.sh: cannot copy (No space left on device)\n"),
    (KeyboardInterrupt(), 130, "lambdaslim: interrupted, nothing written\n"),
])
def test_a_failure_in_the_middle_of_writing_leaves_nothing_behind(
    app: Path, capsys, monkeypatch: pytest.MonkeyPatch, failure: BaseException, code: int,
    message: str,
) -> None:
    Path("build/keep").mkdir(parents=True)
    copied: list[str] = []
    real_copy = shutil.copy2

    def copy_then_fail(source: Any, target: Any) -> Any:
        if len(copied) == 2:
            raise failure
        copied.append(str(source))
        return real_copy(source, target)

    monkeypatch.setattr(shutil, "copy2", copy_then_fail)
    before = snapshot(Path("."))
    run = rewrite(capsys, "app", "build/new/out")
    assert (run.code, run.err) == (code, message)
    assert snapshot(Path(".")) == before  # no out, no temporary folder, no created parent


def test_a_failure_with_force_keeps_the_old_out(
    app: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    Path("out").mkdir()
    Path("out/old.txt").write_text("old")

    def interrupted(*_: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(shutil, "copy2", interrupted)
    assert rewrite(capsys, "app", "out", force=True).code == 130
    assert leftovers(Path(".")) == ["app", "out"] and leftovers(Path("out")) == ["old.txt"]


# -- symlinks ------------------------------------------------------------------------------------


def test_a_symlink_inside_the_project_is_copied_as_a_symlink(app: Path, capsys) -> None:
    (app / "functions/report/shared.py").symlink_to("../save/app.py")
    assert rewrite(capsys, "app", "out").code == 0
    assert os.readlink("out/functions/report/shared.py") == "../save/app.py"


def test_a_symlink_outside_the_project_writes_nothing(
    app: Path, capsys, tmp_path: Path
) -> None:
    (tmp_path / "credentials").write_text("secret")
    (app / "scripts/credentials").symlink_to(tmp_path / "credentials")
    run = rewrite(capsys, "app", "out")
    assert run.code == 2
    assert run.err == ("lambdaslim: error: app/scripts/credentials: symlink points outside the "
                       f"project, to {tmp_path.resolve()}/credentials\n")
    assert leftovers(Path(".")) == ["app", "credentials"]


def test_a_symlink_loop_is_an_error_naming_it(app: Path, capsys) -> None:
    (app / "scripts/loop").symlink_to("loop")
    run = rewrite(capsys, "app", "out")
    assert (run.code, run.err) == (2, "lambdaslim: error: app/scripts/loop: symlink loop\n")
    assert not Path("out").exists()


# -- diff ----------------------------------------------------------------------------------------

EXPECTED_DIFF = """\
deleted: functions/save/
--- /dev/null
+++ b/statemachine/flow.asl.json
@@ -0,0 +1,3 @@
+{
+  "StartAt": "Save"
+}
--- a/template.yaml
+++ b/template.yaml
@@ -4,11 +4,6 @@
   Function:
     Runtime: python3.12
 Resources:
-  SaveFunction:
-    Type: AWS::Serverless::Function
-    Properties:
-      CodeUri: functions/save/
-      Handler: app.handler
   ReportFunction:
     Type: AWS::Serverless::Function
     Properties:"""


def test_diff_prints_the_patch_and_writes_nothing(app: Path, capsys) -> None:
    before = snapshot(Path("."))
    run = rewrite(capsys, "app", diff=True)
    assert (run.code, run.out, run.err) == (0, EXPECTED_DIFF, "")
    assert snapshot(Path(".")) == before


def test_diff_with_out_does_both(app: Path, capsys) -> None:
    run = rewrite(capsys, "app", "out", diff=True)
    assert run.out == EXPECTED_DIFF + "\nwrote out/: 1 function replaced, 1 kept, 2 files " \
                                      "changed, 1 folder deleted"
    assert Path("out/statemachine/flow.asl.json").read_text() == FLOW
