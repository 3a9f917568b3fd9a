"""The application's architecture as a Mermaid flowchart: client -> API -> Lambda -> state
machine -> services, before and after the rewrite.

Edges come from the model: routes (API -> function or state machine), environment variables
that point at a resource (function -> table, queue, bus, state machine, API), Task states
(state machine -> function), the definition's substitutions (state machine -> service), HTTP
handlers and HTTP Tasks (-> an external HTTPS API). After the rewrite, removed functions and
their edges are gone, rewired routes point at the state machine, and the plan's substitutions,
IAM resources and connections add the services the workflow now calls itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lambdaslim.classification import Analysis
from lambdaslim.model import Expression, ResourceRef, references_of
from lambdaslim.plan import Plan
from lambdaslim.report.cfn_text import logical_ids
from lambdaslim.report.mermaid import label_text

FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})
MACHINE_TYPES = frozenset({"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"})
STORE_TYPES = frozenset({"AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable", "AWS::S3::Bucket"})
SERVICE_NAMES = {
    "AWS::DynamoDB::Table": "DynamoDB table",
    "AWS::Serverless::SimpleTable": "DynamoDB table",
    "AWS::S3::Bucket": "S3 bucket",
    "AWS::SQS::Queue": "SQS queue",
    "AWS::SNS::Topic": "SNS topic",
    "AWS::Events::EventBus": "EventBridge bus",
    "AWS::Events::Connection": "EventBridge connection",
    "AWS::SecretsManager::Secret": "secret",
}
HTTPS = "ext_https"


@dataclass
class _Diagram:
    nodes: dict[str, str] = field(default_factory=dict)
    edges: set[tuple[str, str, str]] = field(default_factory=set)
    classes: dict[str, str] = field(default_factory=dict)

    def edge(self, source: str, target: str, label: str = "") -> None:
        self.edges.add((source, target, label))

    def text(self) -> str:
        used = {n for edge in self.edges for n in edge[:2]}
        lines = ["flowchart LR", "  client((client))"]
        lines += [f"  {node}{shape}" for node, shape in sorted(self.nodes.items()) if node in used]
        for source, target, label in sorted(self.edges):
            arrow = f'-->|"{label_text(label)}"|' if label else "-->"
            lines.append(f"  {source} {arrow} {target}")
        for name, style in (("lambda", "fill:#fff4d6,stroke:#b7791f"),
                            ("workflow", "fill:#e6f0ff,stroke:#2b6cb0")):
            members = sorted(n for n, c in self.classes.items() if c == name and n in used)
            if members:
                lines.append(f"  classDef {name} {style}")
                lines.append(f"  class {','.join(members)} {name}")
        return "\n".join(lines) + "\n"


class Architecture:
    def __init__(self, analysis: Analysis, plan: Plan):
        self.app = analysis.app
        self.analysis = analysis
        self.plan = plan

    def before(self) -> str:
        return self._diagram(after=False).text()

    def after(self) -> str:
        return self._diagram(after=True).text()

    def _diagram(self, *, after: bool) -> _Diagram:
        diagram = _Diagram()
        removed = set(self.plan.removed_functions) if after else set()
        rewired = {(r.api_id, r.route_key): r for r in self.plan.routes} if after else {}
        for route in self.app.routes:
            edit = rewired.get((route.api_id, route.route_key))
            if edit is not None:
                target = self._machine(diagram, edit.machine_id, after)
                label = f"{route.route_key} ({edit.action})"
            elif route.target_function and route.target_function not in removed:
                target = self._function(diagram, route.target_function)
                label = route.route_key
            elif route.target_state_machine:
                target = self._machine(diagram, route.target_state_machine, after)
                label = route.route_key
            else:
                continue
            api = self._api(diagram, route.api_id)
            diagram.edge("client", api)
            diagram.edge(api, target, label)
        for function_id, function in self.app.functions.items():
            if function_id in removed:
                continue
            source = self._function(diagram, function_id)
            for value in function.environment.values():
                for ref in references_of(value):
                    used = self._resource(diagram, ref.logical_id, after)
                    if used:
                        diagram.edge(source, used)
            verdict = self.analysis.function(function_id)
            handler = verdict.handler_verdict
            if handler is not None and handler.category == "http":
                self._https(diagram)
                diagram.edge(source, HTTPS)
        for machine_id in self.app.state_machines:
            self._workflow_edges(diagram, machine_id, removed, after)
        return diagram

    def _workflow_edges(
        self, diagram: _Diagram, machine_id: str, removed: set[str], after: bool
    ) -> None:
        machine = self.app.state_machines[machine_id]
        node = self._machine(diagram, machine_id, after)
        edit = self.plan.machine(machine_id) if after else None
        edited = {e.state_path for e in edit.states} if edit else set()
        for link in self.app.task_links:
            if (link.state_machine_id == machine_id and link.function_id
                    and link.function_id not in removed and link.state_path not in edited):
                diagram.edge(node, self._function(diagram, link.function_id))
        dropped = set(edit.substitutions_removed) if edit else set()
        values = [v for k, v in machine.substitutions.items() if k not in dropped]
        values += [value.raw for value in machine.placeholders.values()
                   if isinstance(value, ResourceRef | Expression)]
        if edit:
            values += [s.value for s in edit.substitutions_added]
            values += [r for statement in edit.statements_added for r in statement.resources]
            for connection in edit.connections:
                self._https(diagram)
                diagram.edge(node, HTTPS, "http:invoke")
                values.append({"Ref": connection.logical_id})
        for logical_id in sorted({name for value in values for name in logical_ids(value)}):
            target = self._resource(diagram, logical_id, after)
            if target and target != node:
                diagram.edge(node, target)

    # -- nodes ----------------------------------------------------------------------------------

    def _function(self, diagram: _Diagram, function_id: str) -> str:
        node = f"fn_{function_id}"
        diagram.nodes[node] = f'["λ {label_text(function_id)}"]'
        diagram.classes[node] = "lambda"
        return node

    def _machine(self, diagram: _Diagram, machine_id: str, after: bool) -> str:
        node = f"sm_{machine_id}"
        machine = self.app.state_machines.get(machine_id)
        edit = self.plan.machine(machine_id) if after else None
        kind = (edit.new_type if edit and edit.new_type else machine.type) if machine else ""
        diagram.nodes[node] = f'[["{label_text(machine_id)}<br/>{kind}"]]'
        diagram.classes[node] = "workflow"
        return node

    def _api(self, diagram: _Diagram, api_id: str) -> str:
        node = f"api_{api_id}"
        api = self.app.apis.get(api_id)
        protocol = api.protocol if api else "API"
        diagram.nodes[node] = f'(["{label_text(api_id)}<br/>{protocol} API"])'
        return node

    def _https(self, diagram: _Diagram) -> None:
        diagram.nodes[HTTPS] = '{{"HTTPS API"}}'

    def _resource(self, diagram: _Diagram, logical_id: str, after: bool) -> str | None:
        """A node for a resource a function or workflow uses (functions have their own)."""
        if logical_id in self.app.state_machines:
            return self._machine(diagram, logical_id, after)
        if logical_id in self.app.apis:
            return self._api(diagram, logical_id)
        resource = self.app.resources.get(logical_id)
        if resource is None and any(c.logical_id == logical_id for m in self.plan.machines
                                    for c in m.connections):
            kind = "AWS::Events::Connection"
        elif resource is None or resource.type in FUNCTION_TYPES | MACHINE_TYPES:
            return None
        else:
            kind = resource.type
        if kind not in SERVICE_NAMES:
            return None
        node = f"res_{logical_id}"
        text = f"{label_text(logical_id)}<br/>{SERVICE_NAMES[kind]}"
        diagram.nodes[node] = f'[("{text}")]' if kind in STORE_TYPES else f'("{text}")'
        return node
