"""Where events go once the engine emits them: media, database, outbox, live stream.

Order matters: evidence is written first so the stored row and the alert carry its paths; the
row is stored before the alert is queued, and the alert is queued before anything is sent. A
failure of one step (a full disk, a database that went away) is logged once and never stops the
camera or the other steps; rows and alerts the database refused wait in a :class:`WriteBuffer`
and are written, in order and once, when it answers again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from gwanje.alerts.outbox import new_message_id
from gwanje.alerts.service import AlertService
from gwanje.core.errors import DiskFullError, StorageError
from gwanje.core.events import Event, EventState
from gwanje.runtime.write_buffer import BufferStats, PendingWrite, WriteBuffer
from gwanje.store.media import MediaStore, storage_error
from gwanje.store.repo import Store

log = logging.getLogger(__name__)


EventListener = Callable[[Event], None]
"""Told of every stored event change (the API's live stream registers one)."""
ClipListener = Callable[[Event, Path], None]
"""Told of every clip once it is written (the API masks it ahead of its first viewer); must return at once."""


class EventReporter(Protocol):
    """What a camera's worker tells about its events and health: :class:`EventSink` on one machine; in cluster
    mode a queue the head collects (``runtime.cluster.reports``), which hands the same calls to its sink."""

    def write_snapshot(self, event: Event, jpeg: bytes) -> None: ...

    def clip_path(self, event: Event) -> Path | None: ...

    def publish(self, event: Event, message_id: str | None = None) -> None: ...

    def clip_done(self, event: Event, path: Path | None, error: BaseException | None) -> None: ...

    def camera_health(self, camera_id: str, online: bool, state: str) -> None: ...


class EventSink:
    """Persists and announces events of every camera; thread-safe."""

    def __init__(
        self,
        store: Store,
        media: MediaStore,
        alerts: AlertService,
        on_disk_full: Callable[[], None] | None = None,
    ) -> None:
        """``on_disk_full`` is called when a snapshot or clip finds the media disk full (retention's ``wake``)."""
        self.store = store
        self.media = media
        self.alerts = alerts
        self.listeners: list[EventListener] = []
        self.clip_listeners: list[ClipListener] = []
        self._on_disk_full = on_disk_full
        self._lock = threading.Lock()
        self._latest: dict[str, Event] = {}
        """Newest state of each event that is open or still waiting for its clip."""
        self._clip_pending: set[str] = set()
        self._failing: set[str] = set()
        self.writes = WriteBuffer(store, alerts.outbox)
        """Event rows and alerts waiting for the database (empty while it answers)."""

    def relative(self, path: Path) -> str:
        """Media paths are stored relative to the media root, so a data directory can be moved."""
        try:
            return str(path.relative_to(self.media.root))
        except ValueError:
            return str(path)

    def write_snapshot(self, event: Event, jpeg: bytes) -> None:
        try:
            path = self.media.write_snapshot(event.id, event.camera_id, event.start_time, jpeg)
        except StorageError as exc:
            self._media_failed(exc)
            self._fail("snapshot", f"camera {event.camera_id}: snapshot of event {event.id} not saved: {exc}")
            return
        event.snapshot_path = self.relative(path)

    def clip_path(self, event: Event) -> Path | None:
        """Where the clip of a starting event goes; the sink then waits for :meth:`clip_done`."""
        try:
            path = self.media.clip_path(event.id, event.camera_id, event.start_time)
        except StorageError as exc:
            self._media_failed(exc)
            self._fail("clip", f"camera {event.camera_id}: clip of event {event.id} not recorded: {exc}")
            return None
        with self._lock:
            self._clip_pending.add(event.id)
        return path

    def publish(self, event: Event, message_id: str | None = None) -> None:
        """Store, queue alerts, tell the listeners (live clients).

        ``message_id`` is the alert's idempotency key: a report handed over again with the same id (cluster mode,
        a collection retried) is stored once. Without one, a new id is drawn."""
        if event.state is not EventState.UPDATE:
            where = f" in zone {event.zone}" if event.zone else ""
            log.info(
                "camera %s: %s %s%s (confidence %.2f, event %s)",
                event.camera_id,
                event.event_type.value,
                "started" if event.state is EventState.START else f"ended after {event.duration_s or 0:.1f} s",
                where,
                event.peak_confidence,
                event.id,
            )
        with self._lock:
            known = self._latest.get(event.id)
            if known is not None:
                event.snapshot_path = event.snapshot_path or known.snapshot_path
                event.clip_path = event.clip_path or known.clip_path
            if event.state is EventState.END and event.id not in self._clip_pending:
                self._latest.pop(event.id, None)
            else:
                self._latest[event.id] = event
        self.writes.write(PendingWrite(event, message_id or new_message_id()))
        for listener in self.listeners:
            listener(event)

    def clip_done(self, event: Event, path: Path | None, error: BaseException | None) -> None:
        """Called from the clip writer thread when an event's clip is written (or failed)."""
        with self._lock:
            self._clip_pending.discard(event.id)
            current = self._latest.get(event.id, event)
            if current.state is EventState.END:
                self._latest.pop(event.id, None)
        if error is not None or path is None:
            if isinstance(error, OSError):
                error = storage_error(error, f"write the clip of event {event.id}")
            if isinstance(error, StorageError):
                self._media_failed(error)
            self._fail("clip", f"camera {event.camera_id}: clip of event {event.id} failed: {error}")
            return
        current.clip_path = self.relative(path)
        self.writes.write(PendingWrite(current, "", row_only=True))
        for listener in self.clip_listeners:
            listener(current, path)

    def buffered(self) -> BufferStats:
        """Reports waiting for the database, written late so far, dropped (buffer full)."""
        return self.writes.stats()

    def close(self, timeout_s: float = 5.0) -> None:
        """Write what the database refused so far (tries for ``timeout_s``), then stop retrying."""
        self.writes.close(timeout_s)

    def camera_health(self, camera_id: str, online: bool, state: str) -> None:
        """A camera went on- or offline: MQTT availability, the cameras table."""
        self.alerts.camera_available(camera_id, online)
        try:
            self.store.set_camera_status(camera_id, state)
            self._recovered("database")
        except StorageError as exc:
            self._fail("database", f"camera {camera_id} status not stored: {exc}")

    def _media_failed(self, error: StorageError) -> None:
        if isinstance(error, DiskFullError) and self._on_disk_full is not None:
            self._on_disk_full()

    def _fail(self, what: str, message: str) -> None:
        with self._lock:
            first = what not in self._failing
            self._failing.add(what)
        if first:
            log.error("%s (further %s failures are not logged until it recovers)", message, what)

    def _recovered(self, what: str) -> None:
        with self._lock:
            was = what in self._failing
            self._failing.discard(what)
        if was:
            log.info("%s writes recovered", what)
