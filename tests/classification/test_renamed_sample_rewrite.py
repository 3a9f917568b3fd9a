"""Renaming every function and state of the sample changes nothing in what the rewrite builds."""

from __future__ import annotations

import json
from pathlib import Path

from app_copies import SAMPLE, AppCopy
from click.testing import CliRunner

from lambdaslim.cli import main
from lambdaslim.loading import load_application


def test_renamed_sample_gets_the_same_architecture_and_verifies(
    sample_copy: AppCopy, tmp_path: Path
) -> None:
    original = load_application(SAMPLE)
    renames = sample_copy.rename_everything(sorted(original.functions))
    out = tmp_path / "optimized"
    runner = CliRunner()
    assert runner.invoke(main, ["rewrite", str(sample_copy.root), "--out", str(out)]).exit_code == 0

    template = (out / "template.yaml").read_text()
    kept = sorted(f for f in load_application(out).functions)
    assert kept == sorted(renames[f] for f in ("ExtractIdInfoFunction", "PresignedUrlFunction"))
    assert len(list((out / "functions").iterdir())) == 2
    assert "Type: EXPRESS" in template and "states:action/StartSyncExecution" in template
    assert "AWS::ApiGatewayV2" not in template
    definition = (out / "statemachine" / "account_creation.asl.json").read_text()
    for resource in ("aws-sdk:dynamodb:query", "dynamodb:putItem", "sqs:sendMessage",
                     "events:putEvents", "http:invoke"):
        assert f"arn:aws:states:::{resource}" in definition

    verified = runner.invoke(main, ["verify", str(sample_copy.root), str(out), "--format", "json"])
    assert verified.exit_code == 0, verified.output
    summary = json.loads(verified.stdout)["summary"]
    assert summary["equivalent"] == summary["cases"] >= 6
