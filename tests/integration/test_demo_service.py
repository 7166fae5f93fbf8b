"""The README's promise: the built-in demo camera raises a fire event with evidence, offline, within a minute."""

from __future__ import annotations

from pathlib import Path

import pytest

from gwanje.config.camera import SourceConfig
from gwanje.runtime.defaults import demo_config
from gwanje.runtime.service import Service
from tests.support.waiting import wait_for


@pytest.mark.slow
def test_demo_camera_raises_fire_with_evidence(tmp_path: Path) -> None:
    base = demo_config()
    # the shipped demo starts its fire after 12 s; start it after 1 s to keep the test short
    camera = base.cameras[0].model_copy(update={"source": SourceConfig(url="demo:?fire_start_s=1")})
    store = base.store.model_copy(update={"data_dir": tmp_path})
    service = Service(base.model_copy(update={"cameras": [camera], "store": store}))
    service.start()
    try:
        wait_for(lambda: service.store.list_events(event_type="fire"), 60, "a fire event from the demo camera")
        (record,) = service.store.list_events(event_type="fire")
    finally:
        service.stop()
    event = record.event
    assert event.camera_id == "demo" and event.peak_confidence >= 0.5
    assert event.snapshot_path is not None and (tmp_path / "media" / event.snapshot_path).is_file()
    # the fire is drawn in the right half of the frame, low down (see ingest/demo.py)
    x1, _y1, x2, y2 = event.boxes[0]
    assert (x1 + x2) / 2 > 320 and y2 > 150
