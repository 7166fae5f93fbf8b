"""What the event engine tells the rest of the system: event types, states and payloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from gwanje.core.detections import Detections


class EventType(StrEnum):
    """Things that need a human. The values are the labels used in configs, manifests, API and MQTT."""

    FIRE = "fire"
    SMOKE = "smoke"
    FIGHT = "fight"
    FALL = "fall"
    INTRUSION = "intrusion"
    LOITERING = "loitering"
    LINE_CROSSING = "line_crossing"
    CROWDING = "crowding"
    OBJECT = "object"
    """A user-configured object detector (for example their own ONNX model) saw a watched label."""


class EventState(StrEnum):
    """Life cycle of one event, as published on MQTT and stored in the database."""

    START = "start"
    UPDATE = "update"
    END = "end"


class EndReason(StrEnum):
    """Why an event ended (``details["end_reason"]``)."""

    QUIET = "quiet"
    """Not seen for ``end_after_s``."""
    MAX_DURATION = "max_duration"
    """Split at ``max_duration_s``; the next part starts at once."""
    FLUSH = "flush"
    """The source ended (end of a file) or the service stopped."""
    CAMERA_OFFLINE = "camera_offline"
    """The camera dropped: nothing can be seen until it is back."""
    CAMERA_CHANGED = "camera_changed"
    """An administrator changed, disabled or removed the camera while the service ran; its new pipeline starts afresh."""
    RECOVERED_AFTER_RESTART = "recovered_after_restart"
    """Left open by a service that was killed; closed at the next start, at the last time it was heard of."""
    NODE_LOST = "node_lost"
    """Cluster mode: the node analysing the camera died; the camera restarts on another node and starts afresh."""
    CAMERA_MOVED = "camera_moved"
    """Cluster mode: the camera moved to another node (a node joined); the new worker starts afresh."""


class Severity(StrEnum):
    """How urgently an operator should look; drives alert routing and the dashboard order."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


DEFAULT_SEVERITY: dict[EventType, Severity] = {
    EventType.FIRE: Severity.CRITICAL,
    EventType.SMOKE: Severity.HIGH,
    EventType.FIGHT: Severity.CRITICAL,
    EventType.FALL: Severity.HIGH,
    EventType.INTRUSION: Severity.HIGH,
    EventType.LOITERING: Severity.MEDIUM,
    EventType.LINE_CROSSING: Severity.MEDIUM,
    EventType.CROWDING: Severity.MEDIUM,
    EventType.OBJECT: Severity.LOW,
}


@dataclass(frozen=True)
class Observation:
    """One rule's verdict on one analysed frame: "this event type is visible now, this confident".

    Rules emit observations; the event engine confirms them over time (N of M frames, minimum
    duration) before it opens an event. ``key`` separates independent events of one type on one
    camera (for example one per zone or per track); it is empty when there is only one.
    """

    event_type: EventType
    confidence: float
    boxes: Detections
    key: str = ""
    zone: str | None = None
    label: str | None = None
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Event:
    """An event as the engine reports it at start, on updates and at its end.

    Times are UNIX seconds (wall clock); ``start_pts_s``/``end_pts_s`` are positions in the
    source, which is what evaluation on files compares with labels.
    """

    id: str
    camera_id: str
    event_type: EventType
    state: EventState
    start_time: float
    start_pts_s: float
    end_time: float | None = None
    end_pts_s: float | None = None
    peak_confidence: float = 0.0
    peak_time: float = 0.0
    severity: Severity = Severity.MEDIUM
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)
    """Boxes of the frame with the peak confidence, in frame pixels."""
    frame_size: tuple[int, int] = (0, 0)
    """(width, height) of the frames the boxes refer to."""
    zone: str | None = None
    label: str | None = None
    key: str = ""
    snapshot_path: str | None = None
    clip_path: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float | None:
        return None if self.end_pts_s is None else self.end_pts_s - self.start_pts_s
