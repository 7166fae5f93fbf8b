"""Events to store in tests."""

from __future__ import annotations

import uuid
from typing import Any

from gwanje.core.events import Event, EventState, EventType, Severity


def make_event(
    camera_id: str = "cam1",
    event_type: EventType = EventType.FIRE,
    start_time: float = 1_700_000_000.0,
    state: EventState = EventState.START,
    **fields: Any,
) -> Event:
    """An event with a fresh UUID; ``fields`` override any other attribute."""
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "camera_id": camera_id,
        "event_type": event_type,
        "state": state,
        "start_time": start_time,
        "start_pts_s": 3.0,
        "peak_confidence": 0.8,
        "peak_time": start_time + 1.0,
        "severity": Severity.CRITICAL,
        "boxes": [(10.0, 20.0, 110.0, 220.0)],
        "frame_size": (640, 360),
    }
    values.update(fields)
    return Event(**values)
