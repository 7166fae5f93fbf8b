"""Camera actor reports reach the head's store exactly once, even when a collection is handed over again.

No Ray here: the actor's ``ReportQueue`` and the head's ``ReportApplier`` over a real SQLite store, media folder
and outbox (the same classes the cluster runs; ``tests/cluster`` runs them on a real Ray cluster).
"""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from gwanje.alerts.service import AlertService
from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.store import StoreConfig
from gwanje.core.events import EndReason, EventState
from gwanje.runtime.cluster.reports import ReportApplier, ReportQueue
from gwanje.runtime.sink import EventSink
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from tests.store.factories import make_event


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[EventSink]:
    store = Store.open(StoreConfig(data_dir=tmp_path))
    # a webhook that is never started: its messages stay in the outbox, where they are counted
    alerts = AlertService(
        AlertsConfig(webhooks=[WebhookConfig(name="ops", url="http://127.0.0.1:9/hook")]), store.engine
    )
    sink = EventSink(store, MediaStore(tmp_path / "media"), alerts)
    store.upsert_camera("cam1", None, "demo:")
    yield sink
    sink.close()
    store.close()


def test_a_batch_applied_twice_is_stored_once(sink: EventSink, tmp_path: Path) -> None:
    queue = ReportQueue("cam1")
    start = make_event("cam1")
    queue.write_snapshot(start, b"\xff\xd8jpeg")
    clip = queue.clip_path(start)
    assert clip is not None
    queue.publish(start)
    clip.write_bytes(b"mp4 bytes")
    queue.clip_done(start, clip, None)
    queue.publish(dataclasses.replace(start, state=EventState.END, end_time=start.start_time + 5, end_pts_s=8.0))
    queue.camera_health("cam1", True, "live")
    batch = queue.take(0)
    assert [r.seq for r in batch] == [1, 2, 3, 4]

    applier = ReportApplier(sink)
    applier.apply("cam1#1", "cam1", batch)
    applier.apply("cam1#1", "cam1", batch)  # the head's collection timed out after the actor had answered
    assert queue.take(applier.acked("cam1#1")) == []

    (record,) = sink.store.list_events(camera_id="cam1")
    assert record.event.state is EventState.END
    assert record.event.snapshot_path is not None and (tmp_path / "media" / record.event.snapshot_path).is_file()
    assert record.event.clip_path is not None
    assert (tmp_path / "media" / record.event.clip_path).read_bytes() == b"mp4 bytes"
    assert not clip.exists()  # the actor's copy is gone once handed over
    assert sink.alerts.outbox.pending_count() == 2  # one start, one end: nothing twice
    assert sink.store.list_cameras()[0].last_status == "live"


def test_a_lost_actor_ends_its_open_events_once(sink: EventSink) -> None:
    queue = ReportQueue("cam1")
    queue.publish(make_event("cam1"))
    applier = ReportApplier(sink)
    applier.apply("cam1#1", "cam1", queue.take(0))

    assert applier.forget("cam1#1", "cam1", EndReason.NODE_LOST) == 1
    assert applier.forget("cam1#1", "cam1", EndReason.NODE_LOST) == 0
    (record,) = sink.store.list_events(camera_id="cam1")
    assert record.event.state is EventState.END and record.event.details["end_reason"] == "node_lost"
    assert sink.alerts.outbox.pending_count() == 2


def test_single_machine_mode_never_imports_ray() -> None:
    code = (
        "import sys, gwanje.cli.main as m; m.build_parser(); "
        "import gwanje.runtime.service, gwanje.api.app, gwanje.web; "
        "assert 'ray' not in sys.modules, 'ray imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
