"""Event search, details, evidence files (audited) and deliveries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from gwanje.core.events import Event, EventState, EventType
from tests.api.conftest import Api, live_jpeg
from tests.store.factories import make_event
from tests.support.media import moving_box_frames, write_clip

T0 = 1_700_000_000.0


def _seed(api: Api) -> list[Event]:
    events = [
        make_event("gate", EventType.FIRE, T0, EventState.END, end_time=T0 + 20),
        make_event("lobby", EventType.FIGHT, T0 + 100),
        make_event("gate", EventType.INTRUSION, T0 + 200, zone="fence"),
    ]
    for e in events:
        api.store.save_event(e)
    return events


def _ids(api: Api, query: str) -> list[str]:
    response = api.client.get(f"/api/events{query}", headers=api.headers())
    assert response.status_code == 200, response.text
    return [item["id"] for item in response.json()["items"]]


def test_filters(api: Api) -> None:
    fire, fight, intrusion = _seed(api)
    api.store.add_action(fight.id, "false_alarm", "someone")
    assert _ids(api, "") == [intrusion.id, fight.id, fire.id]
    assert _ids(api, "?camera_id=gate") == [intrusion.id, fire.id]
    assert _ids(api, "?type=fight") == [fight.id]
    assert _ids(api, "?state=end") == [fire.id]
    assert _ids(api, "?status=false_alarm") == [fight.id]
    assert _ids(api, "?status=new&camera_id=gate&type=intrusion") == [intrusion.id]
    since = dt.datetime.fromtimestamp(T0 + 50, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _ids(api, f"?since={since}") == [intrusion.id, fight.id]
    assert _ids(api, f"?since={T0 + 50:.0f}&until={T0 + 150:.0f}") == [fight.id]
    assert _ids(api, "?q=FENCE") == [intrusion.id]  # the zone
    assert _ids(api, "?q=front%20gate") == [intrusion.id, fire.id]  # the camera's name
    api.store.add_action(fire.id, "note", "someone", note="extinguisher used")
    assert _ids(api, "?q=extinguisher") == [fire.id]
    page = api.client.get("/api/events?limit=2&offset=1", headers=api.headers()).json()
    assert [i["id"] for i in page["items"]] == [fight.id, fire.id]
    assert (page["total"], page["limit"], page["offset"]) == (3, 2, 1)


@pytest.mark.parametrize(
    ("query", "where", "message"),
    [
        ("?type=flood", "type", "'fire'"),
        ("?limit=0", "limit", "greater than or equal to 1"),
        ("?since=yesterday", "since", "ISO 8601"),
        ("?since=1e20", "since", "UNIX seconds"),
        ("?until=99999999999999", "until", "at most 12 digits"),
        ("?since=2026-13-45", "since", "ISO 8601"),
        ("?status=done", "status", "'acknowledged'"),
    ],
)
def test_malformed_queries_are_422_with_the_reason(api: Api, query: str, where: str, message: str) -> None:
    response = api.client.get(f"/api/events{query}", headers=api.headers())
    assert response.status_code == 422
    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["query", where]
    assert message in problem["msg"]


def test_get_one_and_unknown_is_404_json(api: Api) -> None:
    *_, intrusion = _seed(api)
    body = api.client.get(f"/api/events/{intrusion.id}", headers=api.headers()).json()
    assert body["type"] == "intrusion"
    assert body["zone"] == "fence"
    assert body["status"] == "new"
    assert body["boxes"] == [[10.0, 20.0, 110.0, 220.0]]
    assert body["start_iso"] == "2023-11-14T22:16:40Z"
    assert body["snapshot_url"] is None
    response = api.client.get("/api/events/no-such-event", headers=api.headers())
    assert response.status_code == 404
    assert response.json() == {"detail": "no event with id 'no-such-event'"}


def _event_with_snapshot(api: Api) -> tuple[Event, bytes]:
    event = make_event("gate")
    jpeg = live_jpeg()
    event.snapshot_path = str(api.media.write_snapshot(event.id, "gate", event.start_time, jpeg))
    api.store.save_event(event)
    return event, jpeg


def test_snapshot_is_served_and_audited(api: Api) -> None:
    event, jpeg = _event_with_snapshot(api)
    response = api.client.get(f"/api/events/{event.id}/snapshot.jpg", headers=api.headers("viewer"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert response.content != jpeg  # people masked: see test_masking.py
    download = api.client.get(f"/api/events/{event.id}/snapshot.jpg?download=true", headers=api.headers("operator"))
    assert download.headers["content-disposition"] == f'attachment; filename="gate_{event.id}.jpg"'
    audit = api.store.list_audit()
    assert [(a.actor, a.action, a.target) for a in audit] == [
        (api.name("operator"), "export", f"event:{event.id}:snapshot"),
        (api.name("viewer"), "view_snapshot", f"event:{event.id}:snapshot"),
    ]
    assert audit[0].client == "testclient"


def test_snapshot_deleted_by_retention_is_404_with_the_reason(api: Api) -> None:
    event, _ = _event_with_snapshot(api)
    Path(event.snapshot_path or "").unlink()
    response = api.client.get(f"/api/events/{event.id}/snapshot.jpg", headers=api.headers())
    assert response.status_code == 404
    assert "deleted by retention" in response.json()["detail"]
    assert api.store.list_audit() == []


def _event_with_clip(api: Api) -> tuple[Event, bytes]:
    event = make_event("gate")
    path = write_clip(api.media.clip_path(event.id, "gate", event.start_time), moving_box_frames(25), fps=25)
    event.clip_path = str(path)
    api.store.save_event(event)
    return event, path.read_bytes()


def test_clip_supports_range_requests_and_audits_each_viewing_once(api: Api) -> None:
    event, mp4 = _event_with_clip(api)
    url = f"/api/events/{event.id}/clip.mp4"
    full = api.client.get(url, headers=api.headers())
    assert full.status_code == 200
    assert full.headers["content-type"] == "video/mp4"
    assert full.headers["accept-ranges"] == "bytes"
    assert full.content != mp4  # the masked copy (tests/api/test_clip_masking.py)
    mp4 = full.content

    first = api.client.get(url, headers={**api.headers(), "Range": "bytes=0-99"})
    assert first.status_code == 206
    assert first.content == mp4[:100]
    assert first.headers["content-range"] == f"bytes 0-99/{len(mp4)}"
    later = api.client.get(url, headers={**api.headers(), "Range": f"bytes=100-{len(mp4) - 1}"})
    assert later.status_code == 206
    assert later.content == mp4[100:]
    beyond = api.client.get(url, headers={**api.headers(), "Range": f"bytes={len(mp4) + 10}-"})
    assert beyond.status_code == 416
    head = api.client.head(url, headers=api.headers())
    assert head.status_code == 200
    assert head.headers["content-length"] == str(len(mp4))

    # the full GET and the Range request from byte 0 are viewings; continuing a playback or HEAD is not
    actions = [a.action for a in api.store.list_audit()]
    assert actions == ["view_clip", "view_clip"]


def test_clip_download_with_query_token_is_an_audited_export(api: Api) -> None:
    event, mp4 = _event_with_clip(api)
    token = api.headers("viewer")["Authorization"].removeprefix("Bearer ")
    response = api.client.get(f"/api/events/{event.id}/clip.mp4?token={token}&download=1")
    assert response.status_code == 200
    assert response.content.startswith(mp4[:4]) and response.content != mp4  # masked, as everyone gets it
    assert "attachment" in response.headers["content-disposition"]
    (entry,) = api.store.list_audit()
    assert (entry.actor, entry.action) == (api.name("viewer"), "export")


def test_deliveries_and_actions_of_an_event(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    api.deliveries[event.id] = [{"channel": "webhook:ops", "status": "delivered", "attempts": 2}]
    response = api.client.get(f"/api/events/{event.id}/deliveries", headers=api.headers())
    assert response.json() == [{"channel": "webhook:ops", "status": "delivered", "attempts": 2}]
    assert api.client.get("/api/events/nope/deliveries", headers=api.headers()).status_code == 404
    api.store.add_action(event.id, "note", "olivia", "checked camera")
    actions = api.client.get(f"/api/events/{event.id}/actions", headers=api.headers()).json()
    assert [(a["action"], a["actor"], a["note"]) for a in actions] == [("note", "olivia", "checked camera")]
