"""`samples/optimized` is exactly what `lambdaslim rewrite` makes of the original sample, and it
is deployable-looking (cfn-lint, statelint) and behaves the same (verify)."""

from __future__ import annotations

import filecmp
import json
import re
from pathlib import Path

from click.testing import CliRunner

from lambdaslim.cli import main

ROOT = Path(__file__).resolve().parents[1]
ORIGINAL = ROOT / "samples" / "original_13_lambdas"
OPTIMIZED = ROOT / "samples" / "optimized"


def _tree(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")
            if "__pycache__" not in p.parts}


def test_a_fresh_rewrite_equals_the_committed_golden_sample(tmp_path: Path) -> None:
    out = tmp_path / "optimized"
    result = CliRunner().invoke(main, ["rewrite", str(ORIGINAL), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert _tree(out) == _tree(OPTIMIZED)
    for relative in sorted(_tree(out)):
        if (out / relative).is_file():
            assert filecmp.cmp(out / relative, OPTIMIZED / relative, shallow=False), relative


def test_the_golden_sample_has_two_functions_and_a_synchronous_express_workflow() -> None:
    template = (OPTIMIZED / "template.yaml").read_text()
    assert sorted(p.name for p in (OPTIMIZED / "functions").iterdir()) == [
        "extract_id_info", "presigned_url"]
    assert template.count("Type: AWS::Serverless::Function") == 2
    assert "Type: EXPRESS" in template
    assert "states:action/StartSyncExecution" in template
    assert "AWS::ApiGatewayV2" not in template and "ConnectionsTable" not in template
    definition = (OPTIMIZED / "statemachine" / "account_creation.asl.json").read_text()
    for resource in ("aws-sdk:dynamodb:query", "dynamodb:putItem", "sqs:sendMessage",
                     "events:putEvents", "http:invoke"):
        assert f"arn:aws:states:::{resource}" in definition


def test_the_golden_template_passes_cfn_lint() -> None:
    from cfnlint.api import lint

    matches = lint((OPTIMIZED / "template.yaml").read_text(), regions=["eu-west-1"])
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert errors == []


def test_the_golden_definition_passes_statelint(tmp_path: Path) -> None:
    from statelint.linter import Linter

    text = (OPTIMIZED / "statemachine" / "account_creation.asl.json").read_text()
    filled = re.sub(r"\$\{(\w+)\}", lambda m: (
        f"arn:aws:lambda:eu-west-1:123456789012:function:{m.group(1)}"
        if m.group(1).endswith("FunctionArn") else f"value-of-{m.group(1)}"), text)
    problems = Linter.validate(json.loads(filled))
    assert problems == []


def test_verify_proves_every_case_of_the_sample_equivalent() -> None:
    result = CliRunner().invoke(
        main, ["verify", str(ORIGINAL), str(OPTIMIZED), "--format", "json"])
    assert result.exit_code == 0, result.output
    document = json.loads(result.stdout)
    assert document["summary"]["cases"] >= 6
    assert document["summary"]["equivalent"] == document["summary"]["cases"]
