"""rewrite_files: a hand-written plan in, exact files out (golden files in
``tests/fixtures/rewrite/expected``), every rewritten template accepted by cfn-lint."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_template_changes_plans import (
    EMPTY_PLAN,
    FIXTURES,
    FLOW_REPLACED,
    ORDERS_REPLACED,
    analysis_of,
    assert_golden,
    cfn_lint_errors,
    flow_plan,
    inline_plan,
    load,
    orders_plan,
)

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application
from lambdaslim.plan import MachineEdit, Plan, Substitution
from lambdaslim.rewrite.machine_changes import definition_string
from lambdaslim.rewrite.machine_iam import edit_machine_iam
from lambdaslim.rewrite.template_changes import FileChanges, rewrite_files
from lambdaslim.rewrite.template_edit import TemplateEditor


def rewrite(name: str, plan: Plan, replaced: dict[str, str]) -> tuple[Application, FileChanges]:
    app = load(name)
    return app, rewrite_files(app, analysis_of(app, replaced), plan)


@pytest.fixture(scope="module")
def orders() -> tuple[Application, FileChanges]:
    app = load("orders_sam")
    return app, rewrite_files(app, analysis_of(app, ORDERS_REPLACED), orders_plan(app))


# -- golden outputs ------------------------------------------------------------------------------


def test_orders_sam_files(orders: tuple[Application, FileChanges]) -> None:
    """DefinitionUri file rewritten in its own format; substitutions swapped; EXPRESS; invoke
    policies replaced by one statement document; connection after the state machine; the
    route's OpenAPI integration; the removed functions and what existed only for them."""
    _, changes = orders
    assert_golden(changes.files, FIXTURES / "expected" / "orders_sam")


def test_orders_sam_deleted_folders(orders: tuple[Application, FileChanges]) -> None:
    _, changes = orders
    assert changes.deleted == (
        "functions/audit",
        "functions/notify_client",
        "functions/on_connect",
        "functions/on_disconnect",
        "functions/save_order",
        "functions/start_order",
    )


def test_flow_cfn_files() -> None:
    """CloudFormation JSON: DefinitionString Fn::Sub, the role's policies, the Method."""
    _, changes = rewrite("flow_cfn", flow_plan(), FLOW_REPLACED)
    assert_golden(changes.files, FIXTURES / "expected" / "flow_cfn")
    assert changes.deleted == ()  # inline code


def test_inline_definition_keeps_comments() -> None:
    app = load("inline_sam")
    changes = rewrite_files(app, analysis_of(app, {"CheckAgeFunction": "decision"}),
                            inline_plan(app))
    assert_golden(changes.files, FIXTURES / "expected" / "inline_sam")
    assert "# Fails below 18" in changes.files["template.yaml"]
    assert changes.deleted == ()  # src/ still holds ArchiveFunction's code


def test_inline_all_substitutions_removed() -> None:
    """The last substitution goes with its property; the new statements take the place of the
    last removed invoke policy; the shared code folder goes once no function uses it."""
    app = load("inline_sam")
    replaced = {"CheckAgeFunction": "decision", "ArchiveFunction": "transport"}
    changes = rewrite_files(app, analysis_of(app, replaced), inline_plan(app, archive_too=True))
    assert_golden(changes.files, FIXTURES / "expected" / "inline_sam_all")
    assert changes.deleted == ("src",)


# -- properties ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "template"),
    [("orders_sam", "template.yaml"), ("flow_cfn", "template.json"),
     ("inline_sam", "template.yaml")],
)
def test_empty_plan_changes_nothing(name: str, template: str) -> None:
    app = load(name)
    changes = rewrite_files(app, analysis_of(app, {}), EMPTY_PLAN)
    assert changes == FileChanges({}, ())


def test_plan_of_unchanged_definition_changes_nothing() -> None:
    app = load("orders_sam")
    machine = app.state_machines["OrderWorkflow"]
    plan = Plan((MachineEdit("OrderWorkflow", machine.raw_definition, ()),), (), ())
    assert rewrite_files(app, analysis_of(app, {}), plan) == FileChanges({}, ())


def test_same_plan_same_bytes(orders: tuple[Application, FileChanges]) -> None:
    app, changes = orders
    again = rewrite_files(app, analysis_of(app, ORDERS_REPLACED), orders_plan(app))
    assert again == changes


def test_rewritten_templates_pass_cfn_lint(
    orders: tuple[Application, FileChanges], tmp_path: Path
) -> None:
    app = load("inline_sam")
    both = {"CheckAgeFunction": "decision", "ArchiveFunction": "transport"}
    outputs = {
        "orders.yaml": orders[1].files["template.yaml"],
        "flow.json": rewrite("flow_cfn", flow_plan(), FLOW_REPLACED)[1].files["template.json"],
        "inline.yaml": rewrite_files(app, analysis_of(app, both),
                                     inline_plan(app, archive_too=True)).files["template.yaml"],
    }
    for name, text in outputs.items():
        assert cfn_lint_errors(text, name, tmp_path) == [], name


def test_definition_file_keeps_its_format(orders: tuple[Application, FileChanges]) -> None:
    text = orders[1].files["statemachine/order.asl.json"]
    assert text.startswith('{\n    "Comment"')  # four-space indent, like the original
    assert "Commande enregistrée" in text  # not escaped to \u00e9
    assert text.endswith("}\n")


# -- DefinitionString ----------------------------------------------------------------------------


def test_definition_string_escapes_substitutions_for_step_functions() -> None:
    """``${X}`` stays for Fn::Sub when CloudFormation resolves it and X is not a
    DefinitionSubstitutions key; otherwise it becomes ``${!X}``."""
    editor = TemplateEditor.from_text(
        "Parameters:\n  Stage:\n    Type: String\nResources:\n  Fn:\n    Type: AWS::SNS::Topic\n",
        "t.yaml",
    )
    old = {"Fn::Sub": ['{\n  "a": "${Var}"\n}\n', {"Var": "x", "Unused": "y"}]}
    definition = {
        "Fn": "${Fn.TopicName}", "Stage": "${Stage}", "Region": "${AWS::Region}",
        "Var": "${Var}", "Subst": "${TableName}", "Unknown": "${Nope}", "Literal": "${!Kept}",
    }
    new = definition_string(editor, old, definition, {"TableName"})
    text, variables = new["Fn::Sub"]
    assert variables == {"Var": "x"}  # unused variables go: cfn-lint warns about them
    assert json.loads(text.replace("${!", "${")) == {**definition, "Literal": "${Kept}"}
    assert '"${Fn.TopicName}"' in text and '"${Stage}"' in text and '"${AWS::Region}"' in text
    assert '"${!TableName}"' in text and '"${!Nope}"' in text and '"${!Kept}"' in text
    assert text.startswith('{\n  "Fn"') and text.endswith("}\n")


def test_definition_string_from_a_plain_string_is_compact_like_it() -> None:
    editor = TemplateEditor.from_text("Resources: {}\n", "t.yaml")
    old = '{"StartAt":"A","States":{}}'
    new = definition_string(editor, old, {"StartAt": "B", "X": "${S}"}, {"S"})
    assert new == {"Fn::Sub": '{"StartAt":"B","X":"${!S}"}'}


# -- refusals ------------------------------------------------------------------------------------


def test_machine_without_template_role_cannot_get_statements() -> None:
    source = (FIXTURES / "flow_cfn" / "template.json").read_text()
    text = source.replace('"RoleArn": {"Fn::GetAtt": ["FlowRole", "Arn"]}',
                          '"RoleArn": "arn:aws:iam::123456789012:role/flow"')
    editor = TemplateEditor.from_text(text, "template.json")
    with pytest.raises(LambdaslimError, match="its role is not a resource of the template"):
        edit_machine_iam(editor, load("flow_cfn"), flow_plan().machines[0])


def test_unknown_substitution_value_is_rendered_as_given() -> None:
    app = load("inline_sam")
    machine = app.state_machines["AgeFlow"]
    edit = MachineEdit("AgeFlow", machine.raw_definition, (), substitutions_added=(
        Substitution("Bucket", {"Fn::Sub": "archive-${AWS::AccountId}"}),
    ))
    changes = rewrite_files(app, analysis_of(app, {}), Plan((edit,), (), ()))
    assert "        Bucket: !Sub archive-${AWS::AccountId}\n" in changes.files["template.yaml"]
