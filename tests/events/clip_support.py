"""What the clip tests share: a done-callback that records each call."""

from __future__ import annotations

import threading
from pathlib import Path


class Done:
    """``on_done`` for a ``ClipRecorder``: records ``(event_id, path, error)`` and sets ``event`` on each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Path | None, BaseException | None]] = []
        self.event = threading.Event()

    def __call__(self, event_id: str, path: Path | None, error: BaseException | None) -> None:
        self.calls.append((event_id, path, error))
        self.event.set()
