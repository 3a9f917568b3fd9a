"""lambdaslim is not a way in: least-privilege IAM, escaped mapping templates, no code executed,
safe YAML.

- Every IAM statement the rewrite adds grants exactly the actions the new integrations need, on
  the resources they use (no ``*`` where the ARN is known), and no right on a removed function
  survives.
- API Gateway mapping templates never put request data into JSON unescaped: a body written to
  break out of the ``input`` string still arrives as data.
- ``analyze`` and ``rewrite`` parse the code they analyse; they never import or run it.
- YAML tags that build Python objects are refused, and nothing they name runs.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaslim.cli import main
from lambdaslim.loading.cfn_yaml import parse_yaml
from lambdaslim.loading.documents import to_plain

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_ORIGINAL = ROOT / "samples" / "original_13_lambdas"
SAMPLE_OPTIMIZED = ROOT / "samples" / "optimized"
TICKET_BOOKING = ROOT / "tests" / "fixtures" / "apps" / "ticket_booking"
PLAN = ".lambdaslim/plan.json"


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(main, [str(arg) for arg in args])


def load_template(path: Path) -> dict[str, Any]:
    return to_plain(parse_yaml(path.read_text(encoding="utf-8"), str(path)))


# -- IAM ---------------------------------------------------------------------------------------


def walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk(value)


def statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every IAM statement of every policy document in the template."""
    found = []
    for node in walk(template.get("Resources", {})):
        if isinstance(node, dict) and "Statement" in node:
            items = node["Statement"]
            found += items if isinstance(items, list) else [items]
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def texts(value: Any) -> list[str]:
    """The literal text of a resource value (``Fn::Sub`` templates included)."""
    out = []
    for node in walk(value):
        if isinstance(node, str):
            out.append(node)
    return out


def states_of(definition: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for state in (definition.get("States") or {}).values():
        yield state
        for branch in state.get("Branches") or []:
            yield from states_of(branch)
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                yield from states_of(state[key])


SDK_PREFIXES = {"sfn": "states", "apigatewaymanagementapi": "execute-api"}


def needed_actions(definition: dict[str, Any]) -> set[str]:
    """The IAM actions the Task states of a definition need, from their Resource."""
    needed: set[str] = set()
    for state in states_of(definition):
        resource = state.get("Resource")
        if state.get("Type") != "Task" or not isinstance(resource, str):
            continue
        if not resource.startswith("arn:aws:states:::"):
            needed.add("lambda:InvokeFunction")
            continue
        parts = resource.removeprefix("arn:aws:states:::").split(":")
        if parts[0] == "aws-sdk":
            service, action = SDK_PREFIXES.get(parts[1], parts[1]), parts[2]
        else:
            service, action = parts[0], parts[1].split(".")[0]
        if (service, action) == ("http", "invoke"):
            needed |= {"states:InvokeHTTPEndpoint", "events:RetrieveConnectionCredentials",
                       "secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"}
        elif (service, action) == ("lambda", "invoke"):
            needed.add("lambda:InvokeFunction")
        else:
            needed.add(f"{service}:{action[0].upper()}{action[1:]}")
    return needed


def generated_statements(original: Path, rewritten: Path) -> list[dict[str, Any]]:
    before = {json.dumps(s, sort_keys=True) for s in statements(load_template(original))}
    return [
        s for s in statements(load_template(rewritten))
        if json.dumps(s, sort_keys=True) not in before
    ]


def definitions(root: Path, template: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for resource in template["Resources"].values():
        uri = (resource.get("Properties") or {}).get("DefinitionUri")
        if isinstance(uri, str):
            found.append(json.loads((root / uri).read_text(encoding="utf-8")))
    return found


def check_least_privilege(original: Path, rewritten: Path) -> None:
    template = load_template(rewritten / "template.yaml")
    plan = json.loads((rewritten / PLAN).read_text())
    removed = set(plan["removed_functions"])
    needed = set().union(*(needed_actions(d) for d in definitions(rewritten, template)))
    needed |= {f"states:{route['action']}" for route in plan["routes"]}
    added = generated_statements(original / "template.yaml", rewritten / "template.yaml")
    assert added, "the rewrite added no statement: nothing was checked"
    for statement in added:
        if "Principal" in statement:  # a trust policy: who may assume the API's role
            assert statement["Principal"] == {"Service": "apigateway.amazonaws.com"}
            assert statement["Action"] == "sts:AssumeRole"
            continue
        assert statement["Effect"] == "Allow"
        actions = as_list(statement["Action"])
        for action in actions:
            assert "*" not in action, statement
            assert action in needed, f"{action} is not needed by any new integration"
        for resource in as_list(statement["Resource"]):
            for text in texts(resource):
                assert "*" not in text, f"wildcard resource in {statement}"
    # Nothing, anywhere in the template, still names a removed function.
    text = json.dumps(template)
    for function_id in removed:
        assert function_id not in template["Resources"]
        assert not re.search(rf"\b{function_id}\b", text), f"{function_id} is still referenced"
    # No policy template or statement grants lambda:InvokeFunction beyond the kept functions.
    for statement in statements(template):
        if "lambda:InvokeFunction" in as_list(statement.get("Action")):
            for resource in texts(statement.get("Resource")):
                assert not any(fid in resource for fid in removed)


def test_the_golden_sample_iam_is_least_privilege() -> None:
    check_least_privilege(SAMPLE_ORIGINAL, SAMPLE_OPTIMIZED)


def test_the_api_role_may_only_start_its_state_machine() -> None:
    template = load_template(SAMPLE_OPTIMIZED / "template.yaml")
    roles = {
        lid: r for lid, r in template["Resources"].items()
        if lid.endswith("StepFunctionsRole") and r["Type"] == "AWS::IAM::Role"
    }
    assert roles
    for role in roles.values():
        policies = role["Properties"]["Policies"]
        granted = [s for p in policies for s in as_list(p["PolicyDocument"]["Statement"])]
        assert granted == [{"Effect": "Allow", "Action": "states:StartSyncExecution",
                            "Resource": {"Ref": "AccountCreationStateMachine"}}]


def test_http_endpoint_permission_is_scoped() -> None:
    """The machine has a Name, so its ARN is known: no ``stateMachine:*`` (or else a condition
    on the endpoint)."""
    template = load_template(SAMPLE_OPTIMIZED / "template.yaml")
    machine = template["Resources"]["AccountCreationStateMachine"]["Properties"]
    assert machine.get("Name")  # the ARN can be written without a circular reference
    (statement,) = [
        s for s in statements(template) if "states:InvokeHTTPEndpoint" in as_list(s["Action"])
    ]
    wildcard = any("*" in text for text in texts(statement["Resource"]))
    condition = json.dumps(statement.get("Condition", {}))
    assert not wildcard or "states:HTTPEndpoint" in condition


def test_a_rewrite_of_ticket_booking_keeping_its_entry_is_least_privilege(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    result = invoke("rewrite", TICKET_BOOKING, "--out", out, "--skip", "StartBookingFunction")
    assert result.exit_code == 0, result.output
    check_least_privilege(TICKET_BOOKING, out)
    added = generated_statements(TICKET_BOOKING / "template.yaml", out / "template.yaml")
    assert [as_list(s["Action"]) for s in added] == [["dynamodb:UpdateItem"]]
    assert added[0]["Resource"] == {"Fn::GetAtt": ["SeatsTable", "Arn"]}


def test_a_full_rewrite_of_ticket_booking_is_least_privilege(tmp_path: Path) -> None:
    """Its entry route (a SAM Api event without DefinitionBody) cannot be rewritten: the planner
    declines it and the rest is rewritten."""
    out = tmp_path / "out"
    result = invoke("rewrite", TICKET_BOOKING, "--out", out)
    assert result.exit_code == 0, result.output
    check_least_privilege(TICKET_BOOKING, out)


# -- mapping templates ---------------------------------------------------------------------------


def mapping_templates(template: dict[str, Any]) -> list[str]:
    found = []
    for node in walk(template):
        if isinstance(node, dict):
            for key in ("requestTemplates", "responseTemplates", "RequestTemplates",
                        "ResponseTemplates"):
                for value in (node.get(key) or {}).values():
                    sub = value.get("Fn::Sub") if isinstance(value, dict) else value
                    found.append(sub if isinstance(sub, str) else json.dumps(sub))
    return found


def _strip_calls(text: str, opener: str) -> str:
    """Remove every ``opener(...)`` call (balanced parentheses) from ``text``."""
    while (start := text.find(opener)) != -1:
        depth, end = 0, start + len(opener) - 1
        while end < len(text):
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            if depth == 0:
                break
            end += 1
        text = text[:start] + text[end + 1:]
    return text


def unescaped_request_data(vtl: str) -> list[str]:
    """References to request data left in the text a template writes (outside directives and
    ``$util.escapeJavaScript(...)``)."""
    tainted = {"input"}
    for name, value in re.findall(r"#set\(\s*\$(\w+)\s*=\s*(.*)\)\s*$", vtl, re.MULTILINE):
        if "$input" in value or any(f"${t}" in value for t in tainted):
            tainted.add(name)
    written = _strip_calls(vtl, "$util.escapeJavaScript(")
    for directive in ("#set(", "#if(", "#elseif("):
        written = _strip_calls(written, directive)
    return [
        match.group(0) for match in re.finditer(r"\$!?\{?(\w+)", written)
        if match.group(1) in tainted
    ]


def test_the_golden_mapping_templates_escape_all_request_data() -> None:
    templates = mapping_templates(load_template(SAMPLE_OPTIMIZED / "template.yaml"))
    assert len(templates) >= 2
    for vtl in templates:
        assert "$input" in vtl
        assert unescaped_request_data(vtl) == [], vtl


HOSTILE_BODIES = [
    '{"name": "x\\", \\"stateMachineArn\\": \\"arn:aws:states:::evil"}',
    '{"a": "\'; #set($x = 1) $context.requestId ${AWS::Region}"}',
    '{"a": "line\\nbreak \\\\ back\\\\slash \\u2028 caf\\u00e9 \\ud83d\\ude00"}',
    '{"a": "</script><b>"}',
    '{"}": "{", "\\"": 1, "n": null, "l": [1, 2.5, true]}',
    "{}",
]


def render_request(vtl: str, body: str) -> dict[str, Any]:
    from lambdaslim.verify.vtl import Request, render

    arn = "arn:aws:states:eu-west-1:123456789012:stateMachine:flow"
    text = re.sub(r"\$\{(\w+)\}", arn, vtl)  # the Fn::Sub of the state machine ARN
    rendered = render(text, Request(body=body, request_id="req-1"))
    document = json.loads(rendered.text)
    assert document["stateMachineArn"] == arn
    assert document["name"] == "req-1"
    return document


@pytest.mark.parametrize("body", HOSTILE_BODIES)
def test_hostile_bodies_stay_data_in_the_golden_request_template(body: str) -> None:
    (request,) = [t for t in mapping_templates(load_template(SAMPLE_OPTIMIZED / "template.yaml"))
                  if "stateMachineArn" in t]
    document = render_request(request, body)
    assert set(document) == {"input", "name", "stateMachineArn"}
    assert json.loads(document["input"]) == {**json.loads(body), "requestId": "req-1"}


JSON_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12
)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | JSON_TEXT,
    lambda children: st.lists(children, max_size=3)
    | st.dictionaries(JSON_TEXT, children, max_size=3),
    max_leaves=8,
)


@settings(derandomize=True, max_examples=60, deadline=None, database=None)
@given(body=st.dictionaries(JSON_TEXT, JSON_VALUES, max_size=4),
       field=st.sampled_from([None, "requestId", 'we"ird$#']))
def test_any_object_body_arrives_as_data(body: dict[str, Any], field: str | None) -> None:
    from lambdaslim.plan import RouteEdit
    from lambdaslim.rewrite.mapping_templates import request_template

    edit = RouteEdit("Api", "POST /x", "Fn", "Flow", "StartSyncExecution", field, 200, {})
    vtl = request_template(edit)
    assert unescaped_request_data(vtl) == []
    document = render_request(vtl, json.dumps(body))
    expected = body if field is None else {**body, field: "req-1"}
    assert json.loads(document["input"]) == expected


@settings(derandomize=True, max_examples=40, deadline=None, database=None)
@given(error=JSON_TEXT, cause=JSON_TEXT, name=JSON_TEXT)
def test_failed_executions_answer_escaped_error_and_cause(error: str, cause: str,
                                                           name: str) -> None:
    from lambdaslim.plan import RouteEdit
    from lambdaslim.rewrite.mapping_templates import response_template
    from lambdaslim.verify.vtl import Request, render

    edit = RouteEdit("Api", "POST /x", "Fn", "Flow", "StartSyncExecution", "requestId", 200,
                     {"name": {"$input": "name"}, "id": {"$context": "requestId"}})
    vtl = response_template(edit)
    assert unescaped_request_data(vtl) == []
    answer = {"status": "FAILED", "error": error, "cause": cause}
    rendered = render(vtl, Request(body="{}", request_id="req-1"), body=json.dumps(answer))
    document = json.loads(rendered.text)
    assert document == {"error": error or None, "cause": cause or None}
    succeeded = {"status": "SUCCEEDED", "input": json.dumps({"name": name})}
    rendered = render(vtl, Request(body="{}", request_id="req-1"), body=json.dumps(succeeded))
    assert json.loads(rendered.text) == {"name": name or None, "id": "req-1"}


# -- the analysed code never runs ------------------------------------------------------------

EVIL = '''\
import os
import subprocess

open({marker!r}, "w").write("imported")
os.system("touch " + {marker!r} + ".system")
subprocess.run(["touch", {marker!r} + ".subprocess"])
__import__("builtins").exec("open({marker!r} + '.exec', 'w')")


def handler(event, context):
    open({marker!r} + ".called", "w")
    return event


if __name__ == "__main__":
    open({marker!r} + ".main", "w")
'''


def evil_app(root: Path, marker: Path, count: int) -> None:
    """``count`` functions (enough for the parallel summariser) whose import would leave a
    marker, plus ``setup.py``, ``conftest.py``, ``sitecustomize.py`` and a package
    ``__init__.py`` doing the same."""
    functions = "".join(
        f"  Evil{n}Function:\n    Type: AWS::Serverless::Function\n    Properties:\n"
        f"      Runtime: python3.12\n      Handler: pkg.app.handler\n"
        f"      CodeUri: functions/evil{n}/\n"
        for n in range(count)
    )
    (root / "template.yaml").parent.mkdir(parents=True, exist_ok=True)
    (root / "template.yaml").write_text("Resources:\n" + functions)
    source = EVIL.format(marker=str(marker))
    for n in range(count):
        package = root / "functions" / f"evil{n}" / "pkg"
        package.mkdir(parents=True)
        (package / "__init__.py").write_text(source)
        (package / "app.py").write_text(source)
        (package.parent / "requirements.txt").write_text("boto3\n")
    for name in ("setup.py", "conftest.py", "sitecustomize.py", "lambdaslim.py"):
        (root / name).write_text(source)


def test_analyze_and_rewrite_never_run_the_code_they_analyse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = tmp_path / "markers" / "ran"
    marker.parent.mkdir()
    app = tmp_path / "app"
    evil_app(app, marker, count=20)
    monkeypatch.chdir(app)  # the working folder is the application, as in CI
    runs = [
        ["analyze", app],
        ["analyze", app, "--format", "json", "--jobs", "4", "--no-cache"],
        ["analyze", app / "functions" / "evil0" / "pkg" / "app.py"],
        ["analyze", f"{app / 'functions' / 'evil0' / 'pkg' / 'app.py'}:handler"],
        ["rewrite", app, "--out", tmp_path / "out"],
        ["rewrite", app, "--diff"],
    ]
    for run in runs:
        result = invoke(*run)
        assert result.exit_code == 0, (run, result.output)
    assert list(marker.parent.iterdir()) == []


def test_the_console_script_never_runs_the_code_it_analyses(tmp_path: Path) -> None:
    """The real entry point in a fresh process, from inside the application folder (whose
    ``sitecustomize.py``/``lambdaslim.py`` must not shadow anything)."""
    import subprocess
    import sys

    marker = tmp_path / "markers" / "ran"
    marker.parent.mkdir()
    app = tmp_path / "app"
    evil_app(app, marker, count=2)
    script = Path(sys.executable).parent / "lambdaslim"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "lambdaslim.cli"]
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for args in (["analyze", "."], ["rewrite", ".", "--out", str(tmp_path / "out")]):
        completed = subprocess.run([*command, *args], cwd=app, env=env, capture_output=True,
                                   text=True, timeout=120, check=False)
        assert completed.returncode == 0, completed.stderr
    assert list(marker.parent.iterdir()) == []


# -- YAML ------------------------------------------------------------------------------------

PYTHON_TAGS = [
    "!!python/object/apply:os.system [\"touch {marker}\"]",
    "!!python/object/new:subprocess.Popen [[\"touch\", \"{marker}\"]]",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object/apply:builtins.exec [\"open('{marker}', 'w')\"]",
    "!<tag:yaml.org,2002:python/object/apply:os.system> [\"touch {marker}\"]",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS)
@pytest.mark.parametrize("where", ["template", "definition", "rules"])
def test_python_yaml_tags_are_refused_and_nothing_runs(
    tmp_path: Path, tag: str, where: str
) -> None:
    marker = tmp_path / "ran"
    value = tag.format(marker=marker)
    app = tmp_path / "app"
    app.mkdir()
    shutil.copytree(ROOT / "tests" / "fixtures" / "bad_inputs" / "nodejs_function", app,
                    dirs_exist_ok=True)
    extra: list[str | Path] = []
    bad_file = app / "template.yaml"
    if where == "template":
        bad_file.write_text(bad_file.read_text() + f"      Description: {value}\n")
    elif where == "definition":
        bad_file = app / "flow.asl.yaml"
        bad_file.write_text(f"StartAt: A\nStates:\n  A:\n    Type: Pass\n    Result: {value}\n"
                            "    End: true\n")
        app = bad_file
    else:
        rules = tmp_path / "rules"
        rules.mkdir()
        bad_file = rules / "LS900.yaml"
        bad_file.write_text(f"id: LS900\nname: {value}\n")
        extra = ["--rules", rules]
    for command in (["analyze", app, *extra], ["rewrite", app, "--out", tmp_path / "out",
                                               *extra]):
        result = invoke(*command)
        assert result.exit_code == 2, result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        (line,) = result.stderr.splitlines()
        assert str(bad_file) in line and "tag" in line
    assert not marker.exists() and not (tmp_path / "out").exists()
