"""Event writes the database refused, kept in order and written when it answers again.

While PostgreSQL restarts (or SQLite is locked, or its disk is full) the cameras go on reporting
events. Each report becomes a :class:`PendingWrite` — the event row and its alert message, with the
message id drawn once, so writing it again is idempotent (the row is an upsert by event id, the
outbox skips a ``(channel, message_id)`` it has). Once one write fails, every later write queues
behind it, so the database sees the reports in the order they happened; a thread retries the head
of the queue with backoff until it goes through. The queue is bounded: past ``max_items`` the
oldest reports are dropped and counted, loudly.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from gwanje.alerts.outbox import Outbox
from gwanje.core.errors import StorageError
from gwanje.core.events import Event
from gwanje.store.repo import Store

log = logging.getLogger(__name__)

MAX_ITEMS = 100_000
"""About 100 MB of events at most: hours of a busy site's reports."""


@dataclass
class PendingWrite:
    """One event report: its row, and (unless ``row_only``) its alert message with a fixed id."""

    event: Event
    message_id: str
    row_only: bool = False
    row_done: bool = False


@dataclass(frozen=True)
class BufferStats:
    pending: int
    written_late: int
    dropped: int


class WriteBuffer:
    """Writes event reports now when it can, otherwise later and in order; thread-safe."""

    def __init__(
        self,
        store: Store,
        outbox: Outbox,
        max_items: int = MAX_ITEMS,
        retry_min_s: float = 0.25,
        retry_max_s: float = 5.0,
    ) -> None:
        self._store = store
        self._outbox = outbox
        self._max_items = max_items
        self._retry_min_s = retry_min_s
        self._retry_max_s = retry_max_s
        self._queue: deque[PendingWrite] = deque()
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._written_late = 0
        self._dropped = 0

    def write(self, item: PendingWrite) -> None:
        """Write now, or queue behind earlier writes that are still waiting for the database."""
        item.event = dataclasses.replace(item.event, details=dict(item.event.details))
        with self._lock:
            queued = bool(self._queue)
            if queued:
                self._append(item)
        if queued:
            self._wake.set()
            return
        with self._write_lock:
            try:
                self._write_one(item)
                return
            except StorageError as exc:
                error = exc
        with self._lock:
            first = not self._queue
            self._append(item)
        if first:
            log.error(
                "database not writable, buffering event reports in memory and retrying until it is: %s (event %s)",
                error,
                item.event.id,
            )
        self._ensure_thread()
        self._wake.set()

    def stats(self) -> BufferStats:
        with self._lock:
            return BufferStats(len(self._queue), self._written_late, self._dropped)

    def flush(self, timeout_s: float) -> bool:
        """Try to write everything queued within ``timeout_s``; True when nothing is left."""
        deadline = time.monotonic() + timeout_s
        delay = self._retry_min_s
        while True:
            if self._drain():
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(delay, left))
            delay = min(delay * 2, self._retry_max_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Stop the retry thread after a last try; what is still queued is reported as lost."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
        if not self.flush(timeout_s):
            with self._lock:
                left = len(self._queue)
            log.error("%d event report(s) could not be written before shutdown: the database stayed away", left)

    def _append(self, item: PendingWrite) -> None:
        if len(self._queue) >= self._max_items:
            lost = self._queue.popleft()
            self._dropped += 1
            log.error(
                "event report buffer full (%d): oldest report of event %s dropped", self._max_items, lost.event.id
            )
        self._queue.append(item)

    def _write_one(self, item: PendingWrite) -> None:
        if not item.row_done:
            self._store.save_event(item.event)
            item.row_done = True
        if not item.row_only:
            self._outbox.enqueue(item.event, item.message_id)

    def _drain(self) -> bool:
        """Write queued items in order until one fails; True when the queue is empty."""
        with self._write_lock:
            while True:
                with self._lock:
                    if not self._queue:
                        return True
                    item = self._queue[0]
                try:
                    self._write_one(item)
                except StorageError:
                    return False
                with self._lock:
                    if self._queue and self._queue[0] is item:
                        self._queue.popleft()
                        self._written_late += 1
                        if not self._queue:
                            log.info("database writable again: %d buffered event report(s) written", self._written_late)

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="event-write-retry", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        delay = self._retry_min_s
        while not self._stop.is_set():
            self._wake.wait(delay)
            self._wake.clear()
            if self._stop.is_set():
                return
            if self._drain():
                delay = self._retry_min_s
                self._wake.wait()
            else:
                delay = min(delay * 2, self._retry_max_s)
