"""Fault: PostgreSQL restarts while cameras report events. Nothing is lost, nothing is stored or sent twice."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from gwanje.alerts.service import AlertService
from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.store import StoreConfig
from gwanje.core.events import EventState
from gwanje.runtime.sink import EventSink
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from tests.alerts.support import Receiver, wait_until
from tests.faults.events_load import Load, assert_in_camera_order, decode, outbox_rows
from tests.faults.services import PrivatePostgres

pytestmark = pytest.mark.postgres

CAMERAS = ["cam-a", "cam-b", "cam-c"]


def test_postgres_restart_under_load_loses_and_repeats_nothing(
    private_postgres: PrivatePostgres, receiver: Receiver, tmp_path: Path
) -> None:
    store = Store.open(StoreConfig(data_dir=tmp_path / "data", database_url=private_postgres.url))
    config = AlertsConfig(webhooks=[WebhookConfig(name="ops", url=receiver.url)], retry_initial_s=0.2, retry_max_s=1.0)
    alerts = AlertService(config, store.engine)
    alerts.start(CAMERAS)
    sink = EventSink(store, MediaStore(tmp_path / "media"), alerts)
    load = Load(sink, CAMERAS, per_camera=40, pause_s=0.02).start()
    try:
        wait_until(lambda: load.published > 60, "the first reports")
        private_postgres.stop()  # the server goes away mid-load
        time.sleep(1.5)
        down_at = load.published
        private_postgres.start()
        load.join()
        assert sink.writes.flush(30.0), f"buffered reports still waiting: {sink.buffered()}"
        stats = sink.buffered()
        assert stats.written_late > 0 and stats.dropped == 0, stats
        assert load.published > down_at, "reports went on while the database was down"

        wait_until(lambda: alerts.outbox.pending_count() == 0, "every alert delivered", timeout_s=30.0)
        expected = load.expected_events
        events = store.list_events(limit=1000)
        assert len(events) == expected
        assert all(r.event.state is EventState.END for r in events), "every event stored in its last state"

        rows = outbox_rows(store.engine)
        assert len(rows) == 3 * expected, "one message per report, none twice"
        assert len({r.message_id for r in rows}) == len(rows)
        messages = decode([r.body for r in receiver.requests])
        ids = Counter(m["message_id"] for m in messages)
        assert set(ids) == {r.message_id for r in rows}, "every stored alert was delivered"
        assert max(ids.values()) == 1, "no alert delivered twice"
        assert_in_camera_order(messages)
    finally:
        sink.close(1.0)
        alerts.stop()
        store.close()
