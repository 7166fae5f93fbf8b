"""The alert feed's filters and pages over HTTP: every filter, the URL keeping them, bad values, who may see it."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from gwanje.core.events import EventType
from tests.store.factories import make_event
from tests.web.conftest import Web, log_in

T0 = dt.datetime(2024, 5, 1, 12, 0).timestamp()  # server's zone, as the form's datetime-local is read


def _ids(html: str) -> set[str]:
    return {part.split('"')[0] for part in html.split('id="event-')[1:]}


def _seed(web: Web) -> dict[str, str]:
    events = {
        "gate-fire": make_event("gate", EventType.FIRE, T0, peak_confidence=0.9, end_time=T0 + 60),
        "gate-fight": make_event("gate", EventType.FIGHT, T0 + 3600, peak_confidence=0.55, end_time=T0 + 3660),
        "lobby-fire": make_event("lobby", EventType.FIRE, T0 + 7200, peak_confidence=0.7, end_time=T0 + 7260),
    }
    for event in events.values():
        web.store.save_event(event)
    web.store.add_action(events["gate-fight"].id, "acknowledge", "olga")
    return {name: event.id for name, event in events.items()}


def test_each_filter_narrows_the_feed(web: Web, browser_client: TestClient) -> None:
    web.add_user("vic", "viewer")
    log_in(browser_client, "vic")
    ids = _seed(web)
    cases = {
        "": {"gate-fire", "gate-fight", "lobby-fire"},
        "camera=gate": {"gate-fire", "gate-fight"},
        "type=fire": {"gate-fire", "lobby-fire"},
        "camera=gate&type=fire": {"gate-fire"},
        "min_conf=60": {"gate-fire", "lobby-fire"},
        "since=2024-05-01T12:30": {"gate-fight", "lobby-fire"},
        "until=2024-05-01T13:30": {"gate-fire", "gate-fight"},
        "since=2024-05-01T12:30&until=2024-05-01T13:30": {"gate-fight"},
        "status=new": {"gate-fire", "lobby-fire"},
        "status=acknowledged": {"gate-fight"},
        "status=resolved": set(),
    }
    for query, expected in cases.items():
        page = browser_client.get(f"/events?{query}")
        assert page.status_code == 200, query
        assert _ids(page.text) == {ids[name] for name in expected}, query
        assert _ids(browser_client.get(f"/events/rows?{query}").text) == _ids(page.text), query
    page = browser_client.get("/events?camera=gate&type=fire&min_conf=60")
    assert '<option value="gate" selected>' in page.text and '<option value="fire" selected>' in page.text
    assert 'name="min_conf" min="0" max="100" step="1" value="60"' in page.text
    assert "1 alert(s)" in page.text


def test_bad_filter_values_are_ignored_and_said_so(web: Web, browser_client: TestClient) -> None:
    web.add_user("vic", "viewer")
    log_in(browser_client, "vic")
    _seed(web)
    page = browser_client.get("/events?camera=roof&type=fire&since=yesterday&min_conf=150")
    assert page.status_code == 200
    assert "Some filter values were not understood and were ignored." in page.text
    assert len(_ids(page.text)) == 2  # type=fire still applies
    korean = browser_client.get("/events?camera=roof&lang=ko")
    assert "일부 필터 값을 이해하지 못해 무시했습니다." in korean.text and "필터 적용" in korean.text


def test_pages_of_fifty_keep_the_filters_in_their_links(web: Web, browser_client: TestClient) -> None:
    web.add_user("vic", "viewer")
    log_in(browser_client, "vic")
    for i in range(55):
        web.store.save_event(make_event("gate", EventType.FIRE, T0 + i))
    web.store.save_event(make_event("lobby", EventType.FIRE, T0 + 100))
    first = browser_client.get("/events?camera=gate")
    assert len(_ids(first.text)) == 50 and "Page 1 of 2" in first.text
    assert 'href="/events?camera=gate&amp;page=2"' in first.text
    second = browser_client.get("/events?camera=gate&page=2")
    assert len(_ids(second.text)) == 5 and 'href="/events?camera=gate&amp;page=1"' in second.text
    assert not _ids(first.text) & _ids(second.text)
    assert len(_ids(browser_client.get("/events?camera=gate&page=99").text)) == 5  # past the end: the last page


def test_the_feed_needs_a_login_and_any_role(web: Web, browser_client: TestClient) -> None:
    response = browser_client.get("/events?camera=gate")
    assert response.status_code == 303
    for name, role in (("vic", "viewer"), ("olga", "operator"), ("adam", "admin")):
        web.add_user(name, role)
        browser_client.cookies.clear()
        log_in(browser_client, name)
        assert browser_client.get("/events?type=fire").status_code == 200
