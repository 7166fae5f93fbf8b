"""A steady load of event reports from several cameras, and the checks every fault test makes afterwards."""

from __future__ import annotations

import json
import threading
import time
from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from gwanje.core.events import Event, EventState, EventType, Severity
from gwanje.runtime.sink import EventSink
from gwanje.store.outbox import OutboxRow

KIND_ORDER = {"new": 0, "update": 1, "end": 2}


def report(camera_id: str, n: int, state: EventState, t0: float) -> Event:
    """Event number ``n`` of a camera in the given state (ids and times say the order)."""
    start = t0 + n
    ended = state is EventState.END
    return Event(
        id=f"{camera_id}-e{n:04d}",
        camera_id=camera_id,
        event_type=EventType.INTRUSION,
        state=state,
        start_time=start,
        start_pts_s=float(n),
        end_time=start + 0.5 if ended else None,
        end_pts_s=n + 0.5 if ended else None,
        peak_confidence=0.8,
        peak_time=start,
        severity=Severity.HIGH,
        boxes=[(1.0, 2.0, 3.0, 4.0)],
        frame_size=(320, 240),
        zone="gate",
        label="person",
        key="gate",
    )


class Load:
    """Publishes start, update and end of ``per_camera`` events on each camera, ``pause_s`` between reports."""

    def __init__(self, sink: EventSink, cameras: list[str], per_camera: int, pause_s: float) -> None:
        self.sink, self.cameras, self.per_camera, self.pause_s = sink, cameras, per_camera, pause_s
        self.published = 0
        self.errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._run, name="fault-load", daemon=True)

    def start(self) -> Load:
        self._thread.start()
        return self

    def join(self, timeout_s: float = 60.0) -> None:
        self._thread.join(timeout_s)
        assert not self._thread.is_alive(), "the load did not finish"
        assert not self.errors, f"publishing raised: {self.errors[0]!r}"

    @property
    def expected_events(self) -> int:
        return len(self.cameras) * self.per_camera

    def _run(self) -> None:
        t0 = time.time() - 10_000
        try:
            for n in range(self.per_camera):
                for state in (EventState.START, EventState.UPDATE, EventState.END):
                    for cam in self.cameras:
                        self.sink.publish(report(cam, n, state, t0))
                        self.published += 1
                    time.sleep(self.pause_s)
        except BaseException as exc:  # reported by join
            self.errors.append(exc)


def outbox_rows(engine: Engine) -> list[OutboxRow]:
    with Session(engine) as s:
        return list(s.scalars(select(OutboxRow).order_by(OutboxRow.id)))


def assert_in_camera_order(messages: list[dict[str, Any]]) -> None:
    """Each camera's messages arrive in the order they happened: event number, then new < update < end."""
    per_camera: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for m in messages:
        per_camera[m["event"]["camera"]].append((m["event"]["id"], KIND_ORDER[m["type"]]))
    for camera, seen in per_camera.items():
        assert seen == sorted(seen), f"camera {camera}: messages out of order: {seen[:12]}"


def decode(bodies: list[bytes]) -> list[dict[str, Any]]:
    return [json.loads(b) for b in bodies]
