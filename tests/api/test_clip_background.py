"""Clips are masked in the background once written (one at a time, at a low priority, a bounded queue), so the first
viewer's request finds the masked copy ready instead of waiting for it."""

from __future__ import annotations

import dataclasses
import os
import threading
from pathlib import Path

from gwanje.alerts.service import AlertService
from gwanje.api.clip_background import BackgroundClipMasking
from gwanje.api.clip_masking import ClipMasker
from gwanje.api.masking import SnapshotMasker
from gwanje.config.alerts import AlertsConfig
from gwanje.core.frame import Image
from gwanje.runtime.sink import EventSink
from tests.api.clip_frames import frames, square
from tests.api.conftest import Api
from tests.store.factories import make_event
from tests.support.media import write_clip


class Finder:
    """A stand-in person detector that counts its runs, how many ran at once, and at which priority."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.calls = 0
        self.running = 0
        self.most_at_once = 0
        self.priorities: set[int] = set()
        self.gate = gate
        self._lock = threading.Lock()

    def __call__(self, image: Image) -> list[tuple[float, float, float, float]]:
        with self._lock:
            self.calls += 1
            self.running += 1
            self.most_at_once = max(self.most_at_once, self.running)
            self.priorities.add(os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
        if self.gate is not None:
            self.gate.wait(10)
        with self._lock:
            self.running -= 1
        return square(image)


def test_clips_are_masked_one_at_a_time_at_low_priority_and_then_reused(tmp_path: Path) -> None:
    finder = Finder()
    clips = ClipMasker(finder, tmp_path / "cache")
    ahead = BackgroundClipMasking(clips, niceness=5)
    sources = [write_clip(tmp_path / f"{n}.mp4", frames(6), fps=10) for n in range(3)]
    for n, source in enumerate(sources):
        ahead.submit(source, f"event-{n}")
    assert ahead.wait_idle(30)
    assert ahead.masked == 3 and finder.most_at_once == 1
    assert finder.priorities == {os.getpriority(os.PRIO_PROCESS, 0) + 5}  # lower than the caller's threads
    runs = finder.calls
    assert clips.masked(sources[1], "event-1") == tmp_path / "cache" / "event-1.mp4"
    assert finder.calls == runs  # the request found it ready: not masked again
    ahead.close()


def test_at_most_max_pending_clips_wait_and_the_oldest_waiting_is_dropped(tmp_path: Path) -> None:
    gate = threading.Event()
    finder = Finder(gate)
    ahead = BackgroundClipMasking(ClipMasker(finder, tmp_path / "cache"), max_pending=2)
    sources = [write_clip(tmp_path / f"{n}.mp4", frames(2), fps=10) for n in range(4)]
    ahead.submit(sources[0], "first")  # taken by the worker, which then waits on the gate
    while finder.running == 0:
        threading.Event().wait(0.01)
    for n in (1, 2, 3):
        ahead.submit(sources[n], f"clip-{n}")  # returns at once, though the worker is busy
    assert ahead.dropped == 1
    gate.set()
    assert ahead.wait_idle(30)
    assert sorted(p.name for p in (tmp_path / "cache").iterdir()) == ["clip-2.mp4", "clip-3.mp4", "first.mp4"]
    ahead.close()


def test_a_written_clip_is_ready_for_its_first_viewer(api: Api) -> None:
    finder = Finder()
    ctx = dataclasses.replace(api.ctx, masker=SnapshotMasker(lambda: finder))
    api.app.state.ctx = ctx
    sink = EventSink(api.store, api.media, AlertService(AlertsConfig(), api.store.engine))
    sink.clip_listeners.append(lambda event, clip: ctx.clips_ahead.submit(clip, event.id))  # as gwanje serve does
    event = make_event("gate")
    api.store.save_event(event)
    path = write_clip(api.media.clip_path(event.id, "gate", event.start_time), frames(), fps=10)
    sink.clip_done(event, path, None)  # the clip writer finished
    assert ctx.clips_ahead.wait_idle(30)
    runs = finder.calls
    assert runs > 0
    served = api.client.get(f"/api/events/{event.id}/clip.mp4", headers=api.headers("viewer"))
    assert served.status_code == 200
    assert served.content == (ctx.config.store.data_dir / "masked-clips" / f"{event.id}.mp4").read_bytes()
    assert finder.calls == runs  # served the copy masked in the background, nothing masked during the request
    sink.close()
    ctx.clips_ahead.close()
