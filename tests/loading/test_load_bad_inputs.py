"""Every bad input is one LoadError naming the file (and the line when there is one)."""

import os
from pathlib import Path

import pytest

from lambdaslim.errors import LoadError
from lambdaslim.loading import load_application

FUNCTION = """
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: {handler}
      CodeUri: {code_uri}
"""


def machine_template(definition: str, extra: str = "") -> str:
    indented = "\n".join("        " + line for line in definition.strip().splitlines())
    return (
        "Resources:\n"
        "  Flow:\n"
        "    Type: AWS::Serverless::StateMachine\n"
        "    Properties:\n"
        f"{extra}"
        "      Definition:\n"
        f"{indented}\n"
    )


def load_error(path: Path, exclude=()) -> LoadError:
    with pytest.raises(LoadError) as error:
        load_application(path, exclude)
    return error.value


def test_malformed_json(write):
    root = write(
        {"template.json": '{\n  "Resources": {\n    "A": {"Type": "AWS::SQS::Queue",}\n  }\n}\n'}
    )
    error = load_error(root)
    assert error.file.endswith("template.json") and error.line == 3
    assert "invalid JSON" in error.message


def test_malformed_yaml(write):
    root = write({"template.yaml": "Resources:\n  A:\n    Type: [unclosed\n"})
    error = load_error(root)
    assert error.file.endswith("template.yaml") and error.line is not None
    assert str(error).startswith(f"{root}/template.yaml:")


def test_not_a_template(write):
    root = write({"template.yaml": "name: my-app\nversion: 2\n"})
    error = load_error(root)
    assert "no Resources mapping" in error.message and error.file.endswith("template.yaml")


def test_resource_without_type(write):
    root = write({"template.yaml": "Resources:\n  Queue:\n    Properties: {}\n"})
    error = load_error(root)
    assert (error.message, error.line) == ("resource Queue has no Type", 2)


STATE_MACHINE_ERRORS = [
    ("missing StartAt", "States:\n  A:\n    Type: Succeed", "has no StartAt", None),
    ("missing States", "StartAt: A", "has no States", None),
    (
        "dangling Next",
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    Next: Nowhere",
        "Next names no state: 'Nowhere'",
        8,
    ),
    (
        "dangling Default",
        "StartAt: A\nStates:\n  A:\n    Type: Choice\n    Choices: []\n    Default: Gone",
        "Default names no state: 'Gone'",
        8,
    ),
    (
        "dangling catch",
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n"
        "    Catch:\n      - ErrorEquals: [States.ALL]\n        Next: Gone",
        "Catch[0].Next names no state",
        8,
    ),
    (
        "unreachable state",
        "StartAt: A\nStates:\n  A:\n    Type: Succeed\n  Orphan:\n    Type: Succeed",
        "'Orphan' is unreachable",
        10,
    ),
    (
        "duplicate names across branches",
        """
StartAt: P
States:
  P:
    Type: Parallel
    End: true
    Branches:
      - StartAt: Check
        States:
          Check:
            Type: Succeed
      - StartAt: Check
        States:
          Check:
            Type: Succeed
""",
        "duplicate state name 'Check'",
        18,
    ),
    (
        "unresolved substitution",
        "StartAt: A\nStates:\n  A:\n    Type: Task\n    Resource: ${MissingArn}\n    End: true",
        "${MissingArn} has no entry in DefinitionSubstitutions",
        10,
    ),
    (
        "neither Next nor End",
        "StartAt: A\nStates:\n  A:\n    Type: Pass",
        "neither Next nor End",
        8,
    ),
    (
        "Retry is a mapping",
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Retry:\n"
        "      ErrorEquals: [States.ALL]",
        "Retry of state 'A' must be a list, got a mapping",
        11,
    ),
    (
        "a Retry entry is a string",
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Retry:\n      - oops",
        "Retry[0] of state 'A' must be a mapping, got a string",
        12,
    ),
    (
        "ErrorEquals holds a list",
        "StartAt: A\nStates:\n  A:\n    Type: Pass\n    End: true\n    Retry:\n"
        "      - ErrorEquals: [[States.ALL]]",
        "ErrorEquals of Retry[0] of state 'A' must be a list of strings, got a list",
        12,
    ),
    (
        "Branches is a string",
        "StartAt: P\nStates:\n  P:\n    Type: Parallel\n    End: true\n    Branches: oops",
        "Branches of state 'P' must be a list, got a string",
        11,
    ),
]


@pytest.mark.parametrize(
    ("definition", "message", "line"),
    [case[1:] for case in STATE_MACHINE_ERRORS],
    ids=[case[0] for case in STATE_MACHINE_ERRORS],
)
def test_invalid_state_machines(write, definition, message, line):
    root = write({"template.yaml": machine_template(definition)})
    error = load_error(root)
    assert message in error.message
    assert error.file.endswith("template.yaml")
    if line is not None:
        assert error.line == line


def test_unresolved_substitution_in_definition_file(write):
    root = write(
        {
            "template.yaml": "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n"
            "    Properties:\n      DefinitionUri: flow.asl.json\n"
            "      DefinitionSubstitutions:\n        KnownArn: arn:aws:lambda:x\n",
            "flow.asl.json": '{\n "StartAt": "A",\n "States": {\n  "A": {\n   "Type": "Task",\n'
            '   "Resource": "${UnknownArn}",\n   "End": true\n  }\n }\n}\n',
        }
    )
    error = load_error(root)
    assert error.file.endswith("flow.asl.json") and "${UnknownArn}" in error.message
    assert error.line == 4


def test_unresolved_name_in_definition_string_sub(write):
    root = write(
        {
            "template.yaml": "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n"
            '    Properties:\n      DefinitionString: !Sub \'{"StartAt": "A", "States": '
            '{"A": {"Type": "Task", "Resource": "${Nothing.Arn}", "End": true}}}\'\n'
        }
    )
    error = load_error(root)
    assert "${Nothing.Arn}" in error.message and error.line == 5


def test_definition_string_that_is_not_json(write):
    root = write(
        {
            "template.yaml": "Resources:\n  Flow:\n    Type: AWS::StepFunctions::StateMachine\n"
            "    Properties:\n      DefinitionString: '{\"StartAt\": '\n"
        }
    )
    error = load_error(root)
    assert "DefinitionString is not valid JSON" in error.message and error.line == 5


def test_definition_uri_missing(write):
    root = write(
        {
            "template.yaml": "Resources:\n  Flow:\n    Type: AWS::Serverless::StateMachine\n"
            "    Properties:\n      DefinitionUri: statemachine/missing.asl.json\n"
        }
    )
    error = load_error(root)
    assert "DefinitionUri" in error.message and "does not exist" in error.message
    assert error.file.endswith("template.yaml") and error.line == 5


def test_code_uri_outside_the_project(write, tmp_path):
    (tmp_path / "elsewhere").mkdir()
    root = write(
        {
            "app/template.yaml": "Resources:"
            + FUNCTION.format(handler="app.handler", code_uri="../elsewhere")
        }
    )
    error = load_error(root / "app")
    assert "points outside the project" in error.message and "CodeUri" in error.message
    assert error.file.endswith("template.yaml") and error.line == 7


def test_code_uri_missing(write):
    root = write(
        {"template.yaml": "Resources:" + FUNCTION.format(handler="app.handler", code_uri="src/")}
    )
    error = load_error(root)
    assert "Fn CodeUri" in error.message and "does not exist" in error.message
    assert error.line == 7


def test_handler_file_missing_is_the_problem_of_its_function(write):
    """The function loads without a source file; the classifier keeps it with this reason."""
    root = write(
        {
            "template.yaml": "Resources:"
            + FUNCTION.format(handler="missing.handler", code_uri="src/"),
            "src/app.py": "def handler(event, context):\n    return event\n",
        }
    )
    function = load_application(root).functions["Fn"]
    assert function.source_file is None and function.handler_function is None
    problem = function.handler_problem
    assert problem is not None
    assert "Handler missing.handler names src/missing.py, which does not exist" in problem.message
    assert (problem.location.file, problem.location.line) == ("template.yaml", 6)


def test_handler_file_missing_outside_its_code_folder(write):
    root = write(
        {
            "template.yaml": "Resources:"
            + FUNCTION.format(handler="../missing.handler", code_uri="src/"),
            "src/app.py": "",
        }
    )
    assert "outside its CodeUri" in load_error(root).message


def test_handler_escaping_its_code_folder(write):
    root = write(
        {
            "template.yaml": "Resources:"
            + FUNCTION.format(handler="../other.handler", code_uri="src/"),
            "src/app.py": "",
            "other.py": "def handler(event, context):\n    return event\n",
        }
    )
    assert "outside its CodeUri" in load_error(root).message


def test_code_uri_symlink_pointing_outside(write, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = write(
        {"app/template.yaml": "Resources:" + FUNCTION.format(handler="app.handler", code_uri="src")}
    )
    os.symlink(outside, root / "app" / "src")
    assert "points outside the project" in load_error(root / "app").message


def test_symlink_loop(write):
    root = write(
        {
            "app/template.yaml": "Resources:"
            + FUNCTION.format(handler="app.handler", code_uri="loop")
        }
    )
    os.symlink(root / "app" / "loop", root / "app" / "loop")
    error = load_error(root / "app")
    assert "CodeUri" in error.message and error.line == 7


def test_binary_file(write):
    root = write({"template.yaml": b"Resources:\x00\x01\x02"})
    error = load_error(root)
    assert "binary" in error.message and error.file.endswith("template.yaml")


def test_non_utf8_file(write):
    root = write({"template.yaml": "Resources: {}\nDescription: caf\xe9\n".encode("latin-1")})
    error = load_error(root)
    assert "UTF-8" in error.message and error.line == 2


def test_huge_file(write):
    root = write({"template.yaml": "Resources: {}\n" + "#" * (10 * 1024 * 1024) + "\n"})
    error = load_error(root)
    assert "10 MB" in error.message and error.file.endswith("template.yaml")


def test_empty_folder(tmp_path):
    error = load_error(tmp_path)
    assert "empty folder" in error.message and error.file == str(tmp_path)


def test_folder_with_nothing_to_load(write):
    root = write({"README.md": "# notes\n", "a.py": "x = 1\n", "b.py": "y = 2\n"})
    error = load_error(root)
    assert "no SAM/CloudFormation template" in error.message and error.file == str(root)


def test_missing_path(tmp_path):
    error = load_error(tmp_path / "nope")
    assert error.file == str(tmp_path / "nope")


def test_unsupported_file_type(write):
    root = write({"notes.txt": "hello"})
    assert "expected a template" in load_error(root / "notes.txt").message


def test_handler_file_with_syntax_error(write):
    root = write({"handler.py": "def handler(event, context)\n    return event\n"})
    error = load_error(root / "handler.py")
    assert "invalid Python" in error.message and error.line == 1


def test_choice_without_default_is_only_a_warning(write):
    root = write(
        {
            "template.yaml": machine_template(
                "StartAt: Route\nStates:\n  Route:\n    Type: Choice\n    Choices:\n"
                "      - Variable: $.x\n        IsPresent: true\n        Next: Done\n"
                "  Done:\n    Type: Succeed"
            )
        }
    )
    app = load_application(root)
    [warning] = app.warnings
    assert "'Route' has no Default" in warning.message
    assert (warning.location.file, warning.location.line) == ("template.yaml", 8)


def test_globals_function_of_the_wrong_type(write):
    root = write({"template.yaml": "Globals:\n  Function: 7\nResources:"
                  + FUNCTION.format(handler="app.handler", code_uri="src/"),
                  "src/app.py": "def handler(event, context):\n    return event\n"})
    error = load_error(root)
    assert (error.message, error.line) == ("Globals.Function must be a mapping, got a number", 2)


def test_environment_of_the_wrong_type_in_globals(write):
    root = write({"template.yaml": "Globals:\n  Function:\n    Environment: [A]\nResources:"
                  + FUNCTION.format(handler="app.handler", code_uri="src/"),
                  "src/app.py": "def handler(event, context):\n    return event\n"})
    error = load_error(root)
    assert error.message == "Environment of Globals.Function must be a mapping, got a list"
    assert error.line == 3


def test_a_resource_name_that_is_not_a_string(write):
    root = write({"template.yaml": "Resources:\n  7:\n    Type: AWS::SQS::Queue\n"})
    error = load_error(root)
    assert (error.message, error.line) == ("the name of resource 7 must be a string, got a number",
                                           2)
