"""Operator actions change the status, record the token's name and reach live clients."""

from __future__ import annotations

from tests.api.conftest import Api
from tests.store.factories import make_event


def test_operator_workflow_is_recorded(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    base = f"/api/events/{event.id}"
    op = api.headers("operator")

    ack = api.client.post(f"{base}/acknowledge", headers=op)
    assert ack.status_code == 200
    assert ack.json()["status"] == "acknowledged"
    note = api.client.post(f"{base}/note", headers=op, json={"note": "guard sent to gate"})
    assert note.json()["status"] == "acknowledged"
    done = api.client.post(f"{base}/resolve", headers=api.headers("admin"), json={"note": "extinguished"})
    assert done.json()["status"] == "resolved"

    stored = api.store.get_event(event.id)
    assert stored is not None
    assert stored.status.value == "resolved"
    assert [(a.action.value, a.actor, a.note) for a in api.store.list_actions(event.id)] == [
        ("acknowledge", api.name("operator"), None),
        ("note", api.name("operator"), "guard sent to gate"),
        ("resolve", api.name("admin"), "extinguished"),
    ]
    listed = api.client.get("/api/events?status=resolved", headers=api.headers()).json()
    assert [i["id"] for i in listed["items"]] == [event.id]


def test_false_alarm(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    response = api.client.post(f"/api/events/{event.id}/false-alarm", headers=api.headers("operator"))
    assert response.json()["status"] == "false_alarm"


def test_note_needs_text_and_unknown_event_is_404(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    op = api.headers("operator")
    for body in ({}, {"note": ""}, {"note": "   "}):
        response = api.client.post(f"/api/events/{event.id}/note", headers=op, json=body)
        assert response.status_code == 422, body
        assert response.json()["detail"][0]["loc"][:2] == ["body", "note"]
    too_long = api.client.post(f"/api/events/{event.id}/acknowledge", headers=op, json={"note": "x" * 5000})
    assert too_long.status_code == 422
    missing = api.client.post("/api/events/nope/acknowledge", headers=op)
    assert missing.status_code == 404
    assert missing.json() == {"detail": "no event with id 'nope'"}
    assert api.store.list_actions(event.id) == []


def test_a_decided_event_takes_only_notes(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    base = f"/api/events/{event.id}"
    op = api.headers("operator")
    assert api.client.post(f"{base}/resolve", headers=op).status_code == 200
    for action in ("acknowledge", "resolve", "false-alarm"):
        again = api.client.post(f"{base}/{action}", headers=op)
        assert again.status_code == 409, action
        assert again.json()["detail"].startswith(f"event '{event.id}' is resolved: it cannot take")
        assert "allowed: note" in again.json()["detail"]
    assert api.client.post(f"{base}/note", headers=op, json={"note": "report filed"}).status_code == 200
    stored = api.store.get_event(event.id)
    assert stored is not None and stored.status.value == "resolved"
    assert [a.action.value for a in api.store.list_actions(event.id)] == ["resolve", "note"]


def test_acknowledging_twice_is_a_conflict(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    op = api.headers("operator")
    assert api.client.post(f"/api/events/{event.id}/acknowledge", headers=op).status_code == 200
    assert api.client.post(f"/api/events/{event.id}/acknowledge", headers=op).status_code == 409
    assert api.client.post(f"/api/events/{event.id}/false-alarm", headers=op).json()["status"] == "false_alarm"
