"""The live wall and a camera's view over HTTP: who may open them, what the tiles say, masking and its audit."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from tests.store.factories import make_event
from tests.web.conftest import LIVE_JPEG, Web, log_in


def test_the_wall_needs_a_login(web: Web, browser_client: TestClient) -> None:
    web.add_user("kim", "viewer")
    response = browser_client.get("/live?layout=9")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Flive%3Flayout%3D9"
    assert browser_client.get("/live/state").status_code == 303
    assert browser_client.get("/api/cameras/gate/snapshot.jpg").status_code == 401


def test_every_role_sees_every_camera_with_its_health_and_new_alerts_first(
    web: Web, browser_client: TestClient
) -> None:
    for name, role in (("vic", "viewer"), ("olga", "operator"), ("adam", "admin")):
        web.add_user(name, role)
    web.store.save_event(make_event(camera_id="lobby", start_time=time.time()))
    for name in ("vic", "olga", "adam"):
        browser_client.cookies.clear()
        assert log_in(browser_client, name) == 303
        page = browser_client.get("/live")
        assert page.status_code == 200
        tiles = [part.split('"')[0] for part in page.text.split('id="tile-')[1:]]
        assert tiles == ["lobby", "gate", "yard"]  # lobby has a new alert: first
        state = browser_client.get("/live/state").json()["cameras"]
        assert [(c["id"], c["state"], c["open"]) for c in state] == [
            ("lobby", "offline", 1),
            ("gate", "live", 0),
            ("yard", "disabled", 0),
        ]
    assert "Front gate" in page.text and "1 new alert(s)" in page.text and "Offline" in page.text


def test_layout_pages_the_tiles_and_korean_labels_them(web: Web, browser_client: TestClient) -> None:
    web.add_user("vic", "viewer")
    log_in(browser_client, "vic")
    one = browser_client.get("/live?layout=1&page=2")
    assert one.text.count('class="tile ') == 1 and 'id="tile-lobby"' in one.text
    assert "Page 2 of 3" in one.text and 'href="/live?layout=1&amp;page=3"' in one.text
    odd = browser_client.get("/live?layout=7")  # not a layout: the default
    assert odd.status_code == 200 and odd.text.count('class="tile ') == 3
    korean = browser_client.get("/live?lang=ko")
    assert "실시간 영상 월" in korean.text and "오프라인" in korean.text and "사용 안 함" in korean.text


def test_a_camera_view_lists_its_recent_alerts(web: Web, browser_client: TestClient) -> None:
    web.add_user("vic", "viewer")
    log_in(browser_client, "vic")
    mine, other = make_event(camera_id="gate"), make_event(camera_id="lobby")
    web.store.save_event(mine)
    web.store.save_event(other)
    page = browser_client.get("/live/gate")
    assert page.status_code == 200
    assert f"event-{mine.id}" in page.text and f"event-{other.id}" not in page.text
    assert "live-unmask" not in page.text  # viewers cannot unmask
    assert browser_client.get("/live/roof").status_code == 404


def test_live_frames_are_masked_audited_once_and_only_admins_unmask_with_a_reason(
    web: Web, browser_client: TestClient
) -> None:
    web.add_user("vic", "viewer")
    web.add_user("adam", "admin")
    log_in(browser_client, "vic")
    for _ in range(3):
        masked = browser_client.get("/api/cameras/gate/snapshot.jpg")
        assert masked.status_code == 200 and masked.headers["content-type"] == "image/jpeg"
    assert masked.content != LIVE_JPEG  # re-encoded by the masker
    assert browser_client.get("/api/cameras/gate/snapshot.jpg?unmask=true&reason=x").status_code == 403
    browser_client.cookies.clear()
    log_in(browser_client, "adam")
    assert "live-unmask" in browser_client.get("/live/gate").text
    assert browser_client.get("/api/cameras/gate/snapshot.jpg?unmask=true").status_code == 400
    raw = browser_client.get("/api/cameras/gate/snapshot.jpg?unmask=true&reason=police%20request")
    assert raw.status_code == 200 and raw.content == LIVE_JPEG
    entries = [(a.actor, a.action, a.target, a.detail) for a in web.store.list_audit() if a.target == "camera:gate"]
    assert sorted(entries, key=str) == sorted(
        [
            ("vic", "view_live", "camera:gate", None),
            ("adam", "unmask", "camera:gate", "police request"),
            ("adam", "view_live", "camera:gate", None),
        ],
        key=str,
    )
