"""What PATH may be: a folder, a template, a lone definition, a handler file (with :function)."""

from pathlib import Path

import pytest

from lambdaslim.errors import LoadError
from lambdaslim.loading import load_application
from lambdaslim.model import Location


def test_single_template_file(apps_dir):
    app = load_application(apps_dir / "nested_checks" / "template.yaml")
    assert app.kind == "template"
    assert app.root == (apps_dir / "nested_checks").resolve()
    assert len(app.functions) == 4


def test_lone_definition_file_has_unknown_functions(apps_dir):
    app = load_application(apps_dir / "lone_definition" / "payment_flow.asl.json")
    assert app.kind == "definition"
    assert app.template_file is None and app.functions == {}
    machine = app.state_machines["payment_flow"]
    assert machine.definition_file == apps_dir / "lone_definition" / "payment_flow.asl.json"
    links = {
        link.state_path: (link.function_id, link.function_ref, link.form) for link in app.task_links
    }
    assert links == {
        ("Authorise card",): (
            None,
            "arn:aws:lambda:eu-west-1:123456789012:function:authorise-card",
            "arn",
        ),
        ("Capture",): (None, "${CaptureFunctionArn}", "invoke"),
    }
    messages = " | ".join(warning.message for warning in app.warnings)
    assert "${CaptureFunctionArn}" in messages and "unknown" in messages


def test_folder_with_only_a_definition(apps_dir):
    assert load_application(apps_dir / "lone_definition").kind == "definition"


def test_lone_definition_in_yaml(write):
    root = write(
        {
            "flow.asl.yaml": "StartAt: Hello\nStates:\n  Hello:\n    Type: Pass\n    End: true\n",
        }
    )
    machine = load_application(root / "flow.asl.yaml").state_machines["flow"]
    assert machine.graph.nodes[("Hello",)]["location"] == Location("flow.asl.yaml", 3)


def test_handler_file_without_function_finds_the_handler(apps_dir):
    app = load_application(apps_dir / "lone_handler" / "forward_event.py")
    assert app.kind == "handler"
    [function] = app.functions.values()
    assert function.handler_function == "lambda_handler"  # not the 0-parameter helper
    assert function.source_file == apps_dir / "lone_handler" / "forward_event.py"
    assert function.location == Location("forward_event.py", 13)


def test_handler_file_with_function(apps_dir):
    app = load_application(Path(f"{apps_dir}/lone_handler/two_handlers.py:publish_deleted"))
    [function] = app.functions.values()
    assert (function.logical_id, function.handler_function) == (
        "two_handlers.publish_deleted",
        "publish_deleted",
    )


def test_ambiguous_handler_file_asks_for_a_function(apps_dir):
    with pytest.raises(LoadError, match=r"FILE\.py:function") as error:
        load_application(apps_dir / "lone_handler" / "two_handlers.py")
    assert error.value.file.endswith("two_handlers.py")


def test_named_function_must_exist(apps_dir):
    with pytest.raises(LoadError, match="no top-level function 'nope'"):
        load_application(Path(f"{apps_dir}/lone_handler/two_handlers.py:nope"))


def test_folder_with_one_handler(write):
    root = write({"handler.py": "def handler(event, context):\n    return event\n"})
    assert load_application(root).kind == "handler"


def test_exclude_skips_the_rewrite_output_inside_the_input(write):
    pass_state = '{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}'
    root = write(
        {
            "app/flow.asl.json": pass_state,
            "app/lambdaslim-out/flow.asl.json": pass_state,
        }
    )
    with pytest.raises(LoadError, match="several state machine definitions"):
        load_application(root / "app")
    app = load_application(root / "app", exclude=[root / "app" / "lambdaslim-out"])
    assert app.state_machines["flow"].definition_file == (root / "app" / "flow.asl.json").resolve()


def test_template_nearest_the_root_wins(write, apps_dir):
    template = (apps_dir / "nested_checks" / "template.yaml").read_text()
    root = write(
        {
            "template.yaml": template,
            "src/checks.py": (apps_dir / "nested_checks/src/checks.py").read_text(),
            "build/template.yaml": "not: a template\n",
            ".aws-sam/build/template.yaml": "not: a template\n",
        }
    )
    assert load_application(root).template_file == (root / "template.yaml").resolve()
