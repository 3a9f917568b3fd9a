"""The state machine's IAM after a rewrite: invoke rights of removed functions out, the new
integrations' least-privilege statements in.

Where the permissions live:

* a role of the template (SAM ``Role``, CloudFormation ``RoleArn``: ``!GetAtt R.Arn``,
  ``!Ref R``...): that ``AWS::IAM::Role``'s inline ``Policies`` and the ``AWS::IAM::Policy``
  resources attached to it. New statements go into the first attached ``AWS::IAM::Policy``
  (CDK's ``DefaultPolicy``) or else into a new inline policy ``<Machine>Integrations``;
* otherwise a SAM state machine's ``Policies``: ``LambdaInvokePolicy`` (any policy template whose
  parameters name a removed function) goes, and the new statements are one policy document.

New statements are always explicit (exact actions on exact resources); SAM policy templates
grant more than a replaced state needs (``DynamoDBWritePolicy`` allows ``BatchWriteItem`` and
``UpdateItem``), so none is used. A statement ``Resource`` naming a removed function is dropped
(whatever its actions: the function no longer exists), then statements and policies left empty.
"""

from __future__ import annotations

from typing import Any

from lambdaslim.errors import LambdaslimError
from lambdaslim.model import Application
from lambdaslim.plan import IamStatement, MachineEdit
from lambdaslim.rewrite.cfn_references import referenced_ids
from lambdaslim.rewrite.editor_ops import append_item, delete_items
from lambdaslim.rewrite.template_edit import Path, TemplateEditor

POLICY_VERSION = "2012-10-17"
SAM_STATE_MACHINE = "AWS::Serverless::StateMachine"


def edit_machine_iam(editor: TemplateEditor, app: Application, edit: MachineEdit) -> None:
    if not edit.statements_added and not edit.invoke_removed:
        return
    removed = _RemovedFunctions(app, set(edit.invoke_removed))
    properties = ("Resources", edit.machine_id, "Properties")
    role_id = _template_role(editor, properties)
    document = policy_document(edit.statements_added)
    if role_id is not None:
        _edit_role(editor, role_id, removed, document, f"{edit.machine_id}Integrations")
    elif editor.get(("Resources", edit.machine_id, "Type")) == SAM_STATE_MACHINE:
        _edit_sam_policies(editor, (*properties, "Policies"), removed, document)
    elif document is not None:
        raise LambdaslimError(
            f"state machine {edit.machine_id}: its role is not a resource of the template, so "
            "the permissions of the new integrations cannot be added to it"
        )


def policy_document(statements: tuple[IamStatement, ...]) -> dict[str, Any] | None:
    if not statements:
        return None
    return {"Version": POLICY_VERSION, "Statement": [statement_json(s) for s in statements]}


def statement_json(statement: IamStatement) -> dict[str, Any]:
    return {
        "Effect": "Allow",
        "Action": _one_or_list(statement.actions),
        "Resource": _one_or_list(statement.resources),
    }


def _one_or_list(values: tuple[Any, ...]) -> Any:
    return values[0] if len(values) == 1 else list(values)


class _RemovedFunctions:
    """Recognises values naming a removed function: a reference, or its literal name/ARN."""

    def __init__(self, app: Application, function_ids: set[str]):
        self.ids = function_ids
        self.names = {
            app.functions[fid].name
            for fid in function_ids
            if fid in app.functions and isinstance(app.functions[fid].name, str)
        }

    def named_in(self, value: Any) -> bool:
        if isinstance(value, str):
            return any(value == n or f":function:{n}" in value for n in self.names if n)
        return any(ref in self.ids for ref in referenced_ids(value))


def _template_role(editor: TemplateEditor, properties: Path) -> str | None:
    for key in ("Role", "RoleArn"):
        if editor.has((*properties, key)):
            for ref in referenced_ids(editor.get((*properties, key))):
                if editor.has(("Resources", ref)) and (
                    editor.get(("Resources", ref, "Type")) == "AWS::IAM::Role"
                ):
                    return ref
    return None


# -- SAM Policies ------------------------------------------------------------------------------


def _edit_sam_policies(
    editor: TemplateEditor, path: Path, removed: _RemovedFunctions, document: Any
) -> None:
    policies = editor.get(path) if editor.has(path) else []
    if isinstance(policies, dict) and "Statement" in policies and document is None:
        if _prune_document(editor, path, policies, removed):
            editor.delete(path)
        return
    if not isinstance(policies, list):  # one managed policy or document: make it a list
        if document is None:
            return
        policies = [policies]
        editor.set(path, policies)
    gone = []
    for index, entry in enumerate(policies):
        if (_is_policy_template(entry) and removed.named_in(entry)) or (
            isinstance(entry, dict)
            and "Statement" in entry
            and _prune_document(editor, (*path, index), entry, removed)
        ):
            gone.append(index)
    _replace_or_drop(editor, path, len(policies), gone, document)


def _is_policy_template(entry: Any) -> bool:
    return isinstance(entry, dict) and len(entry) == 1 and next(iter(entry)) != "Statement"


def _replace_or_drop(
    editor: TemplateEditor, path: Path, count: int, gone: list[int], new: Any
) -> None:
    """Delete the ``gone`` items of a policy list; ``new`` takes the place of the last of them
    (or is appended). A list left empty is deleted with its key."""
    if new is None and gone and len(gone) == count:
        editor.delete(path)
        return
    if new is not None and gone:
        editor.set((*path, gone[-1]), new)
        gone = gone[:-1]
    elif new is not None:
        append_item(editor, path, new)
    delete_items(editor, path, gone)


def _prune_document(
    editor: TemplateEditor, path: Path, document: Any, removed: _RemovedFunctions
) -> bool:
    """Drop the resources naming removed functions from a policy document's statements (and
    the statements left without any); True when no statement is left."""
    statements = document.get("Statement")
    if isinstance(statements, dict):
        return _prune_statement(editor, (*path, "Statement"), statements, removed)
    gone = [
        index
        for index, statement in enumerate(statements or [])
        if _prune_statement(editor, (*path, "Statement", index), statement, removed)
    ]
    if gone and len(gone) == len(statements):
        return True
    delete_items(editor, (*path, "Statement"), gone)
    return False


def _prune_statement(
    editor: TemplateEditor, path: Path, statement: Any, removed: _RemovedFunctions
) -> bool:
    """True when every resource of the statement names a removed function."""
    resources = statement.get("Resource") if isinstance(statement, dict) else None
    if not isinstance(resources, list):
        return resources is not None and removed.named_in(resources)
    gone = [index for index, resource in enumerate(resources) if removed.named_in(resource)]
    if gone and len(gone) == len(resources):
        return True
    delete_items(editor, (*path, "Resource"), gone)
    return False


# -- IAM roles ---------------------------------------------------------------------------------


def _edit_role(
    editor: TemplateEditor, role_id: str, removed: _RemovedFunctions, document: Any, name: str
) -> None:
    attached = _attached_policies(editor, role_id)
    for policy_id in attached:
        path: Path = ("Resources", policy_id, "Properties", "PolicyDocument")
        if not _prune_document(editor, path, editor.get(path), removed):
            continue
        if document is None:
            raise LambdaslimError(
                f"policy {policy_id} of role {role_id} only grants rights on removed "
                "functions and nothing replaces them; delete it by hand"
            )
        editor.set((*path, "Statement"), document["Statement"])
        document = None
    if document is not None and attached:
        path = ("Resources", attached[0], "Properties", "PolicyDocument", "Statement")
        for statement in document["Statement"]:
            append_item(editor, path, statement)
        document = None
    path = ("Resources", role_id, "Properties", "Policies")
    policies = editor.get(path) if editor.has(path) else []
    gone = [
        index
        for index, policy in enumerate(policies)
        if isinstance(policy, dict)
        and isinstance(policy.get("PolicyDocument"), dict)
        and _prune_document(editor, (*path, index, "PolicyDocument"), policy["PolicyDocument"],
                            removed)
    ]
    new = None if document is None else {"PolicyName": name, "PolicyDocument": document}
    if gone or new is not None:
        _replace_or_drop(editor, path, len(policies), gone, new)


def _attached_policies(editor: TemplateEditor, role_id: str) -> list[str]:
    resources = editor.get(("Resources",))
    return [
        logical_id
        for logical_id, resource in resources.items()
        if isinstance(resource, dict)
        and resource.get("Type") == "AWS::IAM::Policy"
        and role_id in referenced_ids((resource.get("Properties") or {}).get("Roles"))
    ]
