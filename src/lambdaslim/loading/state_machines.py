"""State machine resources (SAM and CloudFormation) and lone definition files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaslim.errors import LoadError
from lambdaslim.loading.definitions import (
    Substituter,
    definition_string_text,
    parse_definition_string,
    substitute_parsed,
)
from lambdaslim.loading.documents import key_line, line_of, parse_document, pointer_line, to_plain
from lambdaslim.loading.project import Project
from lambdaslim.loading.references import STATE_MACHINE_TYPES, SUB_VARIABLE
from lambdaslim.loading.shapes import expect_events, expect_mapping
from lambdaslim.loading.state_graph import DefinitionSource, build_state_graph, frozen
from lambdaslim.loading.template_file import TemplateFile
from lambdaslim.model.location import Location, Warning
from lambdaslim.model.state_machines import StateMachine
from lambdaslim.model.values import ResourceRef


def load_state_machines(template: TemplateFile, warnings: list[Warning]) -> dict[str, StateMachine]:
    machines: dict[str, StateMachine] = {}
    for logical_id in sorted(template.of_type(STATE_MACHINE_TYPES)):
        machine = _load_state_machine(template, logical_id, warnings)
        if machine is not None:
            machines[logical_id] = machine
    return machines


def _load_state_machine(
    template: TemplateFile, logical_id: str, warnings: list[Warning]
) -> StateMachine | None:
    properties = template.properties(logical_id)
    resource_type = template.resources[logical_id]["Type"]
    owner = f"resource {logical_id}"
    substitutions = expect_mapping(
        properties, "DefinitionSubstitutions", f"DefinitionSubstitutions of {owner}",
        template.shown,
    )
    expect_events(properties, owner, template.shown)
    references = template.references
    substituter = Substituter(references, substitutions)
    file_key = "DefinitionUri" if "DefinitionUri" in properties else "DefinitionS3Location"
    definition_file: Path | None = None

    if "Definition" in properties:
        raw = properties["Definition"]
        shown, relative = template.shown, template.relative
        pointer_base: tuple[str | int, ...] = ("Properties", "Definition")
        root = template.resources[logical_id]
        definition = substitute_parsed(
            substituter, raw, shown, logical_id, key_line(properties, "Definition")
        )
    elif file_key in properties:
        definition_file = template.local_file(
            properties[file_key], file_key, logical_id, properties, file_key
        )
        if definition_file is None:
            warnings.append(
                Warning(
                    f"state machine {logical_id}: {file_key} is not a local file; "
                    "the state machine is not analysed",
                    template.location(logical_id),
                )
            )
            return None
        raw = parse_document(template.project, definition_file)
        shown = template.project.display(definition_file)
        relative = template.project.relative(definition_file)
        pointer_base, root = (), raw
        definition = substitute_parsed(substituter, raw, shown, logical_id)
    elif "DefinitionString" in properties:
        raw = properties["DefinitionString"]
        shown, relative = template.shown, template.relative
        line = key_line(properties, "DefinitionString")
        text = definition_string_text(references, substituter, raw, shown, line, logical_id)
        definition = to_plain(parse_definition_string(text, shown, line, logical_id))
        pointer_base, root = ("Properties", "DefinitionString"), template.resources[logical_id]
    else:
        raise LoadError(
            f"state machine {logical_id} has no Definition, DefinitionString or DefinitionUri",
            template.shown,
            template.location(logical_id).line,
        )

    def line_for(pointer: tuple[str | int, ...]) -> int | None:
        return pointer_line(root, pointer_base + pointer)

    graph_warnings: list[Warning] = []
    graph = build_state_graph(
        definition, DefinitionSource(shown, relative, line_for), graph_warnings
    )
    warnings.extend(graph_warnings)
    role_key = "Role" if "Role" in properties else "RoleArn"
    role = references.resolve(properties.get(role_key))
    type_key = "Type" if resource_type == "AWS::Serverless::StateMachine" else "StateMachineType"
    return StateMachine(
        logical_id=logical_id,
        name=references.physical_name(logical_id),
        type=str(properties.get(type_key) or "STANDARD").upper(),
        definition=definition,
        raw_definition=to_plain(raw),
        definition_file=definition_file,
        definition_location=Location(relative, line_for(())),
        substitutions=to_plain(substitutions),
        placeholders=dict(sorted(substituter.placeholders.items())),
        query_language=str(definition.get("QueryLanguage", "JSONPath")),
        graph=frozen(graph),
        role=role.logical_id
        if isinstance(role, ResourceRef)
        else to_plain(properties.get(role_key)),
        location=template.location(logical_id),
        resource_type=resource_type,
        policies=to_plain(properties.get("Policies")),
        events=to_plain(properties.get("Events") or {}),
    )


def load_definition_file(project: Project, path: Path, warnings: list[Warning]) -> StateMachine:
    """A lone ``*.asl.json|yaml``: no template, so ``${X}`` stay as written and are warned about."""
    raw = parse_document(project, path)
    shown, relative = project.display(path), project.relative(path)
    substituter = Substituter(None, {})
    definition = substitute_parsed(substituter, raw, shown, path.name)
    unresolved = sorted(set(_placeholders_in(definition)))
    if unresolved:
        warnings.append(
            Warning(
                f"substitutions {', '.join(unresolved)} stay unresolved without a template",
                Location(relative, line_of(raw)),
            )
        )

    def line_for(pointer: tuple[str | int, ...]) -> int | None:
        return pointer_line(raw, pointer)

    graph = build_state_graph(definition, DefinitionSource(shown, relative, line_for), warnings)
    logical_id = path.name.split(".")[0]
    return StateMachine(
        logical_id=logical_id,
        name=logical_id,
        type="STANDARD",
        definition=definition,
        raw_definition=to_plain(raw),
        definition_file=path.resolve(),
        definition_location=Location(relative, line_of(raw)),
        substitutions={},
        placeholders={},
        query_language=str(definition.get("QueryLanguage", "JSONPath")),
        graph=frozen(graph),
        role=None,
        location=Location(relative, line_of(raw)),
    )


def _placeholders_in(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [name for value in node.values() for name in _placeholders_in(value)]
    if isinstance(node, list):
        return [name for value in node for name in _placeholders_in(value)]
    if isinstance(node, str):
        return [match.group(0) for match in SUB_VARIABLE.finditer(node)]
    return []
