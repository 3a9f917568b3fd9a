"""What goes away with the removed functions, decided on the template after the plan's edits.

A reference is a ``Ref``, ``Fn::GetAtt`` or ``Fn::Sub`` variable (``cfn_references``). Removed:

1. the plan's removed functions (their ``Events`` go with them);
2. resources that exist only for a removed resource, recognised by the property that ties them
   to it (``OWNER_PROPERTIES``): Lambda permissions, event source mappings, versions, aliases,
   event invoke configs and URLs of the function, its log group (``/aws/lambda/${Fn}``, by
   reference or literal name) and the log group's filters, IAM policies attached only to
   removed roles;
3. a WebSocket API whose route functions are all removed callback-channel functions, with every
   ``AWS::ApiGatewayV2::*`` resource of that API (routes, integrations, deployment, stage...);
4. resources that removed resources reference and nothing else does (but their own satellites,
   such as a role's attached policy): the function's own role, a connections table...
   Functions, state machines and APIs are never removed this way (they have callers of their
   own), and an output or SAM ``Globals`` referencing a resource keeps it.

A resource a kept resource references (``Ref``/``GetAtt``/``Sub``, including a SAM-generated
``<Function>Role``) is never removed, a removed function included: it stays, with what it needs
(rule 2 and 3 are re-decided without it). A kept resource's ``DependsOn`` on a removed one is
dropped instead. Outputs that reference a removed resource are deleted (an empty ``Outputs``
section with them). The code folders of removed functions are deleted unless a kept function
shares them or they are the application root.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lambdaslim.classification import Analysis
from lambdaslim.model import Application
from lambdaslim.plan import Plan
from lambdaslim.rewrite.cfn_references import depends_on, referenced_ids
from lambdaslim.rewrite.editor_ops import delete_items
from lambdaslim.rewrite.resource_edits import edit_resources, template_source
from lambdaslim.rewrite.template_edit import TemplateEditor

OWNER_PROPERTIES = {
    "AWS::Lambda::Permission": "FunctionName",
    "AWS::Lambda::EventSourceMapping": "FunctionName",
    "AWS::Lambda::Version": "FunctionName",
    "AWS::Lambda::Alias": "FunctionName",
    "AWS::Lambda::EventInvokeConfig": "FunctionName",
    "AWS::Lambda::Url": "TargetFunctionArn",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Logs::SubscriptionFilter": "LogGroupName",
    "AWS::Logs::MetricFilter": "LogGroupName",
    "AWS::IAM::Policy": "Roles",
    "AWS::IAM::ManagedPolicy": "Roles",
}
NEVER_ORPHANED = frozenset({
    "AWS::Serverless::Function", "AWS::Lambda::Function",
    "AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::Api", "AWS::Serverless::HttpApi", "AWS::ApiGateway::RestApi",
    "AWS::ApiGatewayV2::Api", "AWS::CloudFormation::Stack", "AWS::Serverless::Application",
})
LAMBDA_LOG_PREFIX = "/aws/lambda/"


@dataclass(frozen=True)
class Removals:
    """``resources`` and ``outputs`` in template order; ``folders`` relative, sorted."""

    resources: tuple[str, ...]
    outputs: tuple[str, ...]
    folders: tuple[str, ...]


def removed_resources(app: Application, analysis: Analysis, plan: Plan) -> list[str]:
    """The logical ids of the resources the rewrite deletes, in template order."""
    source = template_source(app)
    if source is None:
        return []
    editor = TemplateEditor.from_text(source[1], source[0])
    edit_resources(editor, app, plan)
    return list(plan_removals(editor.get(()), app, analysis, plan).resources)


def plan_removals(template: dict[str, Any], app: Application, analysis: Analysis,
                  plan: Plan) -> Removals:
    graph = _Graph(template, app)
    pinned: set[str] = set()
    while True:
        removed = _closure(graph, app, analysis, plan, pinned)
        violations = graph.kept_references(removed)
        if not violations:
            break
        pinned |= violations
    outputs = tuple(name for name, refs in graph.output_refs.items() if refs & removed)
    ordered = tuple(logical_id for logical_id in graph.resources if logical_id in removed)
    return Removals(ordered, outputs, _folders(app, removed))


def apply_removals(editor: TemplateEditor, removals: Removals) -> None:
    removed = set(removals.resources)
    resources = editor.get(("Resources",))
    for logical_id, resource in resources.items():
        if logical_id in removed:
            continue
        dependencies = depends_on(resource)
        gone = [index for index, name in enumerate(dependencies) if name in removed]
        path = ("Resources", logical_id, "DependsOn")
        if gone and (len(gone) == len(dependencies) or isinstance(resource["DependsOn"], str)):
            editor.delete(path)
        else:
            delete_items(editor, path, gone)
    for logical_id in removals.resources:
        editor.delete(("Resources", logical_id))
    outputs = editor.get(("Outputs",)) if editor.has(("Outputs",)) else {}
    if outputs and set(outputs) <= set(removals.outputs):
        editor.delete(("Outputs",))
        return
    for name in removals.outputs:
        editor.delete(("Outputs", name))


class _Graph:
    """Who references whom in one template (references mapped to declared resources)."""

    def __init__(self, template: dict[str, Any], app: Application):
        self.resources: dict[str, Any] = template.get("Resources") or {}
        self.parameters = set(template.get("Parameters") or {})
        self.types = {
            logical_id: resource.get("Type") if isinstance(resource, dict) else None
            for logical_id, resource in self.resources.items()
        }
        self.functions = [
            fid for fid, kind in self.types.items() if kind == "AWS::Serverless::Function"
        ]
        self.refs = {
            logical_id: self.owners(_without(resource, "DependsOn"))
            for logical_id, resource in self.resources.items()
        }
        self.depends = {
            logical_id: set(depends_on(resource)) for logical_id, resource in self.resources.items()
        }
        self.output_refs = {
            str(name): self.owners(output)
            for name, output in (template.get("Outputs") or {}).items()
        }
        self.globals = self.owners(template.get("Globals"))
        self.outside = self.globals.union(*self.output_refs.values())
        self.function_names = {
            name: fid for fid, function in app.functions.items()
            if isinstance(name := function.name, str)
        }

    def owners(self, value: Any) -> set[str]:
        """The resources ``value`` references; a SAM-generated id (``FnRole``, ``FnAliaslive``)
        stands for its function."""
        found = set()
        for ref in referenced_ids(value):
            if ref in self.resources or ref in self.parameters or ref.startswith("AWS::"):
                found.add(ref)
            else:
                generated_by = [fid for fid in self.functions if ref.startswith(fid)]
                found.add(max(generated_by, key=len) if generated_by else ref)
        return found & set(self.resources)

    def owners_of(self, logical_id: str) -> set[str]:
        """The resources the satellite ``logical_id`` belongs to (its owner property)."""
        resource = self.resources[logical_id]
        prop = OWNER_PROPERTIES.get(self.types[logical_id] or "")
        properties = resource.get("Properties") or {}
        if prop is None or prop not in properties:
            return set()
        if self.types[logical_id] in ("AWS::IAM::Policy", "AWS::IAM::ManagedPolicy") and (
            properties.get("Users") or properties.get("Groups")
        ):
            return set()
        value = properties[prop]
        owners = self.owners(value)
        if isinstance(value, str) and value.startswith(LAMBDA_LOG_PREFIX):
            name = value[len(LAMBDA_LOG_PREFIX):]
            if name in self.function_names:
                owners.add(self.function_names[name])
        return owners

    def referencers(self, logical_id: str) -> set[str]:
        return {
            other for other in self.resources
            if logical_id in self.refs[other] or logical_id in self.depends[other]
        }

    def kept_references(self, removed: set[str]) -> set[str]:
        """Removed resources that a kept resource or the SAM ``Globals`` reference."""
        found = self.globals & removed
        for logical_id, refs in self.refs.items():
            if logical_id not in removed:
                found |= refs & removed
        return found


def _closure(graph: _Graph, app: Application, analysis: Analysis, plan: Plan,
             pinned: set[str]) -> set[str]:
    removed = {
        fid for fid in plan.removed_functions if fid in graph.resources and fid not in pinned
    }
    changed = True
    while changed:
        changed = False
        stacks = _removed_websocket_apis(app, analysis, removed) - pinned
        for logical_id in graph.resources:
            if logical_id in removed or logical_id in pinned:
                continue
            if _goes(graph, logical_id, removed, stacks):
                removed.add(logical_id)
                changed = True
    return removed


def _goes(graph: _Graph, logical_id: str, removed: set[str], stacks: set[str]) -> bool:
    if logical_id in stacks:
        return True
    resource_type = graph.types[logical_id] or ""
    if resource_type.startswith("AWS::ApiGatewayV2::"):
        api = (graph.resources[logical_id].get("Properties") or {}).get("ApiId")
        if set(referenced_ids(api)) & stacks:
            return True
    owners = graph.owners_of(logical_id)
    if owners and owners <= removed:
        return True
    if resource_type in NEVER_ORPHANED or logical_id in graph.outside:
        return False
    referencers = graph.referencers(logical_id)
    keeping = {
        other for other in referencers - removed
        if not graph.owners_of(other) or not graph.owners_of(other) <= removed | {logical_id}
    }
    return bool(referencers) and not keeping


def _removed_websocket_apis(app: Application, analysis: Analysis, removed: set[str]) -> set[str]:
    """WebSocket APIs whose route functions are all removed callback-channel functions."""
    categories = {verdict.function_id: verdict.category for verdict in analysis.functions}
    apis = set()
    for api_id, api in app.apis.items():
        functions = {route.target_function for route in api.routes if route.target_function}
        if api.protocol == "WEBSOCKET" and functions and functions <= removed and all(
            categories.get(fid) == "callback_channel" for fid in functions
        ):
            apis.add(api_id)
    return apis


def _folders(app: Application, removed: set[str]) -> tuple[str, ...]:
    root = app.root.resolve()
    kept_dirs = {
        function.code_dir.resolve() for fid, function in app.functions.items()
        if fid not in removed and function.code_dir is not None
    }
    # a folder overlaps a kept one when it is that folder, holds it or lies inside it
    holding_kept = kept_dirs.union(*(kept.parents for kept in kept_dirs))
    folders = set()
    for fid in removed & set(app.functions):
        code_dir = app.functions[fid].code_dir
        if code_dir is None:
            continue
        path = code_dir.resolve()
        if path == root or root not in path.parents:
            continue
        if path in holding_kept or not kept_dirs.isdisjoint(path.parents):
            continue
        folders.add(path.relative_to(root).as_posix())
    return tuple(sorted(folders))


def _without(resource: Any, key: str) -> Any:
    if not isinstance(resource, dict):
        return resource
    return {name: value for name, value in resource.items() if name != key}
