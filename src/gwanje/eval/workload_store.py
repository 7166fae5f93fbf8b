"""The workload of a running site, from its store: the events raised and what the operators decided about them.

- Alerts: the events that started in the period; false alerts: those an operator marked as false alarm; events
  nobody has decided yet (``new`` or only ``acknowledged``) are counted as undecided, not as false.
- Review time: per event, from its first *acknowledge* to the first *resolve* or *false alarm* after it (the time an
  operator spent on it; the median is used). Events without both actions have no measured time.
- Camera-hours: the store does not keep how long each camera was up, so they are the period's length times the
  cameras (the enabled cameras the store knows, else those with events), unless the user says better
  (``observed_cameras`` or ``camera_hours``); a camera that was down part of the time makes the rates look lower.
- Recall cannot come from the store: a missed event is never stored. ``gwanje export manifest`` turns the decided
  events into a test set for ``gwanje eval``, which measures it.
"""

from __future__ import annotations

from gwanje.eval.workload import WorkloadAlert, WorkloadInput
from gwanje.store import ActionRecord, EventRecord, OperatorAction, OperatorStatus, Store
from gwanje.store.repo import MAX_PAGE

DECIDED = {OperatorStatus.RESOLVED: False, OperatorStatus.FALSE_ALARM: True}
"""Status -> whether the event was a false alarm; other statuses are undecided."""


def stored_events(store: Store, since: float | None, until: float | None) -> list[EventRecord]:
    """Events that started in ``[since, until]`` (either end open when None), oldest first."""
    found: list[EventRecord] = []
    offset = 0
    while True:
        page = store.list_events(since=since, until=until, limit=MAX_PAGE, offset=offset)
        found += page
        if len(page) < MAX_PAGE:
            break
        offset += MAX_PAGE
    # list_events also returns events that started before `since` and were still going: not alerts of the period
    inside = [r for r in found if since is None or r.event.start_time >= since]
    return sorted(inside, key=lambda r: (r.event.start_time, r.event.id))


def review_seconds(actions: list[ActionRecord]) -> float | None:
    """Seconds from the first acknowledge to the first resolve or false alarm after it; None when not both."""
    acknowledged = next((a.time for a in actions if a.action is OperatorAction.ACKNOWLEDGE), None)
    if acknowledged is None:
        return None
    closing = (OperatorAction.RESOLVE, OperatorAction.FALSE_ALARM)
    decided = next((a.time for a in actions if a.action in closing and a.time >= acknowledged), None)
    return None if decided is None else decided - acknowledged


def from_store(
    store: Store,
    until: float,
    since: float | None = None,
    observed_cameras: int | None = None,
    camera_hours: float | None = None,
) -> WorkloadInput:
    """The period's alerts, dispositions and review times; ValueError when no period can be told."""
    events = stored_events(store, since, until)
    notes: list[str] = []
    if since is None:
        if not events:
            raise ValueError("the store has no event up to --until: give --since to state the period observed")
        since = events[0].event.start_time
        notes.append("the period starts at the first stored event (give --since for the real start of operation)")
    if until <= since:
        raise ValueError(f"the period is empty: until ({until}) is not after since ({since})")
    period_h = (until - since) / 3600
    cameras = [c.id for c in store.list_cameras() if c.enabled] or sorted({r.event.camera_id for r in events})
    hours_by_camera: dict[str, float] = {}
    if camera_hours is not None:
        total, basis = camera_hours, "camera-hours given by the user"
    elif observed_cameras is not None:
        total, basis = observed_cameras * period_h, f"{observed_cameras} camera(s) (given) x {period_h:.3g} h"
    else:
        if not cameras:
            raise ValueError("the store knows no camera: give --observed-cameras or --camera-hours")
        hours_by_camera = dict.fromkeys(cameras, period_h)
        total, basis = len(cameras) * period_h, f"{len(cameras)} stored camera(s) x {period_h:.3g} h"
        notes.append("camera-hours assume every camera was up the whole period (the store keeps no uptime)")
    alerts = [
        WorkloadAlert(
            camera=r.event.camera_id,
            event_type=str(r.event.event_type),
            at_h=(r.event.start_time - since) / 3600,
            false_alarm=DECIDED.get(r.status),
            review_s=review_seconds(store.list_actions(r.event.id)),
        )
        for r in events
    ]
    return WorkloadInput(
        source="store",
        footage=f"stored events ({basis})",
        camera_hours=total,
        alerts=alerts,
        span_h=period_h,
        hours_by_camera=hours_by_camera,
        recall=None,
        notes=notes,
    )
