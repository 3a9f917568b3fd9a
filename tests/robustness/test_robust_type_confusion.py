"""A template value of the wrong type (a string where a mapping is expected, a number where a
list is) is bad input like any other: one LoadError naming the file and line, saying what was
expected, exit 2.

Each case is the minimal template for one place the loader crashed with a Python exception
(AttributeError, TypeError, AssertionError: a traceback and exit 1) when a type-confusion fuzzer
replaced one value of the fixture applications (see ``tests/fuzz``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from lambdaslim.cli import main
from lambdaslim.errors import LoadError
from lambdaslim.loading import load_application

FUNCTION = """\
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      CodeUri: src/
"""


def machine(definition: str) -> str:
    return (
        "  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        f"      Definition:\n{definition}"
    )


CHOICE = """\
        StartAt: Pick
        States:
          Pick:
            Type: Choice
            Choices: {choices}
            Default: Done
          Done:
            Type: Succeed
"""
CATCH = """\
        StartAt: Work
        States:
          Work:
            Type: Pass
            End: true
            Catch: {catch}
          Handle:
            Type: Succeed
"""

CASES = {
    "function Properties is a string": (
        "  Fn:\n    Type: AWS::Serverless::Function\n    Properties: oops\n"
        "  Other:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Fn\n"
    ),
    "Environment is a string": FUNCTION + "      Environment: oops\n",
    "Environment Variables is a string": FUNCTION + "      Environment:\n        Variables: oops\n",
    "Events is a string": FUNCTION + "      Events: oops\n",
    "an event's Properties is a string": FUNCTION
    + "      Events:\n        Book:\n          Type: Api\n          Properties: oops\n",
    "an event's Type is a list": FUNCTION
    + "      Events:\n        Book:\n          Type: []\n          Properties: {}\n",
    "DefinitionSubstitutions is a number": (
        "  Flow:\n    Type: AWS::Serverless::StateMachine\n    Properties:\n"
        "      DefinitionSubstitutions: 7\n      Definition:\n        StartAt: A\n"
        "        States:\n          A:\n            Type: Task\n"
        "            Resource: ${X}\n            End: true\n"
    ),
    "Definition is an Fn::Sub list": machine("        Fn::Sub: [a, b]\n"),
    "Choices is a number": machine(CHOICE.format(choices="7")),
    "Catch is a number": machine(CATCH.format(catch="7")),
    "ErrorEquals is a number": machine(CATCH.format(catch="[{ErrorEquals: 7, Next: Handle}]")),
    "SimpleTable PrimaryKey is a string": (
        "  Table:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n"
        "      PrimaryKey: oops\n"
    ),
    "SimpleTable PrimaryKey Type is a list": (
        "  Table:\n    Type: AWS::Serverless::SimpleTable\n    Properties:\n"
        "      PrimaryKey:\n        Name: id\n        Type: []\n"
    ),
    "AttributeDefinitions is a number": (
        "  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      AttributeDefinitions: 7\n"
        "      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n"
    ),
    "GlobalSecondaryIndexes is a number": (
        "  Table:\n    Type: AWS::DynamoDB::Table\n    Properties:\n"
        "      AttributeDefinitions:\n        - AttributeName: id\n          AttributeType: S\n"
        "      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n"
        "      GlobalSecondaryIndexes: 7\n"
    ),
    "OpenAPI paths is a string": (
        "  Api:\n    Type: AWS::Serverless::Api\n    Properties:\n      StageName: prod\n"
        "      DefinitionBody:\n        openapi: '3.0.1'\n        paths: oops\n"
    ),
}


def write(root: Path, resources: str) -> Path:
    (root / "src").mkdir(parents=True)
    (root / "src" / "app.py").write_text("def handler(event, context):\n    return event\n")
    (root / "template.yaml").write_text("Resources:\n" + resources)
    return root


# The line of the value each case names, and what its message says.
EXPECTED = {
    "function Properties is a string": (4, "Properties of resource Fn must be a mapping, got a "
                                           "string"),
    "Environment is a string": (8, "Environment of resource Fn must be a mapping, got a string"),
    "Environment Variables is a string": (9, "Environment.Variables of resource Fn must be a "
                                             "mapping"),
    "Events is a string": (8, "Events of resource Fn must be a mapping, got a string"),
    "an event's Properties is a string": (11, "Events.Book.Properties of resource Fn must be a "
                                              "mapping"),
    "an event's Type is a list": (10, "Events.Book.Type of resource Fn must be a string, got a "
                                      "list"),
    "DefinitionSubstitutions is a number": (5, "DefinitionSubstitutions of resource Flow must be "
                                               "a mapping, got a number"),
    "Definition is an Fn::Sub list": (6, "the definition must be an object, got Fn::Sub"),
    "Choices is a number": (10, "Choices of state 'Pick' must be a list, got a number"),
    "Catch is a number": (11, "Catch of state 'Work' must be a list, got a number"),
    "ErrorEquals is a number": (11, "ErrorEquals of Catch[0] of state 'Work' must be a list of "
                                    "strings, got a number"),
    "SimpleTable PrimaryKey is a string": (5, "PrimaryKey of resource Table must be a mapping"),
    "SimpleTable PrimaryKey Type is a list": (7, "PrimaryKey.Type of resource Table must be a "
                                                 "string, got a list"),
    "AttributeDefinitions is a number": (5, "AttributeDefinitions of resource Table must be a "
                                            "list, got a number"),
    "GlobalSecondaryIndexes is a number": (11, "GlobalSecondaryIndexes of resource Table must be "
                                               "a list"),
    "OpenAPI paths is a string": (8, "paths of the OpenAPI body of resource Api must be a "
                                     "mapping, got a string"),
}


@pytest.mark.parametrize(("resources", "line", "fragment"),
                         [(CASES[name], *EXPECTED[name]) for name in CASES], ids=list(CASES))
def test_a_value_of_the_wrong_type_is_a_load_error(
    tmp_path: Path, resources: str, line: int, fragment: str
) -> None:
    root = write(tmp_path / "app", resources)
    with pytest.raises(LoadError) as raised:
        load_application(root)
    error = raised.value
    assert (error.file, error.line) == (f"{root}/template.yaml", line)
    assert fragment in error.message
    result = CliRunner().invoke(main, ["analyze", str(root)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [f"lambdaslim: error: {error}"]


def test_the_base_of_the_cases_loads(tmp_path: Path) -> None:
    """The cases differ from a loadable template by the one value named in their id."""
    app = load_application(write(tmp_path / "app", FUNCTION + "      Environment:\n"
                                 "        Variables:\n          STAGE: dev\n"))
    assert app.functions["Fn"].environment == {"STAGE": "dev"}
