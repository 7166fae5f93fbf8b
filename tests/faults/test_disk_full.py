"""Fault: the media disk is full (a real 512 KiB tmpfs). The error says so, the alert still goes out, and
retention is woken at once and frees space, so the next snapshot is written."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from gwanje.alerts.service import AlertService
from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.store import RetentionConfig, StoreConfig
from gwanje.core.errors import DiskFullError
from gwanje.core.events import EventState
from gwanje.runtime.sink import EventSink
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from gwanje.store.retention import RetentionWorker
from tests.alerts.support import Receiver, wait_until
from tests.faults.events_load import decode, report

SNAPSHOT = b"\xff\xd8" + os.urandom(60_000) + b"\xff\xd9"  # what goes in is not inspected; the size matters


def test_full_media_disk_is_reported_alerts_go_out_and_retention_frees_space(
    tiny_fs: Callable[[int], Path], receiver: Receiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    media = MediaStore(tiny_fs(512))
    store = Store.open(StoreConfig(data_dir=tmp_path / "data"))  # the database is on another disk
    alerts = AlertService(AlertsConfig(webhooks=[WebhookConfig(name="ops", url=receiver.url)]), store.engine)
    alerts.start(["gate"])
    retention = RetentionWorker(
        media, store, RetentionConfig(min_free_gb=200_000 / 1e9, check_interval_s=3600.0)
    )  # hourly: only the disk-full wake-up can make it run again within the test
    retention.start()
    wait_until(lambda: retention.runs >= 1, "the start-up retention pass")
    sink = EventSink(store, media, alerts, on_disk_full=retention.wake)
    t0 = time.time() - 7200  # recent: only the disk budget, not age, can free space
    try:
        filled = 0
        with pytest.raises(DiskFullError):  # old evidence fills the disk
            while True:
                path = media.write_snapshot(f"old-{filled:03d}", "gate", t0 + filled, SNAPSHOT)
                os.utime(path, (t0 + filled, t0 + filled))
                filled += 1
        assert filled >= 4

        caplog.set_level(logging.ERROR, logger="gwanje.runtime.sink")
        event = report("gate", 1, EventState.START, t0 + 3600)
        sink.write_snapshot(event, SNAPSHOT)
        assert event.snapshot_path is None
        assert "the disk is full" in caplog.text and "store.retention" in caplog.text, caplog.text
        sink.publish(event)
        stored = store.get_event(event.id)
        assert stored is not None and stored.event.snapshot_path is None
        wait_until(lambda: len(receiver.requests) == 1, "the alert of the event whose snapshot was lost")
        assert decode([receiver.requests[0].body])[0]["event"]["id"] == event.id

        wait_until(lambda: retention.runs >= 2, "retention woken by the full disk", timeout_s=10.0)
        report_ = retention.last_report
        assert report_ is not None and report_.deleted_by_budget >= 1, report_
        remaining = sorted(p.name for p in media.root.rglob("*.jpg"))
        assert "old-000.jpg" not in remaining, "the oldest evidence goes first"

        later = report("gate", 2, EventState.START, t0 + 3700)
        sink.write_snapshot(later, SNAPSHOT)
        assert later.snapshot_path is not None, "space was freed: the next snapshot is written"
    finally:
        sink.close(1.0)
        retention.stop()
        alerts.stop()
        store.close()
