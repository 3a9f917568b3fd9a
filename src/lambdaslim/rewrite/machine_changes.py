"""Apply one ``MachineEdit`` to the state machine's definition and template resource.

Where the definition lives decides how it is written:

* ``DefinitionUri`` file (JSON): the whole file is written again with ``dump_json_like``, so it
  keeps the original's indentation, separators and final newline (key order as the plan gives
  it). A YAML definition file is edited key by key like an inline definition.
* inline ``Definition``: edited in place, only the parts that differ (comments elsewhere stay).
* ``DefinitionString`` (a JSON string, ``Fn::Sub`` or ``Fn::Join``): replaced by an ``Fn::Sub``
  of the new JSON text, formatted like the old text (a YAML template shows it as a literal
  block). In that text a ``${X}`` is left to ``Fn::Sub`` when CloudFormation can resolve it (a
  parameter, pseudo parameter, resource, ``Resource.Attr`` or a variable of the original
  ``Fn::Sub`` map) and is not a ``DefinitionSubstitutions`` key; every other ``${X}`` is written
  ``${!X}`` so that it reaches Step Functions' ``DefinitionSubstitutions`` unchanged.

``DefinitionSubstitutions`` entries are added and removed, ``Type`` (SAM) or
``StateMachineType`` (CloudFormation) is set for a workflow type change (an existing ``Logging``
configuration stays as it is and is valid for Express; none is invented) and EventBridge
connections for HTTP Tasks are added right after the state machine resource.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application, StateMachine
from lambdaslim.plan import Connection, MachineEdit
from lambdaslim.rewrite.cfn_references import SUB_VARIABLE
from lambdaslim.rewrite.editor_ops import set_if_changed, sync_value
from lambdaslim.rewrite.json_doc import dump_json_like
from lambdaslim.rewrite.template_edit import TemplateEditor

SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"
DEFINITION_KEYS = ("Definition", "DefinitionUri", "DefinitionS3Location", "DefinitionString")
#: The connection's API key when the handler sent none: EventBridge requires some
#: authorization even for a public endpoint. The header is sent to the endpoint with each call.
PLACEHOLDER_API_KEY = {"ApiKeyName": "X-Lambdaslim-Connection", "ApiKeyValue": "unused"}


def edit_machine(
    editor: TemplateEditor | None, app: Application, edit: MachineEdit
) -> dict[str, str]:
    """Apply ``edit``; returns the rewritten definition file (relative path -> text), if any."""
    machine = app.state_machines[edit.machine_id]
    files = _definition_file(app, machine, edit)
    if editor is None:
        if _needs_template(edit, machine):
            raise LambdaslimError(
                f"state machine {edit.machine_id}: the plan changes its template resource, "
                "but the application has no template"
            )
        return files
    properties = ("Resources", edit.machine_id, "Properties")
    if machine.definition_file is None:
        _inline_definition(editor, properties, edit)
    _substitutions(editor, properties, edit)
    if edit.new_type is not None:
        _workflow_type(editor, properties, machine, edit.new_type)
    anchor = edit.machine_id
    for connection in edit.connections:
        _add_resource(editor, anchor, connection.logical_id, connection_resource(connection))
        anchor = connection.logical_id
    return files


def connection_resource(connection: Connection) -> dict[str, Any]:
    return {
        "Type": "AWS::Events::Connection",
        "Properties": {
            "Description": connection.description,
            "AuthorizationType": "API_KEY",
            "AuthParameters": {"ApiKeyAuthParameters": dict(PLACEHOLDER_API_KEY)},
        },
    }


def relative_path(app: Application, path: Path) -> str:
    return path.resolve().relative_to(app.root.resolve()).as_posix()


def read_text(path: Path) -> str:
    """A file's text with its line endings as they are (``\\r\\n`` stays)."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


# -- definitions -------------------------------------------------------------------------------


def _needs_template(edit: MachineEdit, machine: StateMachine) -> bool:
    return bool(
        machine.definition_file is None
        or edit.substitutions_added
        or edit.substitutions_removed
        or edit.statements_added
        or edit.invoke_removed
        or edit.new_type
        or edit.connections
    )


def _definition_file(app: Application, machine: StateMachine, edit: MachineEdit) -> dict[str, str]:
    if machine.definition_file is None or edit.definition == machine.raw_definition:
        return {}
    relative = relative_path(app, machine.definition_file)
    original = read_text(machine.definition_file)
    if Path(relative).suffix.lower() == ".json" or original.lstrip().startswith("{"):
        return {relative: dump_json_like(edit.definition, original)}
    document = TemplateEditor.from_text(original, relative)
    sync_value(document, (), edit.definition)
    return {relative: document.text()}


def _inline_definition(
    editor: TemplateEditor, properties: tuple[str, ...], edit: MachineEdit
) -> None:
    if editor.has((*properties, "Definition")):
        sync_value(editor, (*properties, "Definition"), edit.definition)
        return
    path = (*properties, "DefinitionString")
    old = editor.get(path)
    substitutions = _final_substitution_names(editor, properties, edit)
    new = definition_string(editor, old, edit.definition, substitutions)
    if new != old:
        editor.set(path, new)


def definition_string(
    editor: TemplateEditor, old: Any, definition: dict[str, Any], substitutions: set[str]
) -> dict[str, Any]:
    """The ``Fn::Sub`` that replaces a ``DefinitionString`` (see the module docstring)."""
    text, variables = _written_text(old)
    new_text = dump_json_like(definition, text if text.strip() else "{\n  }")
    resolvable = _sub_resolvable(editor, variables)

    def escape(match: Any) -> str:
        bang, name = match.group(1), match.group(2)
        if bang or (name not in substitutions and _resolves(name, resolvable)):
            return match.group(0)
        return "${!" + name + "}"

    new_text = SUB_VARIABLE.sub(escape, new_text)
    used = {match.group(2) for match in SUB_VARIABLE.finditer(new_text) if not match.group(1)}
    kept = {name: value for name, value in variables.items() if name in used}
    return {"Fn::Sub": [new_text, kept] if kept else new_text}


def _written_text(old: Any) -> tuple[str, dict[str, Any]]:
    """The definition text as written (``Fn::Join`` parts that are not strings left out) and the
    original ``Fn::Sub`` variable map."""
    if isinstance(old, str):
        return old, {}
    if isinstance(old, dict) and len(old) == 1:
        ((key, argument),) = old.items()
        if key == "Fn::Sub" and isinstance(argument, str):
            return argument, {}
        if key == "Fn::Sub" and isinstance(argument, list) and argument:
            variables = argument[1] if len(argument) > 1 and isinstance(argument[1], dict) else {}
            return str(argument[0]), dict(variables)
        if key == "Fn::Join" and isinstance(argument, list) and len(argument) == 2:
            delimiter, parts = argument
            strings = [part for part in parts if isinstance(part, str)]
            return str(delimiter).join(strings), {}
    return "", {}


def _sub_resolvable(editor: TemplateEditor, variables: dict[str, Any]) -> set[str]:
    names = set(variables)
    for section in ("Parameters", "Resources"):
        if editor.has((section,)):
            names.update(str(key) for key in editor.get((section,)))
    return names


def _resolves(name: str, resolvable: set[str]) -> bool:
    return name.startswith("AWS::") or name in resolvable or name.split(".", 1)[0] in resolvable


# -- DefinitionSubstitutions -------------------------------------------------------------------


def _final_substitution_names(
    editor: TemplateEditor, properties: tuple[str, ...], edit: MachineEdit
) -> set[str]:
    path = (*properties, "DefinitionSubstitutions")
    current = editor.get(path) if editor.has(path) else {}
    names = {str(name) for name in current or {}} - set(edit.substitutions_removed)
    return names | {substitution.name for substitution in edit.substitutions_added}


def _substitutions(editor: TemplateEditor, properties: tuple[str, ...], edit: MachineEdit) -> None:
    path = (*properties, "DefinitionSubstitutions")
    added = {substitution.name: substitution.value for substitution in edit.substitutions_added}
    if not editor.has(path):
        if added:
            definition_key = next(k for k in DEFINITION_KEYS if editor.has((*properties, k)))
            editor.insert_after((*properties, definition_key), "DefinitionSubstitutions", added)
        return
    current = editor.get(path) or {}
    removed = [name for name in edit.substitutions_removed if name in current]
    if not added and len(removed) == len(current) and removed:
        editor.delete(path)
        return
    for name, value in added.items():  # added first: the mapping never becomes empty
        set_if_changed(editor, (*path, name), value)
    for name in removed:
        if name not in added:
            editor.delete((*path, name))


# -- type and connections ----------------------------------------------------------------------


def _workflow_type(
    editor: TemplateEditor, properties: tuple[str, ...], machine: StateMachine, new_type: str
) -> None:
    sam = machine.resource_type == SAM_STATE_MACHINE
    key = "Type" if sam else "StateMachineType"
    if editor.has((*properties, key)):
        set_if_changed(editor, (*properties, key), new_type)
        return
    name_key = "Name" if sam else "StateMachineName"
    anchors = (name_key, *DEFINITION_KEYS)
    anchor = next(k for k in anchors if editor.has((*properties, k)))
    editor.insert_after((*properties, anchor), key, new_type)


def _add_resource(editor: TemplateEditor, after: str, logical_id: str, resource: Any) -> None:
    if editor.has(("Resources", logical_id)):
        set_if_changed(editor, ("Resources", logical_id), resource)
    else:
        editor.insert_after(("Resources", after), logical_id, resource)
