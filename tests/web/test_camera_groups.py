"""Per-camera permissions: a user below admin sees only the cameras of their camera groups, in the API and the pages.

Another camera's id answers 404 (not 403, so ids do not leak) and lists leave it out; admins see everything; while no
group exists nobody is restricted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from gwanje.api.auth import Principal, Role
from gwanje.api.routers.live import visible_to
from gwanje.core.events import Event
from gwanje.store import MediaStore
from tests.api.conftest import live_jpeg
from tests.store.factories import make_event
from tests.support.media import static_frames, write_clip
from tests.web.conftest import Web, log_in


@dataclass
class Site:
    web: Web
    client: TestClient
    gate: Event
    lobby: Event

    def csrf(self) -> str:
        page = self.client.get("/password").text
        return page.split('name="csrf-token" content="')[1].split('"')[0]


def _event(web: Web, camera: str) -> Event:
    media = MediaStore.for_config(web.ctx.config.store)
    event = make_event(camera)
    event.snapshot_path = str(media.write_snapshot(event.id, camera, event.start_time, live_jpeg()))
    clip = write_clip(media.clip_path(event.id, camera, event.start_time), static_frames(3, 64, 48), fps=10)
    event.clip_path = str(clip)
    web.store.save_event(event)
    return event


@pytest.fixture
def site(web: Web, browser_client: TestClient) -> Iterator[Site]:
    for name, role in (("root", "admin"), ("vic", "viewer"), ("ollie", "operator"), ("nobody", "viewer")):
        web.add_user(name, role)
    gate, lobby = _event(web, "gate"), _event(web, "lobby")
    web.store.groups.save_group("front", ["gate"], ["vic", "ollie"])
    yield Site(web, browser_client, gate, lobby)


API_FOR_EVENT = ["/api/events/{id}", "/api/events/{id}/actions", "/api/events/{id}/snapshot.jpg",
                 "/api/events/{id}/clip.mp4", "/api/events/{id}/deliveries"]  # fmt: skip
API_FOR_CAMERA = ["/api/cameras/{id}", "/api/cameras/{id}/snapshot.jpg"]
PAGES_FOR_EVENT = ["/events/{id}"]
PAGES_FOR_CAMERA = ["/live/{id}"]


@pytest.mark.parametrize("path", API_FOR_EVENT + PAGES_FOR_EVENT)
def test_an_event_of_another_groups_camera_is_404(site: Site, path: str) -> None:
    log_in(site.client, "vic")
    assert site.client.get(path.format(id=site.lobby.id)).status_code == 404
    assert site.client.get(path.format(id=site.gate.id)).status_code == 200


@pytest.mark.parametrize("path", API_FOR_CAMERA + PAGES_FOR_CAMERA)
def test_a_camera_outside_the_users_groups_is_404(site: Site, path: str) -> None:
    log_in(site.client, "vic")
    assert site.client.get(path.format(id="lobby")).status_code == 404
    assert site.client.get(path.format(id="gate")).status_code == 200


@pytest.mark.parametrize("action", ["acknowledge", "resolve", "false-alarm", "note"])
def test_an_operator_cannot_act_on_another_groups_event(site: Site, action: str) -> None:
    log_in(site.client, "ollie")
    headers = {"X-CSRF-Token": site.csrf()}
    body = {"note": "checked"}
    assert site.client.post(f"/api/events/{site.lobby.id}/{action}", json=body, headers=headers).status_code == 404
    assert site.web.store.list_actions(site.lobby.id) == []
    assert site.client.post(f"/api/events/{site.gate.id}/{action}", json=body, headers=headers).status_code == 200


def test_lists_hold_only_the_users_cameras(site: Site) -> None:
    log_in(site.client, "vic")
    assert [c["id"] for c in site.client.get("/api/cameras").json()] == ["gate"]
    page = site.client.get("/api/events").json()
    assert [e["id"] for e in page["items"]] == [site.gate.id] and page["total"] == 1
    assert site.client.get("/api/events?camera_id=lobby").json() == {"items": [], "total": 0, "limit": 100, "offset": 0}
    feed = site.client.get("/events").text
    assert site.gate.id in feed and site.lobby.id not in feed and 'value="lobby"' not in feed
    assert site.lobby.id not in site.client.get("/events/rows").text
    assert [c["id"] for c in site.client.get("/live/state").json()["cameras"]] == ["gate"]
    assert 'id="tile-lobby"' not in site.client.get("/live").text


def test_a_user_in_no_group_sees_no_camera_once_groups_exist(site: Site) -> None:
    log_in(site.client, "nobody")
    assert site.client.get("/api/cameras").json() == []
    assert site.client.get("/api/events").json()["items"] == []
    assert site.client.get("/live/state").json()["cameras"] == []


def test_admins_and_tokens_see_every_camera(site: Site) -> None:
    log_in(site.client, "root")
    assert {c["id"] for c in site.client.get("/api/cameras").json()} == {"gate", "lobby", "yard"}
    assert site.client.get(f"/api/events/{site.lobby.id}").status_code == 200
    assert site.client.get(f"/events/{site.lobby.id}").status_code == 200
    site.client.cookies.clear()
    viewer_token = {"Authorization": "Bearer viewer-token-0123456789"}
    assert site.client.get(f"/api/events/{site.lobby.id}", headers=viewer_token).status_code == 200


def test_without_any_group_everyone_sees_everything(site: Site) -> None:
    site.web.store.groups.delete_group("front")
    log_in(site.client, "nobody")
    assert {c["id"] for c in site.client.get("/api/cameras").json()} == {"gate", "lobby", "yard"}


def test_the_live_stream_drops_messages_about_other_cameras() -> None:
    vic = Principal("vic", Role.VIEWER, frozenset({"gate"}))
    assert visible_to({"kind": "event", "event": {"camera_id": "gate"}}, vic)
    assert not visible_to({"kind": "event", "event": {"camera_id": "lobby"}}, vic)
    assert not visible_to({"kind": "status", "event_id": "e", "camera_id": "lobby"}, vic)
    assert visible_to({"kind": "dropped", "count": 3}, vic)
    assert visible_to({"kind": "event", "event": {"camera_id": "lobby"}}, Principal("root", Role.ADMIN))


def test_admins_manage_groups_on_the_users_page_and_it_is_audited(site: Site) -> None:
    log_in(site.client, "root")
    page = site.client.get("/admin/users")
    assert 'id="group-front"' in page.text and "Camera groups" in page.text
    form = {"csrf_token": site.csrf(), "group": "back", "cameras": ["lobby", "nope"], "members": ["nobody"]}
    saved = site.client.post("/admin/groups", data=form)
    assert saved.status_code == 200 and "Group back saved." in saved.text
    [back] = [g for g in site.web.store.groups.list_groups() if g.name == "back"]
    assert back.cameras == ("lobby",) and back.members == ("nobody",)
    deleted = site.client.post("/admin/groups", data={"csrf_token": site.csrf(), "group": "back", "delete": "1"})
    assert "Group back deleted." in deleted.text
    actions = [a.action for a in site.web.store.list_audit(None, None, None, None, 50, 0)]
    assert "group_save" in actions and "group_delete" in actions
    assert "카메라 그룹" in site.client.get("/admin/users?lang=ko").text
    log_in(site.client, "vic")
    assert site.client.post("/admin/groups", data={"csrf_token": site.csrf(), "group": "x"}).status_code == 403


def test_metrics_which_name_every_camera_are_refused_to_a_restricted_user(site: Site) -> None:
    log_in(site.client, "vic")
    assert site.client.get("/metrics").status_code == 403
    log_in(site.client, "root")
    assert site.client.get("/metrics").status_code == 200
