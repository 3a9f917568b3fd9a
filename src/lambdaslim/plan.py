"""The rewrite plan: every change lambdaslim will make, with why, before any file is touched.

``analyze`` decides *what* may be replaced; the plan says *how*: the new states of each state
machine, the template values they are bound to, the IAM they need, the API integrations that
replace entry functions, and what goes away. The writer applies a plan to copies of the files;
the report and ``verify`` read the same plan, so none of them re-derives a decision.

CloudFormation values in the plan (``Raw``) are long-form intrinsics as the loader produces them
(``{"Ref": "UsersTable"}``, ``{"Fn::GetAtt": ["UsersTable", "Arn"]}``, ``{"Fn::Sub": "..."}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lambdaslim.model import StatePath

Raw = Any


@dataclass(frozen=True)
class Declared:
    """A difference the rewrite makes on purpose, for the reviewer and for ``verify``.

    ``kind``: ``generated`` (ids/timestamps produced differently), ``json_serialisation``,
    ``marshalling``, ``error_name``, ``text_conversion``, ``callback_channel`` (WebSocket
    notifications replaced by the synchronous API answer), ``delivery_semantics`` (workflow type
    change), ``missing_field``, ``environment``, ``async_errors``, ``http_status``.
    ``where`` names the state or resource; ``path`` the JSON path of the value that differs
    (``$.user.id``) when there is one.
    """

    kind: str
    message: str
    where: str
    path: str | None = None


@dataclass(frozen=True)
class Substitution:
    """A ``DefinitionSubstitutions`` entry: ``${name}`` in the definition, bound to ``value``."""

    name: str
    value: Raw


@dataclass(frozen=True)
class IamStatement:
    """A least-privilege statement for the state machine's role."""

    actions: tuple[str, ...]
    resources: tuple[Raw, ...]


@dataclass(frozen=True)
class Connection:
    """An ``AWS::Events::Connection`` an HTTP Task authenticates with (required even for a
    public API). ``api_key_header`` names a header when the handler sent one from the
    environment; otherwise the connection carries a placeholder API key."""

    logical_id: str
    endpoint: Raw
    description: str


@dataclass(frozen=True)
class StateEdit:
    """One replaced Task state.

    ``states`` are the states that take its place, in order; the first keeps the replaced
    state's name, so every transition into it stays valid. An empty ``states`` removes the
    state: transitions into it go to ``successor`` instead (a callback notification whose
    result was discarded).
    """

    machine_id: str
    state_path: StatePath
    function_id: str
    rule_id: str
    states: dict[str, dict[str, Any]]
    successor: str | None = None
    declared: tuple[Declared, ...] = ()


@dataclass(frozen=True)
class MachineEdit:
    """Everything that changes in one state machine and its template resource."""

    machine_id: str
    definition: dict[str, Any]
    states: tuple[StateEdit, ...]
    substitutions_added: tuple[Substitution, ...] = ()
    substitutions_removed: tuple[str, ...] = ()
    statements_added: tuple[IamStatement, ...] = ()
    invoke_removed: tuple[str, ...] = ()
    new_type: str | None = None
    connections: tuple[Connection, ...] = ()
    declared: tuple[Declared, ...] = ()


@dataclass(frozen=True)
class RouteEdit:
    """An API route whose function only started a workflow: API Gateway starts it itself.

    ``action`` is ``StartSyncExecution`` or ``StartExecution``. ``request_id_field`` is the
    input field the function filled with the API request id (None when it did not).
    ``success_status``/``success_body`` describe the response the function returned, so the
    integration response keeps the API's contract; ``error_status`` answers a failed execution.
    ``success_body`` is the JSON body the function returned, each dynamic value written as a
    one-key object: ``{"$context": "requestId"}`` (the API request id), ``{"$input": "a.b"}``
    (a field of the request body); literals stay literals.
    """

    api_id: str
    route_key: str
    function_id: str
    machine_id: str
    action: str
    request_id_field: str | None
    success_status: int
    success_body: Raw
    headers: dict[str, str] = field(default_factory=dict)
    error_status: int = 400


@dataclass(frozen=True)
class Declined:
    """A function the analysis found replaceable but the rewrite keeps, and why."""

    function_id: str
    reason: str
    where: str


@dataclass(frozen=True)
class Plan:
    """The whole rewrite of one application."""

    machines: tuple[MachineEdit, ...]
    routes: tuple[RouteEdit, ...]
    removed_functions: tuple[str, ...]
    declared: tuple[Declared, ...] = ()
    declined: tuple[Declined, ...] = ()

    def machine(self, machine_id: str) -> MachineEdit | None:
        return next((m for m in self.machines if m.machine_id == machine_id), None)


PLAN_FILE = ".lambdaslim/plan.json"
PLAN_SCHEMA = "lambdaslim/plan/v1"


def plan_document(plan: Plan) -> dict[str, Any]:
    """The plan as JSON, written into the rewritten application (``PLAN_FILE``) so that
    ``verify`` and reviewers read exactly what the rewrite decided."""
    from dataclasses import asdict

    return {"schema": PLAN_SCHEMA, **asdict(plan)}
