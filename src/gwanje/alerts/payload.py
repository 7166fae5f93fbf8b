"""The JSON message every channel sends for an event start, update or end.

Message types follow Frigate's convention (``new``/``update``/``end``) so existing MQTT and
webhook consumers can be adapted easily. The body is built once when the message is stored and
sent byte for byte on every attempt, so signatures and de-duplication by ``message_id`` hold.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import quote

from gwanje.core.events import Event, EventState

MESSAGE_TYPE: dict[EventState, str] = {
    EventState.START: "new",
    EventState.UPDATE: "update",
    EventState.END: "end",
}


def media_url(event_id: str, media: str, base_url: str | None) -> str:
    """Where the API serves an event's ``snapshot`` or ``clip``; absolute when a base URL is configured."""
    path = f"/api/events/{quote(event_id, safe='')}/{media}"
    return path if base_url is None else base_url.rstrip("/") + path


def _jsonable(value: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays become numbers and lists, NaN/inf become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if value is None or isinstance(value, str | bool | int):
        return value
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    tolist = getattr(value, "tolist", None)  # numpy scalars and arrays
    if callable(tolist):
        return _jsonable(tolist())
    return str(value)


def build_message(event: Event, message_id: str, created_at: float, base_url: str | None = None) -> dict[str, Any]:
    """The message for one event report, as a dict (see docs/alerts.md for an example)."""
    body = {
        "type": MESSAGE_TYPE[event.state],
        "message_id": message_id,
        "created_at": created_at,
        "event": {
            "id": event.id,
            "camera": event.camera_id,
            "type": event.event_type.value,
            "state": event.state.value,
            "severity": event.severity.value,
            "label": event.label,
            "zone": event.zone,
            "key": event.key,
            "start_time": event.start_time,
            "end_time": event.end_time,
            "start_pts_s": event.start_pts_s,
            "end_pts_s": event.end_pts_s,
            "duration_s": event.duration_s,
            "peak_confidence": event.peak_confidence,
            "peak_time": event.peak_time,
            "boxes": [list(box) for box in event.boxes],
            "frame_size": list(event.frame_size),
            "snapshot_url": None if event.snapshot_path is None else media_url(event.id, "snapshot.jpg", base_url),
            "clip_url": None if event.clip_path is None else media_url(event.id, "clip.mp4", base_url),
            "details": event.details,
        },
    }
    return dict(_jsonable(body))


def encode(message: dict[str, Any]) -> str:
    """Compact JSON text (UTF-8 safe), the exact body that is stored, signed and sent."""
    return json.dumps(message, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
