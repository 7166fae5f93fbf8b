"""How long each camera of a running service went without a newly analysed frame, sampled ten times a second."""

from __future__ import annotations

import threading
import time

from gwanje.runtime.service import Service


class FrameWatch:
    """Samples every camera's analysed-frame counter; reports the longest time one went without a new frame."""

    def __init__(self, service: Service) -> None:
        self._service = service
        self._last: dict[str, tuple[int, float]] = {}
        self.longest: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> FrameWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            now = time.monotonic()
            for stats in self._service.camera_status():
                frames, since = self._last.get(stats.camera_id, (-1, now))
                if stats.frames_analyzed != frames:
                    self._last[stats.camera_id] = (stats.frames_analyzed, now)
                self.longest[stats.camera_id] = max(self.longest.get(stats.camera_id, 0.0), now - since)
