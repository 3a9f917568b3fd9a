"""What one run of one application on one case showed: the result and every side effect.

Everything is plain JSON (``to_json``) so two runs can be compared value by value and a
difference can be printed. Volatile values (message ids, timestamps, request ids) are left out
at collection time; ``logs`` is for explaining a difference, never for comparing.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass
class RunObservation:
    case: str
    state_machine: str
    status: str
    output: Any = None
    error: str | None = None
    cause: Any = None
    state_transitions: int = 0
    states_entered: list[str] = field(default_factory=list)
    lambda_invocations: dict[str, int] = field(default_factory=dict)
    async_invocations: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    queues: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    topics: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    objects: dict[str, dict[str, str]] = field(default_factory=dict)
    http_requests: list[dict[str, Any]] = field(default_factory=list)
    aws_fixture_calls: list[dict[str, Any]] = field(default_factory=list)
    websocket_posts: list[dict[str, Any]] = field(default_factory=list)
    logs: dict[str, str] = field(default_factory=dict)
    duration_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
