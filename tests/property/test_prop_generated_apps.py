"""Properties of random valid SAM applications (see ``prop_apps``).

- loading never raises (a valid application), and the state graph round-trips the definition;
- the analysis gives every function a verdict and never raises;
- ``rewrite`` succeeds, every definition it writes validates with statelint (``${X}`` filled
  with plausible values), every IAM statement it adds is one the new integrations need on a
  known resource, and rewriting its output again changes nothing, byte for byte.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from prop_apps import GeneratedApp, all_states, applications, fill_substitutions, tree_listing
from prop_apps import write_app as write_generated

from lambdaslim.cli import main
from lambdaslim.errors import LambdaslimError
from lambdaslim.loading import load_application
from lambdaslim.loading.cfn_yaml import parse_yaml
from lambdaslim.loading.documents import to_plain
from lambdaslim.model import definition_pointer

SETTINGS = {"derandomize": True, "deadline": None, "database": None,
            "suppress_health_check": [HealthCheck.too_slow, HealthCheck.data_too_large]}


def rebuild_definition(graph: Any) -> dict[str, Any]:
    """The definition's blocks rebuilt from the graph alone: each node's state under its path."""

    def block(prefix: tuple, start: str) -> dict[str, Any]:
        states = {
            path[-1]: dict(data["state"])
            for path, data in graph.nodes(data=True)
            if path[:-1] == prefix
        }
        for name, state in states.items():
            path = (*prefix, name)
            if state["Type"] == "Parallel":
                state["Branches"] = [
                    block((*path, index), graph.nodes[target]["name"])
                    for _, target, data in sorted(graph.out_edges(path, data=True),
                                                  key=lambda edge: edge[2].get("index", 0))
                    if data["kind"] == "branch"
                    for index in [data["index"]]
                ]
            if state["Type"] == "Map":
                ((_, target),) = [
                    (s, t) for s, t, kind in graph.out_edges(path, data="kind")
                    if kind == "processor"
                ]
                processor = dict(state["ItemProcessor"])
                processor.update(block((*path, "ItemProcessor"), graph.nodes[target]["name"]))
                state["ItemProcessor"] = processor
        return {"StartAt": start, "States": states}

    (top,) = [path for path, data in graph.nodes(data=True) if data["parent"] is None
              and not graph.in_edges(path)]
    return block((), top[-1])


def check_graph(app: GeneratedApp, machine: Any) -> None:
    graph = machine.graph
    assert machine.raw_definition == app.definition
    expected = all_states(machine.definition)
    assert set(graph.nodes) == set(expected)
    for path, state in expected.items():
        node = machine.definition
        for key in definition_pointer(path):
            node = node[key]
        assert node == state == graph.nodes[path]["state"]
        siblings = path[:-1]
        targets = [state.get("Next"), state.get("Default")]
        targets += [rule["Next"] for rule in state.get("Choices", [])]
        targets += [catcher["Next"] for catcher in state.get("Catch", [])]
        wanted = {(*siblings, target) for target in targets if target}
        wanted |= {(*path, index, branch["StartAt"])
                   for index, branch in enumerate(state.get("Branches", []))}
        if "ItemProcessor" in state:
            wanted.add((*path, "ItemProcessor", state["ItemProcessor"]["StartAt"]))
        assert {target for _, target in graph.out_edges(path)} == wanted
    rebuilt = rebuild_definition(graph)
    assert rebuilt == {k: v for k, v in machine.definition.items() if k in ("StartAt", "States")}


@settings(max_examples=100, **SETTINGS)
@given(applications())
def test_prop_generated_applications_load_and_the_graph_round_trips(app: GeneratedApp) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_generated(app, Path(folder))
        try:
            loaded = load_application(root)
        except LambdaslimError as error:  # a valid application must load
            raise AssertionError(f"valid application refused: {error}") from None
        assert sorted(loaded.functions) == sorted(app.function_ids)
        (machine,) = loaded.state_machines.values()
        check_graph(app, machine)
        tasks = {path for path, s in all_states(app.definition).items() if s["Type"] == "Task"}
        assert {link.state_path for link in loaded.task_links} == tasks
        for link in loaded.task_links:
            resource = json.dumps(all_states(app.definition)[link.state_path])
            assert f"${{{link.function_id.removesuffix('Function')}Arn}}" in resource


def invoke(*args: str | Path) -> Any:
    result = CliRunner().invoke(main, [str(arg) for arg in args])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{type(result.exception).__name__}: {result.exception}"
    )
    return result


def written_definitions(root: Path) -> list[str]:
    """Every state machine definition in a rewritten application, as JSON text."""
    template = to_plain(parse_yaml((root / "template.yaml").read_text(), "template.yaml"))
    found = []
    for resource in template["Resources"].values():
        properties = resource.get("Properties") or {}
        if "DefinitionUri" in properties:
            found.append((root / properties["DefinitionUri"]).read_text())
        elif "Definition" in properties:
            found.append(json.dumps(properties["Definition"]))
    return found


def check_definitions_validate(root: Path) -> None:
    from statelint.linter import Linter

    definitions = written_definitions(root)
    assert definitions
    for text in definitions:
        assert "Fn::" not in text and '"Ref"' not in text
        problems = Linter.validate(json.loads(fill_substitutions(text)))
        assert problems == [], (problems, text)


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


INTEGRATION_ACTIONS = {
    "dynamodb:putItem": "dynamodb:PutItem",
    "sqs:sendMessage": "sqs:SendMessage",
    "sns:publish": "sns:Publish",
}
KNOWN_RESOURCES = {
    "dynamodb:PutItem": {"Fn::GetAtt": ["RecordsTable", "Arn"]},
    "sqs:SendMessage": {"Fn::GetAtt": ["JobsQueue", "Arn"]},
    "sns:Publish": {"Ref": "EventsTopic"},
}


def check_iam(root: Path, out: Path) -> None:
    plan = json.loads((out / ".lambdaslim" / "plan.json").read_text())
    used = {
        INTEGRATION_ACTIONS[match]
        for text in written_definitions(out)
        for match in re.findall(r"arn:aws:states:::([a-z]+:[A-Za-z]+)", text)
        if match in INTEGRATION_ACTIONS
    }
    removed = set(plan["removed_functions"])
    for machine in plan["machines"]:
        for statement in machine["statements_added"]:
            for action in statement["actions"]:
                assert action in used, f"{action} granted, not used"
                assert statement["resources"] == [KNOWN_RESOURCES[action]], statement
        assert set(machine["invoke_removed"]) <= removed
    template = (out / "template.yaml").read_text()
    for function_id in removed:
        assert not re.search(rf"\b{function_id}\b", template), f"{function_id} still named"
    kept = {fid for fid in (f"Fn{n}Function" for n in range(8)) if fid in template}
    original = (root / "template.yaml").read_text()
    assert kept | removed == {fid for fid in (f"Fn{n}Function" for n in range(8))
                              if fid in original}


@settings(max_examples=25, **SETTINGS)
@given(applications())
def test_prop_rewrite_validates_is_least_privilege_and_idempotent(app: GeneratedApp) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = write_generated(app, Path(folder) / "app")
        first, second = Path(folder) / "first", Path(folder) / "second"
        analysis = invoke("analyze", root, "--format", "json")
        assert analysis.exit_code == 0, analysis.output
        verdicts = json.loads(analysis.stdout)["functions"]
        assert sorted(f["id"] for f in verdicts) == sorted(app.function_ids)
        result = invoke("rewrite", root, "--out", first)
        assert result.exit_code == 0, result.output
        # --hypothesis-show-statistics shows how much each run replaced, and why not more
        plan = json.loads((first / ".lambdaslim" / "plan.json").read_text())
        event(f"replaced={len(plan['removed_functions'])} declined={len(plan['declined'])}")
        for declined in plan["declined"]:
            event("declined: " + declined["reason"][:80])
        check_definitions_validate(first)
        check_iam(root, first)
        result = invoke("rewrite", first, "--out", second)
        assert result.exit_code == 0, result.output
        assert tree_listing(second) == tree_listing(first)
