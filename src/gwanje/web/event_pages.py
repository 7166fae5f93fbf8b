"""The alert feed (newest first, filtered and paged by the URL, refreshed from the live stream) and one alert with its
evidence and actions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gwanje.api.auth import Role
from gwanje.api.context import ApiContext
from gwanje.core.events import EventType
from gwanje.store.accounts import UserRecord
from gwanje.store.records import EventRecord, OperatorStatus
from gwanje.web.feed_filters import PAGE_SIZE, FeedFilters, page_number
from gwanje.web.support import camera_scope, ctx_of, local_time, need, pager, render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[UserRecord, need(Role.VIEWER)]


def event_row(ctx: ApiContext, record: EventRecord, unread: bool = False) -> dict[str, object]:
    """What the feed, the alert page and a camera's recent alerts show of one event (``unread``: for the viewer)."""
    event = record.event
    return {
        "id": event.id,
        "type": str(event.event_type),
        "camera": event.camera_id,
        "time": local_time(ctx, event.start_time, event.camera_id),
        "end": local_time(ctx, event.end_time, event.camera_id),
        "confidence": f"{event.peak_confidence:.0%}",
        "status": str(record.status),
        "severity": str(event.severity),
        "zone": event.zone,
        "snapshot": bool(event.snapshot_path),
        "clip": bool(event.clip_path),
        "ongoing": event.end_time is None,
        "unread": unread,
    }


def _feed(request: Request, user: UserRecord) -> dict[str, Any]:
    """The feed's rows for the URL's filters and page, with what the filter form and the pager need."""
    ctx = ctx_of(request)
    scope = camera_scope(ctx, user)
    visible = [c for c in ctx.camera_list() if scope is None or c.id in scope]
    filters, dropped = FeedFilters.parse(request.query_params, [c.id for c in visible])
    wanted = {**filters.store_filters({c.id: c.name or c.id for c in visible}), "camera_ids": scope}
    total = ctx.store.count_events(**wanted)
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page_number(request.query_params), pages)
    records = ctx.store.list_events(**wanted, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    unread = ctx.store.reads.unread(user.name, [r.event.id for r in records])
    return {
        "rows": [event_row(ctx, r, r.event.id in unread) for r in records],
        "filters": filters,
        "filtered": bool(filters.query()),
        "total": total,
        "cameras": [(c.id, c.name or c.id) for c in visible],
        "types": [str(t) for t in EventType],
        "statuses": [str(s) for s in OperatorStatus],
        "pager": pager("/events", filters.query(), page, pages),
        "error": "feed.bad_filter" if dropped else None,
        "unread": ctx.store.reads.count_unread(user.name, scope),
    }


@router.get("/events")
def events_page(request: Request, user: Viewer) -> Response:
    return render(request, "events.html", user, **_feed(request, user))


@router.get("/events/rows")
def events_rows(request: Request, user: Viewer) -> Response:
    """The feed's table body alone (same filters and page): the page's script swaps it in when the live stream
    reports a change."""
    feed = _feed(request, user)
    response = render(request, "event_rows.html", user, **feed)
    response.headers["X-Unread"] = str(feed["unread"])  # the page's unread count follows the rows
    return response


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: str, user: Viewer) -> Response:
    ctx = ctx_of(request)
    record = ctx.store.get_event(event_id)
    scope = camera_scope(ctx, user)
    if record is None or (scope is not None and record.event.camera_id not in scope):
        return render(request, "error.html", user, status_code=404, message="event.not_found")
    ctx.store.reads.mark_read(user.name, event_id)  # opened: no longer unread for this user
    camera = record.event.camera_id
    actions = [
        {"action": str(a.action), "actor": a.actor, "note": a.note, "time": local_time(ctx, a.time, camera)}
        for a in ctx.store.list_actions(event_id)
    ]
    return render(request, "event.html", user, event=event_row(ctx, record), actions=actions)
