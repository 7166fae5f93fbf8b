"""A camera that cannot be reached never stops another camera's events; its status says what is wrong."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from gwanje.config import parse_config
from gwanje.core.health import StreamState, StreamStats
from gwanje.ingest.demo import DemoScene, DemoSettings
from gwanje.runtime.service import Service
from tests.support.media import frames_from, write_clip
from tests.support.waiting import wait_for


@pytest.mark.slow
def test_unreachable_camera_does_not_stop_the_others(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    scene = DemoScene(DemoSettings(seed=5, fps=10.0, fire_start_s=1e6))
    clip = write_clip(tmp_path / "street.mp4", frames_from(scene.render, 50), fps=10)
    zone = {"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}
    config = parse_config(
        {
            "cameras": [
                {
                    "id": "broken",
                    "source": {
                        "url": "rtsp://admin:hunter2@127.0.0.1:9/stream",
                        "timeout_s": 1,
                        "reconnect_initial_s": 0.2,
                        "reconnect_max_s": 0.5,
                    },
                    "detectors": ["person"],
                    "zones": [zone],
                    "rules": [{"type": "intrusion", "zone": "all"}],
                },
                {
                    "id": "street",
                    "source": {"url": str(clip)},
                    "detectors": ["person"],
                    "zones": [zone],
                    "rules": [{"type": "intrusion", "zone": "all"}],
                },
            ],
            "store": {"data_dir": str(tmp_path / "data")},
        }
    )
    service = Service(config)
    service.start()
    try:
        wait_for(lambda: service.store.list_events(camera_id="street"), 30, "an event from the working camera")
        wait_for(lambda: _stats(service, "broken").reconnects >= 2, 30, "reconnect attempts of the broken camera")
        broken = _stats(service, "broken")
        events_of_broken = service.store.list_events(camera_id="broken")
    finally:
        service.stop()
    assert broken.state is StreamState.OFFLINE
    assert broken.last_error is not None and "127.0.0.1:9" in broken.last_error
    assert "hunter2" not in broken.last_error
    assert not events_of_broken
    # the camera's password is in no log line, at any level (start, reconnects, errors)
    assert "127.0.0.1:9" in caplog.text
    assert "hunter2" not in caplog.text


def _stats(service: Service, camera_id: str) -> StreamStats:
    return next(s for s in service.camera_status() if s.camera_id == camera_id)
