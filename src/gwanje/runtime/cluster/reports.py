"""Event reports from a camera actor to the head, handed over at least once and applied exactly once.

In the actor, a :class:`ReportQueue` stands in for the head's ``EventSink`` (``EventReporter``): every call
becomes a numbered :class:`Report` that stays queued until the head acknowledges its number. Each published
event change carries a message id drawn once, in the actor, so a batch handed over again (the head's
collection timed out after the actor had answered) is applied again harmlessly: the event row is an upsert
by event id and the outbox keeps one message per ``(channel, message_id)``.

On the head, a :class:`ReportApplier` hands the reports to the one ``EventSink`` (snapshot and clip bytes
are written into the head's media store), and remembers each camera's open events and pending clips, so that
when a node dies its events end (``node_lost``) and its clips are marked failed, once.
"""

from __future__ import annotations

import dataclasses
import logging
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from gwanje.alerts.outbox import new_message_id
from gwanje.core.events import EndReason, Event, EventState
from gwanje.runtime.sink import EventSink

log = logging.getLogger(__name__)


@dataclass
class Report:
    """One call the camera's worker made, numbered in the order it happened."""

    seq: int
    event: Event | None = None
    message_id: str = ""
    """Set for a published event change: the alert's idempotency key."""
    snapshot: bytes | None = None
    """The JPEG of a starting event (written by the head before the event is stored)."""
    wants_clip: bool = False
    """The worker records a clip of this starting event; its bytes come in a later report."""
    clip: bytes | None = None
    clip_error: str | None = None
    clip_report: bool = False
    health: tuple[bool, str] | None = None
    """(online, state) when the camera went on- or offline."""


class ReportQueue:
    """The actor's ``EventReporter``: numbered reports kept until the head acknowledges them; thread-safe."""

    def __init__(self, camera_id: str) -> None:
        self.camera_id = camera_id
        self._lock = threading.Lock()
        self._reports: list[Report] = []
        self._seq = 0
        self._snapshots: dict[str, bytes] = {}
        self._clips: set[str] = set()
        self._clip_dir = Path(tempfile.mkdtemp(prefix=f"gwanje-clips-{camera_id}-"))

    def _add(self, report: Report) -> None:
        with self._lock:
            self._seq += 1
            report.seq = self._seq
            self._reports.append(report)

    def write_snapshot(self, event: Event, jpeg: bytes) -> None:
        with self._lock:
            self._snapshots[event.id] = jpeg

    def clip_path(self, event: Event) -> Path | None:
        with self._lock:
            self._clips.add(event.id)
        return self._clip_dir / f"{event.id}.mp4"

    def publish(self, event: Event, message_id: str | None = None) -> None:
        with self._lock:
            snapshot = self._snapshots.pop(event.id, None)
            wants_clip = event.id in self._clips
            self._clips.discard(event.id)
        copy = dataclasses.replace(event, details=dict(event.details))
        report = Report(0, copy, message_id or new_message_id(), snapshot=snapshot, wants_clip=wants_clip)
        self._add(report)

    def clip_done(self, event: Event, path: Path | None, error: BaseException | None) -> None:
        data: bytes | None = None
        if error is None and path is not None:
            try:
                data = path.read_bytes()
            except OSError as exc:
                error = exc
            finally:
                path.unlink(missing_ok=True)
        reason = None if data is not None else str(error or "no clip written")
        self._add(Report(0, dataclasses.replace(event), clip=data, clip_error=reason, clip_report=True))

    def camera_health(self, camera_id: str, online: bool, state: str) -> None:
        self._add(Report(0, health=(online, state)))

    def take(self, acked: int) -> list[Report]:
        """Forget the reports up to ``acked`` (the head applied them) and return the newer ones."""
        with self._lock:
            self._reports = [r for r in self._reports if r.seq > acked]
            return list(self._reports)


@dataclass
class _CameraState:
    acked: int = 0
    open_events: dict[str, Event] = field(default_factory=dict)
    clips: dict[str, tuple[Event, Path]] = field(default_factory=dict)


class ReportApplier:
    """Applies the reports of every camera actor to the head's sink, each report number once per actor.

    Actors are told apart by a key (camera id and generation): while a camera moves, its old and new actor
    both report for a moment, each with its own numbering."""

    def __init__(self, sink: EventSink) -> None:
        self._sink = sink
        self._actors: dict[str, _CameraState] = {}
        self._lock = threading.Lock()

    def acked(self, key: str) -> int:
        with self._lock:
            return self._state(key).acked

    def _state(self, key: str) -> _CameraState:
        return self._actors.setdefault(key, _CameraState())

    def apply(self, key: str, camera_id: str, reports: list[Report], health: bool = True) -> None:
        """Apply the reports not applied yet, in order (``health=False``: ignore on/offline changes, for an actor
        that is being replaced and whose "offline" is not the camera's)."""
        with self._lock:
            state = self._state(key)
            fresh = [r for r in reports if r.seq > state.acked]
        for report in fresh:
            self._apply_one(camera_id, state, report, health)
            with self._lock:
                state.acked = report.seq

    def _apply_one(self, camera_id: str, state: _CameraState, report: Report, health: bool) -> None:
        if report.health is not None:
            if health:
                self._sink.camera_health(camera_id, *report.health)
            return
        event = report.event
        if event is None:
            return
        if report.clip_report:
            self._clip_done(state, event, report)
            return
        if report.snapshot is not None:
            self._sink.write_snapshot(event, report.snapshot)
        if report.wants_clip:
            path = self._sink.clip_path(event)
            if path is not None:
                state.clips[event.id] = (event, path)
        if event.state is EventState.END:
            state.open_events.pop(event.id, None)
        else:
            state.open_events[event.id] = event
        self._sink.publish(event, report.message_id)

    def _clip_done(self, state: _CameraState, event: Event, report: Report) -> None:
        known = state.clips.pop(event.id, None)
        if known is None:
            return
        path = known[1]
        if report.clip is None:
            self._sink.clip_done(event, None, RuntimeError(report.clip_error or "no clip"))
            return
        try:
            self._sink.media.write_atomic(path, report.clip)
        except Exception as exc:  # a full disk costs this clip only; the sink logs it once
            self._sink.clip_done(event, None, exc)
            return
        self._sink.clip_done(event, path, None)

    def forget(self, key: str, camera_id: str, reason: EndReason) -> int:
        """The actor is gone: end what it left open now (``reason``), fail its pending clips and forget it;
        returns how many events ended. A new actor starts afresh (a fire still burning starts a new event)."""
        with self._lock:
            state = self._actors.pop(key, _CameraState())
        now = time.time()
        for event, _path in state.clips.values():
            self._sink.clip_done(event, None, RuntimeError(f"{reason.value}: clip not finished"))
        for event in state.open_events.values():
            end = max(event.start_time, now)
            ended = dataclasses.replace(
                event,
                state=EventState.END,
                end_time=end,
                end_pts_s=event.start_pts_s + (end - event.start_time),
                details={**event.details, "end_reason": reason.value},
            )
            self._sink.publish(ended)
        if state.open_events:
            log.warning("camera %s: %d open event(s) ended (%s)", camera_id, len(state.open_events), reason.value)
        return len(state.open_events)
