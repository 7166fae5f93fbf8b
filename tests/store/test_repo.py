"""Events, operator actions, cameras and the audit log, against SQLite and PostgreSQL."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from gwanje.config.store import StoreConfig
from gwanje.core.clock import FakeClock
from gwanje.core.events import EventState, EventType
from gwanje.store.records import (
    STATUS_AFTER,
    IllegalTransition,
    OperatorAction,
    OperatorStatus,
    UnknownEvent,
    check_transition,
)
from gwanje.store.repo import Store
from tests.store.factories import make_event


def test_save_is_idempotent_and_updates_in_place(store: Store, fake_clock: FakeClock) -> None:
    event = make_event(snapshot_path="snapshots/cam1/2023-11-14/x.jpg")
    store.save_event(event)
    store.save_event(event)
    assert store.count_events() == 1

    fake_clock.advance(30)
    event.state, event.end_time, event.end_pts_s, event.peak_confidence = (
        EventState.END,
        event.start_time + 30,
        33.0,
        0.95,
    )
    event.snapshot_path = None  # an update that does not repeat the snapshot must not erase it
    store.save_event(event)

    stored = store.get_event(event.id)
    assert stored is not None
    assert store.count_events() == 1
    assert stored.event.state is EventState.END
    assert stored.event.end_time == event.start_time + 30
    assert stored.event.peak_confidence == pytest.approx(0.95)
    assert stored.event.snapshot_path == "snapshots/cam1/2023-11-14/x.jpg"
    assert stored.event.boxes == [(10.0, 20.0, 110.0, 220.0)]
    assert stored.event.frame_size == (640, 360)
    assert stored.updated_at == fake_clock.time()
    assert stored.created_at == fake_clock.time() - 30


def test_engine_updates_keep_the_operator_status(store: Store) -> None:
    event = make_event()
    store.save_event(event)
    store.add_action(event.id, "acknowledge", "alice")
    event.state = EventState.UPDATE
    store.save_event(event)
    stored = store.get_event(event.id)
    assert stored is not None
    assert stored.status is OperatorStatus.ACKNOWLEDGED
    assert stored.event.state is EventState.UPDATE


def test_numpy_values_in_details_are_stored_as_json(store: Store) -> None:
    event = make_event(details={"score": np.float32(0.5), "track_ids": np.array([3, 4]), "nested": {"n": np.int64(2)}})
    store.save_event(event)
    stored = store.get_event(event.id)
    assert stored is not None
    assert stored.event.details == {"score": 0.5, "track_ids": [3, 4], "nested": {"n": 2}}


def test_list_filters_and_pages_newest_first(store: Store) -> None:
    t0 = 1_700_000_000.0
    fire1 = make_event("cam1", EventType.FIRE, t0, EventState.END, end_time=t0 + 20)
    fight = make_event("cam2", EventType.FIGHT, t0 + 100)
    fire2 = make_event("cam2", EventType.FIRE, t0 + 200, EventState.END, end_time=t0 + 260)
    for e in (fire1, fight, fire2):
        store.save_event(e)
    store.add_action(fight.id, "false_alarm", "bob")

    def ids(**filters: object) -> list[str]:
        return [r.event.id for r in store.list_events(**filters)]  # type: ignore[arg-type]

    assert ids() == [fire2.id, fight.id, fire1.id]
    assert ids(camera_id="cam2") == [fire2.id, fight.id]
    assert ids(event_type="fire") == [fire2.id, fire1.id]
    assert ids(state="end") == [fire2.id, fire1.id]
    assert ids(status="false_alarm") == [fight.id]
    assert ids(status="new", camera_id="cam2") == [fire2.id]
    # active at some time in [since, until]: fire1 ended at t0+20, so since=t0+10 still includes it
    assert ids(since=t0 + 10, until=t0 + 150) == [fight.id, fire1.id]
    assert ids(since=t0 + 21, until=t0 + 150) == [fight.id]
    assert ids(since=t0 + 1000) == [fight.id]  # still going (no end yet), so active after any `since`
    assert ids(limit=2) == [fire2.id, fight.id]
    assert ids(limit=2, offset=2) == [fire1.id]
    assert store.count_events(camera_id="cam2") == 2
    assert store.event_totals() == {("cam1", "fire"): 1, ("cam2", "fight"): 1, ("cam2", "fire"): 1}


@pytest.mark.parametrize(
    ("filters", "message"),
    [({"limit": 0}, "limit must be between"), ({"offset": -1}, "offset"), ({"event_type": "flood"}, "flood")],
)
def test_list_rejects_bad_filters(store: Store, filters: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        store.list_events(**filters)  # type: ignore[arg-type]


def test_actions_change_status_and_are_kept_in_order(store: Store, fake_clock: FakeClock) -> None:
    event = make_event()
    store.save_event(event)
    assert store.add_action(event.id, "acknowledge", "alice").status is OperatorStatus.ACKNOWLEDGED
    fake_clock.advance(5)
    assert store.add_action(event.id, "note", "alice", "called the fire brigade").status is OperatorStatus.ACKNOWLEDGED
    fake_clock.advance(5)
    assert store.add_action(event.id, "resolve", "bob").status is OperatorStatus.RESOLVED

    actions = store.list_actions(event.id)
    assert [(a.action, a.actor) for a in actions] == [
        (OperatorAction.ACKNOWLEDGE, "alice"),
        (OperatorAction.NOTE, "alice"),
        (OperatorAction.RESOLVE, "bob"),
    ]
    assert actions[1].note == "called the fire brigade"
    assert actions[2].time - actions[0].time == 10


def test_action_errors(store: Store) -> None:
    event = make_event()
    store.save_event(event)
    with pytest.raises(UnknownEvent, match="no event with id 'nope'"):
        store.add_action("nope", "acknowledge", "alice")
    with pytest.raises(ValueError, match="non-empty note"):
        store.add_action(event.id, "note", "alice", "  ")
    with pytest.raises(ValueError, match="escalate"):
        store.add_action(event.id, "escalate", "alice")
    assert store.list_actions(event.id) == []


def test_cameras_are_stored_with_masked_credentials(store: Store, fake_clock: FakeClock) -> None:
    store.upsert_camera("gate", "Front gate", "rtsp://admin:hunter2@10.0.0.5/ch1", enabled=True)
    store.upsert_camera("gate", "Front gate (new)", "rtsp://admin:hunter3@10.0.0.5/ch1", enabled=False)
    store.set_camera_status("gate", "live")
    (camera,) = store.list_cameras()
    assert camera.name == "Front gate (new)"
    assert not camera.enabled
    assert "hunter" not in camera.source_url
    assert camera.source_url == "rtsp://admin:***@10.0.0.5/ch1"
    assert (camera.last_status, camera.status_time) == ("live", fake_clock.time())
    with pytest.raises(LookupError, match="upsert_camera first"):
        store.set_camera_status("other", "live")


def test_audit_log_records_and_filters(store: Store, fake_clock: FakeClock) -> None:
    store.audit("alice", "view_snapshot", "event:1", "10.0.0.9")
    fake_clock.advance(60)
    store.audit("bob", "export", "event:2")
    store.audit("alice", "view_clip", "event:2", "10.0.0.9")
    assert [(a.actor, a.action) for a in store.list_audit()] == [
        ("alice", "view_clip"),
        ("bob", "export"),
        ("alice", "view_snapshot"),
    ]
    assert [a.target for a in store.list_audit(actor="alice")] == ["event:2", "event:1"]
    assert [a.action for a in store.list_audit(since=fake_clock.time())] == ["view_clip", "export"]
    assert [a.client for a in store.list_audit(action="export")] == [None]


def test_concurrent_writers_lose_nothing(store_cfg: StoreConfig) -> None:
    """Several camera threads saving at once (SQLite: WAL + busy timeout serialise them)."""
    store = Store.open(store_cfg)
    errors: list[BaseException] = []

    def writer(camera: str) -> None:
        try:
            for i in range(20):
                event = make_event(camera, start_time=1_700_000_000.0 + i)
                store.save_event(event)
                event.state = EventState.END
                store.save_event(event)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"cam{n}",)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert store.count_events() == 80
        assert store.count_events(state="end") == 80
    finally:
        store.close()


@pytest.mark.parametrize("status", list(OperatorStatus))
@pytest.mark.parametrize("action", list(OperatorAction))
def test_the_operator_state_machine(status: OperatorStatus, action: OperatorAction) -> None:
    allowed = {
        OperatorStatus.NEW: {"acknowledge", "resolve", "false_alarm", "note"},
        OperatorStatus.ACKNOWLEDGED: {"resolve", "false_alarm", "note"},
        OperatorStatus.RESOLVED: {"note"},
        OperatorStatus.FALSE_ALARM: {"note"},
    }[status]
    if action.value in allowed:
        after = check_transition("e1", status, action)
        assert after is (status if action is OperatorAction.NOTE else STATUS_AFTER[action])
    else:
        with pytest.raises(IllegalTransition, match=f"event 'e1' is {status.value}"):
            check_transition("e1", status, action)
