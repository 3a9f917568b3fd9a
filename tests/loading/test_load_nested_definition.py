"""Inline Definition: Parallel > Map > Parallel nesting, JSONata arguments, inline intrinsics."""

import pytest

from lambdaslim.model import Location, definition_pointer

MAP = ("Input checks", 0, "Check items")
INNER = (*MAP, "ItemProcessor", "Item checks")


@pytest.fixture(scope="module")
def machine(load_app):
    return load_app("nested_checks").state_machines["IntakeStateMachine"]


def test_every_state_is_a_node_keyed_by_its_path(machine):
    assert set(machine.graph.nodes) == {
        ("Input checks",),
        ("Summarise",),
        ("Done",),
        ("Intake failed",),
        MAP,
        (*MAP, "ItemProcessor", "Extract ID info"),
        INNER,
        (*INNER, 0, "Check price"),
        (*INNER, 1, "Check stock"),
        ("Input checks", 1, "Log intake"),
    }


def test_nesting_edges_and_parents(machine):
    graph = machine.graph
    assert graph.edges[("Input checks",), MAP]["kind"] == "branch"
    assert graph.edges[("Input checks",), MAP]["index"] == 0
    assert graph.edges[MAP, (*MAP, "ItemProcessor", "Extract ID info")]["kind"] == "processor"
    assert graph.edges[(*MAP, "ItemProcessor", "Extract ID info"), INNER]["kind"] == "next"
    assert graph.edges[INNER, (*INNER, 1, "Check stock")]["index"] == 1
    assert graph.edges[("Input checks",), ("Intake failed",)]["errors"] == ("States.ALL",)
    assert graph.nodes[(*INNER, 0, "Check price")]["parent"] == INNER
    assert graph.nodes[MAP]["parent"] == ("Input checks",)
    assert graph.nodes[(*INNER, 1, "Check stock")]["location"] == Location("template.yaml", 73)


def test_state_paths_map_onto_the_json(machine):
    pointer = definition_pointer((*INNER, 1, "Check stock"))
    node = machine.definition
    for key in pointer:
        node = node[key]
    assert node["QueryLanguage"] == "JSONata"
    assert machine.state((*INNER, 1, "Check stock")) == node


def test_task_links_through_get_att_ref_and_jsonata_arguments(load_app):
    app = load_app("nested_checks")
    links = {link.state_path[-1]: (link.function_id, link.form) for link in app.task_links}
    assert links == {
        "Extract ID info": ("ExtractIdFunction", "arn"),
        "Check price": ("CheckPriceFunction", "invoke"),
        "Check stock": ("CheckStockFunction", "invoke"),
        "Summarise": ("SummariseFunction", "invoke"),
    }
    machine = app.state_machines["IntakeStateMachine"]
    assert machine.name == "inventory-intake"
    assert machine.role == "arn:aws:iam::123456789012:role/intake-role"
