"""Loading a SAM/CloudFormation template into an :class:`Application`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from lambdaslim.errors import LoadError
from lambdaslim.loading.apis import load_apis
from lambdaslim.loading.documents import key_line, line_of, parse_document, to_plain
from lambdaslim.loading.functions import load_functions
from lambdaslim.loading.project import Project
from lambdaslim.loading.references import NAME_PROPERTIES
from lambdaslim.loading.shapes import expect_mapping, wrong_type
from lambdaslim.loading.state_machines import load_state_machines
from lambdaslim.loading.tables import load_tables
from lambdaslim.loading.task_links import find_task_links
from lambdaslim.loading.template_file import TemplateFile
from lambdaslim.model.application import Application
from lambdaslim.model.location import Warning
from lambdaslim.model.resources import Resource


def load_template(project: Project, path: Path) -> Application:
    document = parse_document(project, path)
    shown = project.display(path)
    if not isinstance(document, Mapping) or not isinstance(document.get("Resources"), Mapping):
        raise LoadError(
            "not a SAM/CloudFormation template: no Resources mapping", shown, line_of(document)
        )
    resources = document["Resources"]
    for logical_id, resource in resources.items():
        if not isinstance(logical_id, str):
            raise wrong_type(f"the name of resource {logical_id!r}", "a string", logical_id,
                             shown, key_line(resources, logical_id))
        if not isinstance(resource, Mapping) or not isinstance(resource.get("Type"), str):
            raise LoadError(
                f"resource {logical_id} has no Type", shown, key_line(resources, logical_id)
            )
        expect_mapping(resource, "Properties", f"Properties of resource {logical_id}", shown)
    for section in ("Parameters", "Globals"):
        expect_mapping(document, section, section, shown)
    template = TemplateFile(project, path, document)
    warnings: list[Warning] = []
    functions = load_functions(template)
    state_machines = load_state_machines(template, warnings)
    task_links = [
        link
        for machine in state_machines.values()
        for link in find_task_links(machine, template.references, warnings)
    ]
    apis = load_apis(template)
    return Application(
        root=project.root,
        kind="template",
        template_file=path.resolve(),
        functions=functions,
        state_machines=state_machines,
        apis=apis,
        resources={logical_id: _resource(template, logical_id) for logical_id in sorted(resources)},
        tables=load_tables(template),
        parameters=dict(sorted(template.references.parameters.items())),
        task_links=task_links,
        route_links=[
            route for api in apis.values() for route in api.routes if route.target_function
        ],
        warnings=warnings,
    )


def _resource(template: TemplateFile, logical_id: str) -> Resource:
    resource_type = template.resources[logical_id]["Type"]
    properties = template.properties(logical_id)
    name_key = NAME_PROPERTIES.get(resource_type, "")
    name = template.references.resolve(properties[name_key]) if name_key in properties else None
    return Resource(
        logical_id, resource_type, to_plain(properties), template.location(logical_id), name
    )
