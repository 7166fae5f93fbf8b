"""Clips masked ahead of their first viewer: each event clip is masked in the background once it is written.

Masking a clip takes seconds (docs/web.md says how long); without this its first viewer waited for it. The service
hands every written clip to ``submit``, which never blocks the caller (the clip writer): one worker thread masks them
one at a time, oldest first, at a low CPU priority (Linux: ``NICENESS`` above the nice value the thread started with), through the web app's
``ClipMasker``, so the masked copy is where ``GET /api/events/{id}/clip.mp4`` looks for it. A viewer who asks while
the clip is being masked waits for that one run, never a second. At most ``MAX_PENDING`` clips wait; beyond, the
oldest waiting one is dropped (counted) and will be masked on its first request as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections import deque
from pathlib import Path

from gwanje.api.clip_masking import ClipMasker

log = logging.getLogger(__name__)

MAX_PENDING = 32
"""Clips waiting at most (the masked-clip cache keeps 32 too: more would push out what was just masked)."""
NICENESS = 10
"""How much lower than the cameras' threads the masking thread runs (Linux thread nice value)."""


class BackgroundClipMasking:
    """Thread-safe; the worker starts with the first clip."""

    def __init__(self, clips: ClipMasker, max_pending: int = MAX_PENDING, niceness: int = NICENESS) -> None:
        if max_pending < 1:
            raise ValueError(f"max_pending must be at least 1, got {max_pending}")
        self._clips = clips
        self._max = max_pending
        self._niceness = niceness
        self._pending: deque[tuple[Path, str]] = deque()
        self._changed = threading.Condition()
        self._worker: threading.Thread | None = None
        self._closed = False
        self._busy = False
        self.masked = 0
        self.failed = 0
        self.dropped = 0
        """Clips left waiting for a first viewer because more than ``max_pending`` waited."""

    def submit(self, clip: Path, key: str) -> None:
        """Mask ``clip`` (kept under ``key``, the event id) soon; returns at once (any thread)."""
        with self._changed:
            if self._closed:
                return
            if len(self._pending) >= self._max:
                self._pending.popleft()
                self.dropped += 1
            self._pending.append((clip, key))
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="clip-masking", daemon=True)
                self._worker.start()
            self._changed.notify()

    def wait_idle(self, timeout_s: float) -> bool:
        """Whether every submitted clip was handled within ``timeout_s`` (for tests and shutdown)."""
        with self._changed:
            return self._changed.wait_for(lambda: not self._pending and not self._busy, timeout_s)

    def close(self, timeout_s: float = 5.0) -> None:
        """Drop what waits and stop the worker (a clip being masked is finished first, up to ``timeout_s``)."""
        with self._changed:
            self._closed = True
            self._pending.clear()
            self._changed.notify_all()
            worker = self._worker
        if worker is not None:
            worker.join(timeout_s)

    def _run(self) -> None:
        with contextlib.suppress(OSError, AttributeError):  # lower this thread's priority only (Linux)
            thread = threading.get_native_id()
            # relative to what the thread started with: a service run under `nice` keeps masking below its cameras
            os.setpriority(os.PRIO_PROCESS, thread, os.getpriority(os.PRIO_PROCESS, thread) + self._niceness)
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._pending or self._closed)
                if self._closed:
                    return
                clip, key = self._pending.popleft()
                self._busy = True
            try:
                if clip.is_file():  # retention may have taken it already
                    self._clips.masked(clip, key)
                    self.masked += 1
            except ValueError as error:  # served as 500 on request too: never unmasked
                self.failed += 1
                log.warning("clip of event %s not masked ahead of its first viewer: %s", key, error)
            except Exception:  # one clip's failure must not end the worker
                self.failed += 1
                log.exception("clip of event %s not masked ahead of its first viewer", key)
            finally:
                with self._changed:
                    self._busy = False
                    self._changed.notify_all()
