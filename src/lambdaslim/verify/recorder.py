"""The in-run record of what the emulated world saw happen outside moto's own backends.

Lambda invocations, async invocations, HTTP requests, fixture-answered AWS calls, WebSocket
posts and EventBridge events are appended here from whichever thread the workflow engine runs
on; the lock keeps the lists consistent.
"""

from __future__ import annotations

import io
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Recorder:
    lambda_invocations: Counter[str] = field(default_factory=Counter)
    async_invocations: list[dict[str, Any]] = field(default_factory=list)
    http_requests: list[dict[str, Any]] = field(default_factory=list)
    aws_fixture_calls: list[dict[str, Any]] = field(default_factory=list)
    websocket_posts: list[dict[str, Any]] = field(default_factory=list)
    events: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    logs: dict[str, io.StringIO] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def append(self, name: str, entry: dict[str, Any]) -> None:
        with self.lock:
            getattr(self, name).append(entry)

    def event(self, bus: str, entry: dict[str, Any]) -> None:
        with self.lock:
            self.events.setdefault(bus, []).append(entry)

    def log(self, function_id: str) -> io.StringIO:
        with self.lock:
            return self.logs.setdefault(function_id, io.StringIO())
