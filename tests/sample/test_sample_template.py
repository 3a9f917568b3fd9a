"""The sample's template and state machine definition are valid and consistent."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint, lint_file
from cfnlint.config import ManualArgs
from cfnlint.decode import decode
from sample_support import SAMPLE_DIR, fill_substitutions, substitution_arn
from statelint.linter import Linter

TEMPLATE = SAMPLE_DIR / "template.yaml"
DEFINITION = SAMPLE_DIR / "statemachine" / "account_creation.asl.json"
SUBSTITUTION = re.compile(r"\$\{([^}]+)\}")


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    decoded, errors = decode(str(TEMPLATE))
    assert not errors and decoded is not None
    return decoded


@pytest.fixture(scope="module")
def state_machine(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["AccountCreationStateMachine"]["Properties"]


def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        logical_id: resource["Properties"]
        for logical_id, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def cfn_errors(matches: list[Any]) -> list[str]:
    return [
        f"{m.rule.id} {m.message} (line {m.linenumber})" for m in matches if m.rule.id[0] == "E"
    ]


def test_template_passes_cfn_lint() -> None:
    matches = lint_file(TEMPLATE, config=ManualArgs(regions=["eu-west-1"]))
    assert cfn_errors(matches) == []


def test_cfn_lint_does_look_inside_the_sam_template() -> None:
    """Guard against a vacuous pass: a broken reference in the same template is reported."""
    broken = TEMPLATE.read_text().replace(
        "!GetAtt ExtractIdInfoFunction.Arn", "!GetAtt ExtractIdInfoFunktion.Arn"
    )
    assert broken != TEMPLATE.read_text()
    errors = cfn_errors(lint(broken, regions=["eu-west-1"]))
    assert any("ExtractIdInfoFunktion" in error for error in errors), errors


def test_template_is_a_sam_template_with_thirteen_python_functions(
    template: dict[str, Any],
) -> None:
    assert template["Transform"] == "AWS::Serverless-2016-10-31"
    assert template["Globals"]["Function"]["Runtime"] == "python3.12"
    assert len(functions(template)) == 13
    assert template["Parameters"]["AddressApiUrl"]["Default"] == (
        "https://api-adresse.data.gouv.fr/search/"
    )


def test_definition_with_substitutions_filled_in_passes_statelint() -> None:
    definition = json.loads(fill_substitutions(DEFINITION.read_text()))
    assert Linter.validate(definition) == []


def test_statelint_does_catch_a_broken_definition() -> None:
    definition = json.loads(fill_substitutions(DEFINITION.read_text()))
    definition["States"]["Create user"]["Next"] = "No such state"
    assert Linter.validate(definition) != []


def test_every_substitution_is_defined_and_used(state_machine: dict[str, Any]) -> None:
    used = set(SUBSTITUTION.findall(DEFINITION.read_text()))
    defined = set(state_machine["DefinitionSubstitutions"])
    assert used == defined
    assert state_machine["DefinitionUri"] == "statemachine/account_creation.asl.json"
    assert state_machine["Type"] == "STANDARD"


def test_substitutions_are_function_arns_the_machine_may_invoke(
    template: dict[str, Any], state_machine: dict[str, Any]
) -> None:
    sam_functions = functions(template)
    invokable = {
        policy["LambdaInvokePolicy"]["FunctionName"]["Ref"]
        for policy in state_machine["Policies"]
        if "LambdaInvokePolicy" in policy
    }
    for name, value in state_machine["DefinitionSubstitutions"].items():
        logical_id, attribute = value["Fn::GetAtt"]
        assert (logical_id in sam_functions, attribute) == (True, "Arn"), name
        assert logical_id in invokable, f"{logical_id} has no LambdaInvokePolicy"
        assert substitution_arn(name).endswith(logical_id)


def _handler_source(properties: dict[str, Any], template: dict[str, Any]) -> tuple[Path, str]:
    handler = properties.get("Handler", template["Globals"]["Function"]["Handler"])
    module, function = handler.rsplit(".", 1)
    return SAMPLE_DIR / properties["CodeUri"] / f"{module}.py", function


def test_every_function_has_its_code_folder(template: dict[str, Any]) -> None:
    for logical_id, properties in functions(template).items():
        folder = SAMPLE_DIR / properties["CodeUri"]
        assert (folder / "app.py").is_file(), logical_id
        assert (folder / "requirements.txt").is_file(), logical_id
        source, function = _handler_source(properties, template)
        assert source.name == "app.py", logical_id
        tree = ast.parse(source.read_text(encoding="utf-8"))
        defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
        assert function in defined, f"{logical_id}: handler {function} not in {source}"


def _env_vars_read(source: Path) -> set[str]:
    """Names read with os.environ[...], os.environ.get(...) or os.getenv(...)."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and ast.unparse(node.value) == "os.environ":
            names.add(ast.literal_eval(node.slice))
        elif isinstance(node, ast.Call) and ast.unparse(node.func) in {
            "os.environ.get",
            "os.getenv",
        }:
            names.add(ast.literal_eval(node.args[0]))
    return names


def test_every_environment_variable_a_handler_reads_is_set(template: dict[str, Any]) -> None:
    global_env = set(template["Globals"]["Function"]["Environment"]["Variables"])
    for logical_id, properties in functions(template).items():
        source, _ = _handler_source(properties, template)
        own_env = set(properties.get("Environment", {}).get("Variables", {}))
        missing = _env_vars_read(source) - own_env - global_env
        assert not missing, f"{logical_id} reads unset variables {missing}"


def test_definition_invokes_each_workflow_function_in_both_task_forms() -> None:
    text = DEFINITION.read_text()
    definition = json.loads(text)
    assert definition["StartAt"] == "Input checks"
    assert '"Resource": "${CrossCheckIdentityFunctionArn}"' in text
    assert text.count('"Resource": "arn:aws:states:::lambda:invoke"') == 9
    assert '"InvocationType": "Event"' in text
