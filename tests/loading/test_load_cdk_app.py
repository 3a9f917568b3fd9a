"""CDK synth output: JSON template in cdk.out, DefinitionString as Fn::Join and Fn::Sub."""

import pytest

from lambdaslim.model import Location, ResourceRef


@pytest.fixture(scope="module")
def app(load_app):
    return load_app("cdk_orders")


def test_template_found_in_cdk_out(app):
    assert app.template_file == app.root / "cdk.out" / "OrdersStack.template.json"


def test_functions_use_cdk_asset_folders(app):
    process = app.functions["ProcessOrder8C1F4E3B"]
    assert process.resource_type == "AWS::Lambda::Function"
    assert process.code_dir == app.root / "cdk.out/asset.3f2a9c1e"
    assert process.source_file == app.root / "cdk.out/asset.3f2a9c1e/index.py"
    assert process.environment["ORDERS_TABLE"] == ResourceRef(
        "OrdersTable315BB997", "AWS::DynamoDB::Table", None, {"Ref": "OrdersTable315BB997"}
    )
    assert app.functions["ShipOrderA7B3C9D2"].handler_function == "on_event"


def test_definition_string_join_with_get_att_parts(app):
    machine = app.state_machines["OrderWorkflow9E8D7C6B"]
    assert machine.type == "EXPRESS"
    assert machine.role == "OrderWorkflowRoleB2D4F6A8"
    assert isinstance(machine.raw_definition, dict) and "Fn::Join" in machine.raw_definition
    process = machine.state(("Process order",))
    assert process["Resource"] == "arn:aws:states:::lambda:invoke"
    assert machine.placeholders[process["Parameters"]["FunctionName"]].logical_id == (
        "ProcessOrder8C1F4E3B"
    )
    table = machine.state(("Store order",))["Parameters"]["TableName"]
    assert machine.placeholders[table].logical_id == "OrdersTable315BB997"
    assert machine.graph.nodes[("Ship order",)]["location"] == Location(
        "cdk.out/OrdersStack.template.json", 132
    )


def test_definition_string_sub_with_variables(app):
    machine = app.state_machines["ReturnsWorkflow1A2B3C4D"]
    assert (machine.name, machine.type) == ("orders-returns", "STANDARD")
    ship = machine.state(("Ship replacement",))
    assert ship["Resource"] == "arn:aws:states:::lambda:invoke"  # ${AWS::Partition}
    assert machine.placeholders[ship["Parameters"]["FunctionName"]] == ResourceRef(
        "ShipOrderA7B3C9D2", "AWS::Lambda::Function", None, {"Ref": "ShipOrderA7B3C9D2"}
    )
    process = machine.placeholders[machine.state(("Process return",))["Resource"]]
    assert process.raw == {"Fn::GetAtt": ["ProcessOrder8C1F4E3B", "Arn"]}  # the Sub variable


def test_task_links(app):
    links = {(link.state_machine_id, link.state_path[-1]): link.form for link in app.task_links}
    assert links == {
        ("OrderWorkflow9E8D7C6B", "Process order"): "invoke",
        ("OrderWorkflow9E8D7C6B", "Ship order"): "arn",
        ("ReturnsWorkflow1A2B3C4D", "Process return"): "arn",
        ("ReturnsWorkflow1A2B3C4D", "Ship replacement"): "invoke",  # FunctionName via ${Ref}
    }
    assert {link.function_id for link in app.tasks_for_function("ShipOrderA7B3C9D2")} == {
        "ShipOrderA7B3C9D2"
    }
    assert app.warnings == []
