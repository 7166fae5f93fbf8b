"""JSON shapes of the API (they are also what the OpenAPI document shows)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from gwanje.core.events import Event, EventState, EventType, Severity
from gwanje.core.health import StreamState, StreamStats
from gwanje.store.records import ActionRecord, AuditRecord, EventRecord, OperatorAction, OperatorStatus, jsonable


class EventOut(BaseModel):
    """One event. Times are UNIX seconds; ``*_pts_s`` are positions in the camera's stream."""

    id: str
    camera_id: str
    type: EventType
    state: EventState
    severity: Severity
    status: OperatorStatus | None = Field(description="Operator disposition; null in live messages of new events.")
    start_time: float
    end_time: float | None
    start_iso: str = Field(description="start_time as ISO 8601 UTC, for people reading the JSON.")
    start_pts_s: float
    end_pts_s: float | None
    duration_s: float | None
    peak_confidence: float
    peak_time: float
    boxes: list[tuple[float, float, float, float]] = Field(description="x1, y1, x2, y2 in frame pixels.")
    frame_size: tuple[int, int] = Field(description="Width, height of the frame the boxes refer to.")
    zone: str | None
    label: str | None
    key: str
    details: dict[str, Any]
    snapshot_url: str | None = Field(description="Set while the snapshot file is kept.")
    clip_url: str | None = Field(description="Set while the clip file is kept.")
    created_at: float | None = None
    updated_at: float | None = None


def _iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat().replace("+00:00", "Z")


def event_out(event: Event, status: str | None = None, record: EventRecord | None = None) -> EventOut:
    base = f"/api/events/{event.id}"
    return EventOut(
        id=event.id,
        camera_id=event.camera_id,
        type=event.event_type,
        state=event.state,
        severity=event.severity,
        status=OperatorStatus(status) if status else None,
        start_time=float(event.start_time),
        end_time=None if event.end_time is None else float(event.end_time),
        start_iso=_iso(event.start_time),
        start_pts_s=float(event.start_pts_s),
        end_pts_s=None if event.end_pts_s is None else float(event.end_pts_s),
        duration_s=None if event.duration_s is None else float(event.duration_s),
        peak_confidence=float(event.peak_confidence),
        peak_time=float(event.peak_time),
        boxes=jsonable([list(b) for b in event.boxes]),
        frame_size=(int(event.frame_size[0]), int(event.frame_size[1])),
        zone=event.zone,
        label=event.label,
        key=event.key,
        details=jsonable(event.details),
        snapshot_url=f"{base}/snapshot.jpg" if event.snapshot_path else None,
        clip_url=f"{base}/clip.mp4" if event.clip_path else None,
        created_at=record.created_at if record else None,
        updated_at=record.updated_at if record else None,
    )


def record_out(record: EventRecord) -> EventOut:
    return event_out(record.event, record.status, record)


class EventPage(BaseModel):
    items: list[EventOut]
    total: int = Field(description="Events matching the filters (all pages).")
    limit: int
    offset: int


class ActionIn(BaseModel):
    note: str | None = Field(default=None, max_length=4000, description="Optional remark kept with the action.")


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=4000, pattern=r"\S", description="The remark to keep.")


class ActionOut(BaseModel):
    action: OperatorAction
    actor: str
    note: str | None
    time: float

    @classmethod
    def of(cls, a: ActionRecord) -> ActionOut:
        return cls(action=a.action, actor=a.actor, note=a.note, time=a.time)


class AuditOut(BaseModel):
    id: int
    time: float
    actor: str
    action: str
    target: str
    client: str | None
    detail: str | None = Field(default=None, description="e.g. the role given to a new user; never a secret.")

    @classmethod
    def of(cls, a: AuditRecord) -> AuditOut:
        return cls(
            id=a.id, time=a.time, actor=a.actor, action=a.action, target=a.target, client=a.client, detail=a.detail
        )


class CameraOut(BaseModel):
    """A configured camera with its live stream statistics."""

    id: str
    name: str | None
    enabled: bool
    source: str = Field(description="Source URL with credentials masked.")
    state: StreamState
    decoded_fps: float
    analyzed_fps: float
    frames_decoded: int
    frames_analyzed: int
    frames_skipped: int
    frames_motion_skipped: int
    corrupt_frames: int
    reconnects: int
    last_error: str | None
    last_frame_time: float | None
    width: int
    height: int
    node: str | None = Field(None, description="Cluster mode: the Ray node analysing the camera (None otherwise).")
    restarts: int = Field(0, description="Cluster mode: times the camera restarted on another node.")
    snapshot_url: str

    @classmethod
    def of(cls, camera_id: str, name: str | None, enabled: bool, source: str, stats: StreamStats) -> CameraOut:
        return cls(
            id=camera_id,
            name=name,
            enabled=enabled,
            source=source,
            state=stats.state if enabled else StreamState.DISABLED,
            decoded_fps=stats.decoded_fps,
            analyzed_fps=stats.analyzed_fps,
            frames_decoded=stats.frames_decoded,
            frames_analyzed=stats.frames_analyzed,
            frames_skipped=stats.frames_skipped,
            frames_motion_skipped=stats.frames_motion_skipped,
            corrupt_frames=stats.corrupt_frames,
            reconnects=stats.reconnects,
            last_error=stats.last_error,
            last_frame_time=stats.last_frame_time,
            width=stats.width,
            height=stats.height,
            node=stats.node,
            restarts=stats.restarts,
            snapshot_url=f"/api/cameras/{camera_id}/snapshot.jpg",
        )


class HealthOut(BaseModel):
    status: str = Field(description="ok, or degraded when the database does not answer.")
    database: str
    version: str


class NodeOut(BaseModel):
    """A node of the Ray cluster and the cameras it analyses."""

    node_id: str
    address: str
    alive: bool
    cpus: float = Field(description="Logical CPUs the node offers to cameras.")
    cameras: list[str]


class ClusterOut(BaseModel):
    """Cluster mode: the nodes, which camera runs where, and how often cameras restarted or moved."""

    mode: str = Field(description="cluster, or single when the service runs every camera itself.")
    address: str | None = None
    nodes: list[NodeOut] = Field(default_factory=list)
    placement: dict[str, str | None] = Field(
        default_factory=dict, description="Camera id to the node running it (null while it is being placed)."
    )
    restarts: int = Field(0, description="Cameras restarted on another node after their node was lost.")
    moves: int = Field(0, description="Cameras moved to a node that joined, to balance the load.")
    camera_cpus: float = Field(0.0, description="Logical CPUs each camera asks for.")
