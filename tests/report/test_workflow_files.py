"""The GitHub Action and the pre-commit hook run the commands the README documents."""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]


def load(name: str):
    return YAML(typ="safe").load((ROOT / name).read_text(encoding="utf-8"))


def test_the_action_analyses_to_sarif_rewrites_and_writes_the_job_summary() -> None:
    action = load("action.yml")
    assert action["runs"]["using"] == "composite"
    assert {"path", "fail-on", "query-language"} <= set(action["inputs"])
    scripts = "\n".join(step["run"] for step in action["runs"]["steps"])
    assert "lambdaslim analyze \"$APP_PATH\" --format sarif" in scripts
    assert "lambdaslim rewrite \"$APP_PATH\" --diff --query-language" in scripts
    assert ">> \"$GITHUB_STEP_SUMMARY\"" in scripts
    assert "--fail-on \"$FAIL_ON\"" in scripts
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], "inputs reach scripts through env, never inline"


def test_the_pre_commit_hook_fails_on_replaceable_functions() -> None:
    (hook,) = load(".pre-commit-hooks.yaml")
    assert hook["id"] == "lambdaslim"
    assert hook["entry"] == "lambdaslim"
    assert hook["args"] == ["analyze", ".", "--fail-on", "replace"]
    assert hook["pass_filenames"] is False
    assert "asl" in hook["files"] and "template" in hook["files"]


def test_the_readme_has_a_worked_workflow_using_the_action() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    review = readme.split("## Review material", 1)[1]
    assert "github/codeql-action/upload-sarif" in review
    assert "lambdaslim/lambdaslim@" in review
    assert "samples/optimized_REPORT.md" in review
