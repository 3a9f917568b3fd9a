"""EventBridge events, captured as they are put.

moto routes a put event to the targets of matching rules and keeps nothing else, so
:func:`events_captured` wraps ``EventsBackend.put_events`` and records every accepted entry
(handler ``put_events`` and workflow ``events:putEvents`` alike) under its bus's logical id.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from typing import Any
from unittest import mock

from moto.events.models import EventsBackend

from lambdaslim.verify.recorder import Recorder


@contextlib.contextmanager
def events_captured(recorder: Recorder, bus_ids: Mapping[str, str]) -> Iterator[None]:
    """``bus_ids`` maps a bus's physical name to its logical id (``default`` stays ``default``)."""
    real_put_events = EventsBackend.put_events

    def put_events(backend: EventsBackend, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
        entries = real_put_events(backend, events)
        for event, entry in zip(events, entries, strict=False):
            if "EventId" not in entry:
                continue
            bus = str(event.get("EventBusName") or "default").rsplit("/", 1)[-1]
            recorder.event(
                bus_ids.get(bus, bus),
                {
                    "source": event.get("Source"),
                    "detail-type": event.get("DetailType"),
                    "detail": json.loads(event["Detail"]),
                    "resources": event.get("Resources", []),
                },
            )
        return entries

    with mock.patch.object(EventsBackend, "put_events", put_events):
        yield
