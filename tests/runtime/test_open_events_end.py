"""Events never stay open: a camera that drops ends its events, and a start after a crash ends what was left open."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from gwanje.config import parse_config
from gwanje.config.store import StoreConfig
from gwanje.core.clock import FakeClock
from gwanje.core.events import EndReason, Event, EventState
from gwanje.core.frame import Frame
from gwanje.core.health import StreamState
from gwanje.runtime.camera_worker import CameraWorker
from gwanje.runtime.service import Service
from gwanje.store.repo import Store
from tests.store.factories import make_event


class _Pipeline:
    def __init__(self, open_events: list[Event]) -> None:
        self.open_events = open_events
        self.closed_with: list[tuple[Frame | None, EndReason]] = []

    def close(self, last: Frame | None, reason: EndReason = EndReason.FLUSH) -> list[Event]:
        self.closed_with.append((last, reason))
        ended, self.open_events = self.open_events, []
        for event in ended:
            event.state = EventState.END
            event.details["end_reason"] = reason.value
        return ended


class _Sink:
    def __init__(self) -> None:
        self.published: list[Event] = []
        self.health: list[tuple[str, bool, str]] = []

    def publish(self, event: Event) -> None:
        self.published.append(event)

    def camera_health(self, camera_id: str, online: bool, state: str) -> None:
        self.health.append((camera_id, online, state))


def _worker(pipeline: _Pipeline, sink: _Sink, stats: Any) -> CameraWorker:
    """A worker with its reader, pipeline and sink replaced (only its health bookkeeping runs)."""
    worker = object.__new__(CameraWorker)
    attributes = {"camera": SimpleNamespace(id="gate"), "reader": SimpleNamespace(stats=stats, ended=False)}
    attributes |= {"_pipeline": pipeline, "_sink": sink, "_online": None, "_latest": None}
    for name, value in attributes.items():
        object.__setattr__(worker, name, value)
    return worker


def test_a_camera_going_offline_ends_its_open_events() -> None:
    fire = make_event("gate", state=EventState.UPDATE)
    pipeline, sink = _Pipeline([fire]), _Sink()
    stats = SimpleNamespace(state=StreamState.LIVE)
    worker = _worker(pipeline, sink, stats)
    frame = Frame("gate", 1, 12.0, 1_700_000_012.0, np.zeros((4, 4, 3), np.uint8))
    object.__setattr__(worker, "_latest", frame)
    worker._report_health()
    assert sink.published == []  # coming online ends nothing
    stats.state = StreamState.OFFLINE
    worker._report_health()
    assert pipeline.closed_with == [(frame, EndReason.CAMERA_OFFLINE)]
    assert [(e.id, e.state, e.details["end_reason"]) for e in sink.published] == [
        (fire.id, EventState.END, "camera_offline")
    ]
    worker._report_health()  # still offline: nothing more
    assert len(pipeline.closed_with) == 1


def test_store_ends_events_a_crash_left_open(tmp_path: Path) -> None:
    clock = FakeClock(1_700_000_100.0)
    store = Store.open(StoreConfig(data_dir=tmp_path), clock=clock)
    try:
        started = make_event("gate", state=EventState.START, start_time=1_700_000_000.0)
        updated = make_event("yard", state=EventState.UPDATE, start_time=1_700_000_050.0)
        finished = make_event("gate", state=EventState.END, end_time=1_700_000_010.0, end_pts_s=13.0)
        for event in (started, updated, finished):
            store.save_event(event)
        clock.advance(500.0)
        ended = {r.event.id: r.event for r in store.end_open_events()}
        assert set(ended) == {started.id, updated.id}
        for event in ended.values():
            assert event.state is EventState.END
            assert event.details["end_reason"] == "recovered_after_restart"
            assert event.end_time == 1_700_000_100.0  # when it was last heard of, not now
            assert event.duration_s is not None and event.duration_s >= 0
        kept = store.get_event(finished.id)
        assert kept is not None and kept.event.end_time == 1_700_000_010.0 and "end_reason" not in kept.event.details
        assert store.list_events(state="update") == [] and store.list_events(state="start") == []
        assert store.end_open_events() == []
    finally:
        store.close()


def test_service_start_recovers_open_events(tmp_path: Path) -> None:
    config = parse_config({"store": {"data_dir": str(tmp_path / "data")}, "cameras": []})
    store = Store.open(config.store)
    left_open = make_event("gate", state=EventState.UPDATE)
    store.save_event(left_open)
    store.close()
    service = Service(config)
    announced: list[Event] = []
    service.add_listener(announced.append)
    service.start()
    try:
        record = service.store.get_event(left_open.id)
    finally:
        service.stop()
    assert record is not None and record.event.state is EventState.END
    assert record.event.details["end_reason"] == "recovered_after_restart"
    assert [e.id for e in announced] == [left_open.id]


def test_the_end_of_a_file_is_not_a_drop() -> None:
    pipeline, sink = _Pipeline([make_event("gate", state=EventState.UPDATE)]), _Sink()
    stats = SimpleNamespace(state=StreamState.LIVE)
    worker = _worker(pipeline, sink, stats)
    worker._report_health()
    stats.state = StreamState.OFFLINE
    worker.reader.ended = True  # type: ignore[misc]
    worker._report_health()  # buffered frames are still analysed; the worker flushes after the last one
    assert pipeline.closed_with == [] and sink.published == []
