"""Cameras with stream state, the live snapshot, and Prometheus metrics."""

from __future__ import annotations

import cv2
import numpy as np
from prometheus_client.parser import text_string_to_metric_families

from gwanje.core.events import EventType
from tests.api.conftest import Api
from tests.store.factories import make_event


def test_cameras_merge_config_and_stream_state_with_masked_sources(api: Api) -> None:
    response = api.client.get("/api/cameras", headers=api.headers())
    cams = {c["id"]: c for c in response.json()}
    assert list(cams) == ["gate", "lobby", "yard"]
    assert cams["gate"]["state"] == "live"
    assert cams["gate"]["decoded_fps"] == 25.0
    assert cams["gate"]["name"] == "Front gate"
    assert cams["gate"]["source"] == "rtsp://admin:***@10.0.0.5/ch1"
    assert "hunter2" not in response.text
    assert cams["lobby"]["state"] == "offline"
    assert cams["lobby"]["last_error"] == "connection refused"
    assert cams["yard"]["state"] == "disabled"
    assert api.client.get("/api/cameras/lobby", headers=api.headers()).json()["state"] == "offline"
    missing = api.client.get("/api/cameras/roof", headers=api.headers())
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no camera with id 'roof'"}


def test_live_snapshot_is_a_jpeg_and_its_viewing_is_audited_once_per_session(api: Api) -> None:
    for _ in range(3):
        response = api.client.get("/api/cameras/gate/snapshot.jpg", headers=api.headers())
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/jpeg"
    image = cv2.imdecode(np.frombuffer(response.content, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (72, 128, 3)
    audit = api.store.list_audit()
    assert [(a.actor, a.action, a.target) for a in audit] == [(api.name("viewer"), "view_live", "camera:gate")]
    no_frame = api.client.get("/api/cameras/lobby/snapshot.jpg", headers=api.headers())
    assert no_frame.status_code == 404
    assert no_frame.json() == {"detail": "camera 'lobby' has no frame yet"}


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_have_camera_gauges_counters_and_event_totals(api: Api) -> None:
    for event_type in (EventType.FIRE, EventType.FIRE, EventType.SMOKE):
        api.store.save_event(make_event("gate", event_type))
    response = api.client.get("/metrics", headers=api.headers())
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples = _samples(response.text)
    assert samples[("gwanje_camera_up", (("camera", "gate"),))] == 1.0
    assert samples[("gwanje_camera_up", (("camera", "lobby"),))] == 0.0
    assert samples[("gwanje_camera_state", (("camera", "lobby"), ("state", "offline")))] == 1.0
    assert samples[("gwanje_camera_decoded_fps", (("camera", "gate"),))] == 25.0
    assert samples[("gwanje_camera_frames_decoded_total", (("camera", "gate"),))] == 1500
    assert samples[("gwanje_camera_reconnects_total", (("camera", "gate"),))] == 2
    assert (
        samples[("gwanje_camera_stage_cpu_seconds_total", (("camera", "gate"), ("stage", "rule fire_smoke")))] == 1.25
    )
    assert samples[("gwanje_camera_stage_cpu_seconds_total", (("camera", "gate"), ("stage", "motion gate")))] == 0.5
    assert samples[("gwanje_events_total", (("camera", "gate"), ("type", "fire")))] == 2
    assert samples[("gwanje_events_total", (("camera", "gate"), ("type", "smoke")))] == 1
    assert samples[("gwanje_database_up", ())] == 1.0
    assert samples[("gwanje_live_clients", ())] == 0.0
