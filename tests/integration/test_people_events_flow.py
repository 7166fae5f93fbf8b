"""Generated video -> fight or fall event -> database row + snapshot + clip + webhook + API.

The same path as ``test_service_end_to_end`` (intrusion), for the two people events that come from analysers
and track dynamics rather than from a zone: a drawn scuffle after calm walking (the shipped fight model) and the
demo street's walker collapsing and lying still (person detector, fall rule, all at their defaults). The drawn
figure lying flat scores 0.14-0.16, below the person detector's threshold (0.4): the fall rule sees it because it
tracks faint people from its own ``person_threshold`` (0.15), and its tracker's low band (0.1) bridges the frames
under 0.15.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest
from fastapi.testclient import TestClient

from gwanje.api.app import create_app
from gwanje.cli.serve import api_context
from gwanje.config import parse_config
from gwanje.config.rules import FallRuleConfig
from gwanje.runtime.service import Service
from tests.detect.fight_scenes import calm_frames, scuffle_frames
from tests.integration.receivers import WebhookReceiver
from tests.support.collapse import CollapseScene
from tests.support.media import write_clip
from tests.support.waiting import wait_for

TOKEN = "operator-token-for-tests-0123456789"
FPS = 10
CALM_S = 2.0
"""The fight clip starts with people walking calmly; the scuffle begins here."""
LYING_FOR_S = 9.0
"""The collapse clip goes on this long after the figure lies flat (more than the 5 s the rule waits)."""


def _run(tmp_path: Path, clip: Path, camera: dict[str, Any], detectors: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve one camera on ``clip`` until its event ends; return what every output says about that event.

    ``detectors`` replaces the default detector declarations when given."""
    with WebhookReceiver() as hook:
        config = parse_config(
            {
                **({} if detectors is None else {"detectors": detectors}),
                "cameras": [
                    {"id": "street", "source": {"url": str(clip), "realtime": True}, "analysis_fps": 5, **camera}
                ],
                "alerts": {"webhooks": [{"name": "ops", "url": hook.url}], "retry_initial_s": 0.1},
                "store": {"data_dir": str(tmp_path / "data")},
                "api": {"mode": "production", "tokens": [{"name": "desk-1", "token": TOKEN, "role": "operator"}]},
            }
        )
        service = Service(config)
        service.start()
        try:
            wait_for(lambda: any(m["type"] == "end" for m in hook.messages()), 60, "the event's end on the webhook")
            event_id = hook.messages()[0]["event"]["id"]

            def clip_stored() -> bool:
                record = service.store.get_event(event_id)
                return record is not None and record.event.clip_path is not None

            wait_for(clip_stored, 20, "the clip path in the database")
            client = TestClient(create_app(api_context(service)))
            auth = {"Authorization": f"Bearer {TOKEN}"}
            listed = client.get("/api/events", headers=auth).json()["items"]
            snapshot = client.get(f"/api/events/{event_id}/snapshot.jpg", headers=auth)
            clip_response = client.get(f"/api/events/{event_id}/clip.mp4", headers=auth)
            record = service.store.get_event(event_id)
        finally:
            service.stop()
    assert record is not None
    image = cv2.imdecode(np.frombuffer(snapshot.content, np.uint8), cv2.IMREAD_COLOR)
    return {
        "messages": hook.messages(),
        "listed": listed,
        "event": record.event,
        "snapshot": image if snapshot.status_code == 200 else None,
        "clip_bytes": len(clip_response.content) if clip_response.status_code == 200 else 0,
    }


@pytest.mark.slow
def test_a_scuffle_after_calm_walking_flows_out_as_one_fight_event(tmp_path: Path) -> None:
    seed = 3
    frames = itertools.chain(calm_frames(round(CALM_S * FPS), FPS, seed), scuffle_frames(4 * FPS, FPS, seed))
    clip = write_clip(tmp_path / "scuffle.mp4", frames, fps=FPS)
    out = _run(tmp_path, clip, {"detectors": ["fight"]})

    assert out["messages"][0]["type"] == "new" and out["messages"][-1]["type"] == "end"
    assert {m["event"]["id"] for m in out["messages"]} == {out["event"].id}, "one event, not a storm"
    event = out["event"]
    assert event.event_type.value == "fight" and event.camera_id == "street"
    # raised by the scuffle, within the 2 s the issue allows, not by the calm walking before it
    assert CALM_S <= event.start_pts_s <= CALM_S + 2.0
    assert event.peak_confidence >= 0.5
    assert [e["type"] for e in out["listed"]] == ["fight"]
    assert out["snapshot"] is not None and out["snapshot"].shape == (180, 320, 3)
    assert out["clip_bytes"] > 0


@pytest.mark.slow
def test_a_person_who_collapses_and_stays_down_flows_out_as_one_fall_event(tmp_path: Path) -> None:
    scene = CollapseScene(fps=FPS)
    clip = write_clip(tmp_path / "collapse.mp4", scene.frames(scene.down_s() + LYING_FOR_S), fps=FPS)
    out = _run(tmp_path, clip, {"detectors": ["person"], "rules": [{"type": "fall"}]})

    assert out["messages"][0]["type"] == "new" and out["messages"][-1]["type"] == "end"
    assert {m["event"]["id"] for m in out["messages"]} == {out["event"].id}, "one event, not a storm"
    event = out["event"]
    assert event.event_type.value == "fall" and event.label == "person"
    # not before the person has been going down for the rule's default down_time_s, and soon after that
    down_time = FallRuleConfig().down_time_s
    assert scene.collapse_s + down_time <= event.start_pts_s <= scene.down_s() + down_time + 1.0
    x1, y1, x2, y2 = event.boxes[0]
    assert x2 - x1 > 1.2 * (y2 - y1), "the box is the person lying down"
    assert [e["type"] for e in out["listed"]] == ["fall"]
    assert out["snapshot"] is not None and out["snapshot"].shape == (360, 640, 3)
    assert out["clip_bytes"] > 0
