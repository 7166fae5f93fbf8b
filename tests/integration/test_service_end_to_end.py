"""File source → person detector → intrusion event → database row + snapshot + clip + webhook + MQTT + API.

Everything is real: PyAV decodes an H.264 file rendered from the demo scene, the shipped NanoDet
model finds the walking figure, the event goes through the outbox to a local HTTP receiver and
the local Mosquitto broker, and the API serves it from the SQLite database.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from pathlib import Path

import av
import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from gwanje.api.app import create_app
from gwanje.cli.serve import api_context
from gwanje.config import parse_config
from gwanje.ingest.demo import DemoScene, DemoSettings
from gwanje.runtime.service import Service
from tests.integration.receivers import MqttCollector, WebhookReceiver, broker_available
from tests.support.media import frames_from, write_clip
from tests.support.waiting import wait_for

SECRET = "webhook-secret-for-tests"
TOKEN = "operator-token-for-tests-0123456789"


@pytest.fixture
def scene_clip(tmp_path: Path) -> Path:
    scene = DemoScene(DemoSettings(seed=3, fps=10.0, fire_start_s=1e6))
    return write_clip(tmp_path / "street.mp4", frames_from(scene.render, 60), fps=10)


@pytest.mark.mqtt
@pytest.mark.slow
def test_intrusion_flows_to_every_output(tmp_path: Path, scene_clip: Path) -> None:
    if not broker_available():
        pytest.skip("no MQTT broker on 127.0.0.1:1883 (start mosquitto to run this test)")
    prefix = f"gwanje-e2e-{uuid.uuid4().hex[:8]}"
    with WebhookReceiver() as hook, MqttCollector(prefix) as mqtt:
        config = parse_config(
            {
                "cameras": [
                    {
                        "id": "street",
                        "source": {"url": str(scene_clip), "realtime": True},
                        "detectors": ["person"],
                        "zones": [{"name": "pavement", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}],
                        "rules": [{"type": "intrusion", "zone": "pavement"}],
                        "clip": {"pre_s": 1, "post_s": 2, "fps": 5},
                    }
                ],
                "alerts": {
                    "webhooks": [{"name": "ops", "url": hook.url, "secret": SECRET}],
                    "mqtt": {"enabled": True, "topic_prefix": prefix},
                    "retry_initial_s": 0.1,
                },
                "store": {"data_dir": str(tmp_path / "data")},
                "api": {"mode": "production", "tokens": [{"name": "desk-1", "token": TOKEN, "role": "operator"}]},
            }
        )
        service = Service(config)
        context = api_context(service)
        service.add_listener(context.broadcaster.publish_event)
        live = context.broadcaster.published
        service.start()
        try:
            wait_for(lambda: any(m["type"] == "end" for m in hook.messages()), 60, "the event's end on the webhook")
            wait_for(lambda: any(m["type"] == "end" for m in mqtt.events(f"{prefix}/events")), 20, "the end on MQTT")
            event_id = hook.messages()[0]["event"]["id"]

            def clip_stored() -> bool:
                record = service.store.get_event(event_id)
                return record is not None and record.event.clip_path is not None

            wait_for(clip_stored, 20, "the clip path in the database")
            record = service.store.get_event(event_id)
            stored_clip = service.media.resolve(record.event.clip_path or "") if record else None
            client = TestClient(create_app(context))
            listed = client.get("/api/events", headers={"Authorization": f"Bearer {TOKEN}"}).json()
            snapshot = client.get(f"/api/events/{event_id}/snapshot.jpg", headers={"Authorization": f"Bearer {TOKEN}"})
            clip = client.get(f"/api/events/{event_id}/clip.mp4", headers={"Authorization": f"Bearer {TOKEN}"})
            audit = [a.action for a in service.store.list_audit()]
            metrics = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
        finally:
            service.stop()

    # webhook: signed, new first, then end, all about the same intrusion
    messages = hook.messages()
    assert messages[0]["type"] == "new" and messages[-1]["type"] == "end"
    assert {m["event"]["id"] for m in messages} == {event_id}
    first = messages[0]["event"]
    assert first["type"] == "intrusion" and first["camera"] == "street" and first["zone"] == "pavement"
    assert first["snapshot_url"] == f"/api/events/{event_id}/snapshot.jpg"
    headers, body = hook.requests[0]
    expected = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert headers["x-gwanje-signature"] == f"sha256={expected}"

    # MQTT: the same events, and the camera was announced online
    mqtt_events = mqtt.events(f"{prefix}/events")
    assert mqtt_events[0]["type"] == "new" and mqtt_events[0]["event"]["id"] == event_id
    assert (f"{prefix}/street/available", b"online") in mqtt.messages

    # database row and API
    stored = [e for e in listed["items"] if e["id"] == event_id]
    assert stored and stored[0]["type"] == "intrusion" and stored[0]["state"] == "end"
    assert stored[0]["peak_confidence"] >= 0.4
    image = cv2.imdecode(np.frombuffer(snapshot.content, np.uint8), cv2.IMREAD_COLOR)
    assert snapshot.status_code == 200 and image.shape == (360, 640, 3)
    assert clip.status_code == 200
    clip_file = tmp_path / "clip.mp4"
    clip_file.write_bytes(clip.content)
    with av.open(str(clip_file)) as container:
        frames = sum(1 for _ in container.decode(video=0))
    assert frames >= 5  # 1 s before + 2 s after at 5 fps, less what the stream had not yet shown
    # The stored clip is the camera's own H.264, remuxed: its 10 fps, not the re-encoding rate (clip.fps 5).
    assert stored_clip is not None
    with av.open(str(stored_clip)) as container:
        stream = container.streams.video[0]
        assert float(stream.average_rate or 0) == 10.0
        assert sum(1 for _ in container.decode(stream)) >= 20, "pre 1 s + post 2 s at 10 fps, from a keyframe"
    assert {"view_snapshot", "view_clip"} <= set(audit)
    assert context.broadcaster.published - live >= 2  # new and end went to the live stream too
    person_frames = [
        float(line.split()[-1])
        for line in metrics.splitlines()
        if line.startswith('gwanje_detector_frames_total{detector="person"}')
    ]
    assert person_frames and person_frames[0] >= 10  # the real worker's counters reach /metrics
    assert "gwanje_alerts_pending 0.0" in metrics  # every alert was delivered
