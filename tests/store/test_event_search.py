"""Searching events by text: id prefix, camera, zone, label, operator notes, any case, wildcards taken literally; on
SQLite and PostgreSQL."""

from __future__ import annotations

from gwanje.core.events import EventType
from gwanje.store.repo import Store
from tests.store.factories import make_event


def test_search_matches_ids_cameras_zones_labels_and_notes(store: Store) -> None:
    gate = make_event("front-gate", EventType.INTRUSION, zone="Loading Bay", start_time=1.0)
    lobby = make_event("lobby", EventType.FIRE, label="flame", start_time=2.0)
    yard = make_event("yard", EventType.FALL, start_time=3.0)
    odd = make_event("yard", EventType.FALL, zone="50%_off", start_time=4.0)
    for event in (gate, lobby, yard, odd):
        store.save_event(event)
    store.add_action(yard.id, "note", "olga", note="Ambulance called, patient OK")

    def ids(text: str, cameras: tuple[str, ...] = ()) -> set[str]:
        found = {r.event.id for r in store.list_events(text=text, text_cameras=cameras)}
        assert store.count_events(text=text, text_cameras=cameras) == len(found)
        return found

    assert ids("GATE") == {gate.id}
    assert ids("loading bay") == {gate.id}
    assert ids("flam") == {lobby.id}
    assert ids("ambulance") == {yard.id}
    assert ids(yard.id[:8]) == {yard.id}
    assert ids("50%") == {odd.id} and ids("%") == {odd.id} and ids("_") == {odd.id}  # literally, not wildcards
    assert ids("nothing like it") == set()
    assert ids("Front desk", cameras=("lobby",)) == {lobby.id}  # a camera found by its name elsewhere
    assert {r.event.id for r in store.list_events(text="yard", event_type="fall", camera_ids=["yard"])} == {
        yard.id,
        odd.id,
    }
