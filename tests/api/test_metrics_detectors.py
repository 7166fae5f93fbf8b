"""/metrics also tells what inference costs and how many alerts wait for delivery."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from gwanje.api import ApiContext, create_app
from gwanje.runtime.inference import InferenceStats
from gwanje.store import MediaStore, Store
from tests.api.conftest import TOKENS, make_config
from tests.api.test_cameras_metrics import _samples


def test_detector_counters_and_pending_alerts(tmp_path: Path) -> None:
    config = make_config(tmp_path / "data")
    store = Store.open(config.store)
    stats = [
        InferenceStats(
            "person", batches=10, frames=35, failed_batches=1, failed_frames=2, rejected=3, queue_depth=4, busy_s=1.75
        )
    ]
    ctx = ApiContext.create(
        config, store, MediaStore.for_config(config.store), inference_status=lambda: stats, alerts_pending=lambda: 7
    )
    try:
        with TestClient(create_app(ctx)) as client:
            text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKENS['viewer'][1]}"}).text
    finally:
        store.close()
    samples = _samples(text)
    person = (("detector", "person"),)
    assert samples[("gwanje_detector_frames_total", person)] == 35
    assert samples[("gwanje_detector_batches_total", person)] == 10
    assert samples[("gwanje_detector_rejected_frames_total", person)] == 3
    assert samples[("gwanje_detector_failed_frames_total", person)] == 2
    assert samples[("gwanje_detector_busy_seconds_total", person)] == 1.75
    assert samples[("gwanje_detector_queue_depth", person)] == 4
    assert samples[("gwanje_alerts_pending", ())] == 7
