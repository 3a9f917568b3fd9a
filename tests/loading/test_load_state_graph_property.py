"""Property: random valid state machines load, and the graph round-trips the definition."""

import json
import tempfile
from itertools import count
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from lambdaslim.loading import load_application
from lambdaslim.model import definition_pointer

SIMPLE = st.sampled_from(["Pass", "Task", "Wait", "Choice"])
LEAF = st.tuples(SIMPLE, st.booleans())
BLOCKS = st.recursive(
    st.lists(LEAF, min_size=1, max_size=4),
    lambda children: st.lists(
        st.one_of(
            LEAF,
            st.tuples(
                st.just("Parallel"), st.lists(children, min_size=1, max_size=3), st.booleans()
            ),
            st.tuples(st.just("Map"), children, st.booleans(), st.booleans()),
        ),
        min_size=1,
        max_size=4,
    ),
    max_leaves=14,
)


def build_block(shape: list, names: "count[int]") -> dict:
    """A States block: a chain in order, Choices jumping ahead, Catchers to the last state."""
    chosen = [f"State {next(names)}" for _ in shape]
    states: dict = {}
    for index, (name, spec) in enumerate(zip(chosen, shape, strict=True)):
        kind, flag = spec[0], spec[-1]
        last = index == len(shape) - 1
        if kind == "Choice" and last:
            kind = "Pass"
        state: dict = {"Type": kind}
        if kind == "Task":
            state["Resource"] = "arn:aws:lambda:us-east-1:123456789012:function:work"
        elif kind == "Wait":
            state["Seconds"] = 1
        elif kind == "Parallel":
            state["Branches"] = [build_block(branch, names) for branch in spec[1]]
        elif kind == "Map":
            key = "ItemProcessor" if spec[2] else "Iterator"
            state[key] = build_block(spec[1], names)
        if kind == "Choice":
            state["Choices"] = [
                {"Variable": "$.go", "BooleanEquals": True, "Next": chosen[-1]},
                {"Variable": "$.go", "BooleanEquals": False, "Next": chosen[index + 1]},
            ]
            if flag:
                state["Default"] = chosen[index + 1]
        elif last:
            state["End"] = True
        else:
            state["Next"] = chosen[index + 1]
            if flag and kind in ("Task", "Parallel", "Map"):
                state["Catch"] = [{"ErrorEquals": ["States.ALL"], "Next": chosen[-1]}]
        states[name] = state
    return {"StartAt": chosen[0], "States": states}


def all_states(block: dict, prefix: tuple = ()) -> dict:
    """Every state path -> state JSON, computed independently of the loader."""
    found = {}
    for name, state in block["States"].items():
        path = (*prefix, name)
        found[path] = state
        for index, branch in enumerate(state.get("Branches", [])):
            found.update(all_states(branch, (*path, index)))
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                found.update(all_states(state[key], (*path, key)))
    return found


@settings(derandomize=True, max_examples=60, deadline=None)
@given(BLOCKS)
def test_random_state_machines_round_trip(shape):
    definition = build_block(shape, count(1))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "random.asl.json"
        path.write_text(json.dumps(definition, indent=2))
        app = load_application(path)
    graph = app.state_machines["random"].graph
    expected = all_states(definition)
    assert set(graph.nodes) == set(expected)
    assert len(graph.nodes) == len(expected)
    for path, state in expected.items():
        assert graph.nodes[path]["state"] == state
        node = definition
        for key in definition_pointer(path):
            node = node[key]
        assert node == state
        sibling = path[:-1]
        expected_transitions = []
        if "Next" in state:
            expected_transitions.append(((*sibling, state["Next"]), {"kind": "next"}))
            assert graph.edges[path, (*sibling, state["Next"])]["kind"] == "next"
        if "Default" in state:
            expected_transitions.append(((*sibling, state["Default"]), {"kind": "default"}))
        for index, rule in enumerate(state.get("Choices", [])):
            expected_transitions.append(
                ((*sibling, rule["Next"]), {"kind": "choice", "index": index})
            )
        for index, catcher in enumerate(state.get("Catch", [])):
            expected_transitions.append(
                (
                    (*sibling, catcher["Next"]),
                    {"kind": "catch", "index": index, "errors": ("States.ALL",)},
                )
            )
        for index, branch in enumerate(state.get("Branches", [])):
            expected_transitions.append(
                ((*path, index, branch["StartAt"]), {"kind": "branch", "index": index})
            )
        for key in ("ItemProcessor", "Iterator"):
            if key in state:
                expected_transitions.append(
                    ((*path, key, state[key]["StartAt"]), {"kind": "processor"})
                )
        found = [
            (target, transition)
            for _, target, transitions in graph.out_edges(path, data="transitions")
            for transition in transitions
        ]
        assert sorted(found, key=repr) == sorted(expected_transitions, key=repr)
