"""Unread per user: an alert is unread for each user until that user opens it (or marks all read); the feed's count,
its tab title and the rows' marks follow, and the API says the same (also for tokens, and within camera groups)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from gwanje.api.auth import CSRF_HEADER
from tests.api.conftest import TOKENS
from tests.store.factories import make_event
from tests.web.conftest import Web, log_in


def _feed(client: TestClient) -> tuple[int, set[str]]:
    """The feed's unread count (its badge) and the ids of the rows marked unread."""
    page = client.get("/events")
    assert page.status_code == 200
    count = int(re.search(r'id="unread" data-count="(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    title = re.search(r"<title>(.*?)</title>", page.text, re.S).group(1)  # type: ignore[union-attr]
    assert title.strip().startswith(f"({count}) ") == (count > 0)
    return count, set(re.findall(r'<tr id="event-([^"]+)" class="[^"]*\bunread\b', page.text))


def test_each_user_has_their_own_unread(web: Web) -> None:
    web.add_user("olga", "operator")
    web.add_user("vic", "viewer")
    gate, lobby = make_event("gate"), make_event("lobby")
    for event in (gate, lobby):
        web.store.save_event(event)
    with TestClient(web.app) as olga, TestClient(web.app) as vic:
        log_in(olga, "olga")
        log_in(vic, "vic")
        assert _feed(olga) == (2, {gate.id, lobby.id})
        web.store.add_action(gate.id, "acknowledge", "someone")  # acknowledged by someone: still unread for olga
        assert _feed(olga) == (2, {gate.id, lobby.id})

        assert olga.get(f"/events/{gate.id}").status_code == 200  # olga opens it
        assert _feed(olga) == (1, {lobby.id})
        assert _feed(vic) == (2, {gate.id, lobby.id})  # not for vic

        csrf = olga.get("/events").text.split('name="csrf-token" content="')[1].split('"')[0]
        marked = olga.post("/api/events/read-all", headers={CSRF_HEADER: csrf})
        assert marked.status_code == 200 and marked.json() == {"count": 0}
        assert _feed(olga) == (0, set())
        later = make_event("gate")
        web.store.save_event(later)
        assert _feed(olga) == (1, {later.id})
        assert _feed(vic) == (3, {gate.id, lobby.id, later.id})

        web.store.groups.save_group("front", ["gate"], ["vic"])  # vic now sees gate's alerts only
        assert _feed(vic) == (2, {gate.id, later.id})


def test_the_api_says_what_is_unread_for_the_caller(web: Web) -> None:
    gate, lobby = make_event("gate"), make_event("lobby")
    for event in (gate, lobby):
        web.store.save_event(event)
    viewer = {"Authorization": f"Bearer {TOKENS['viewer'][1]}"}
    admin = {"Authorization": f"Bearer {TOKENS['admin'][1]}"}
    with TestClient(web.app) as client:
        asked = client.get("/api/events/unread", headers=viewer)
        assert asked.status_code == 200 and asked.json() == {"count": 2}
        read = client.post(f"/api/events/{gate.id}/read", headers=viewer)
        assert read.status_code == 200 and read.json() == {"count": 1}
        assert client.post(f"/api/events/{gate.id}/read", headers=viewer).json() == {"count": 1}  # again: the same
        assert client.get("/api/events/unread", headers=viewer).json() == {"count": 1}
        assert client.get("/api/events/unread", headers=admin).json() == {"count": 2}  # each token for itself
        assert client.post("/api/events/no-such-event/read", headers=viewer).status_code == 404
        assert client.post("/api/events/read-all", headers=admin).json() == {"count": 0}
        assert client.get("/api/events/unread").status_code == 401
