"""The alert channels page (admin role only): each channel, where it sends (without secrets), its filters, its last
delivery and a "Send test" button that calls ``POST /api/channels/{name}/test``; a form adds or changes a webhook or
Apprise channel (``POST /api/channels``, ``PATCH /api/channels/{name}``) and a button deletes one (``DELETE``). The
form never holds a stored token: its token fields start empty, and sent empty they keep the stored value."""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gwanje.api.auth import Role
from gwanje.config.events import EventTypeName
from gwanje.config.schedule import WEEKDAYS
from gwanje.store.accounts import UserRecord
from gwanje.web.support import ctx_of, local_time, need, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[UserRecord, need(Role.ADMIN)]


def _schedule_text(schedule: dict[str, Any] | None) -> str:
    if not schedule:
        return ""
    windows = [
        f"{','.join(w['days']) if len(w['days']) < 7 else '*'} {w['start'][:5]}-{w['end'][:5]}"
        for w in schedule["windows"]
    ]
    return "; ".join(windows) + (f" ({schedule['timezone']})" if schedule.get("timezone") else "")


@router.get("/admin/channels")
def channels_page(request: Request, user: Admin) -> Response:
    ctx = ctx_of(request)
    rows = ctx.alerts.channel_status() if ctx.alerts is not None else []
    channels = []
    for row in rows:
        last = row["last_message"]
        test = row["last_test"]
        filters = row["filters"]
        channels.append(
            {
                **row,
                "types": filters.get("event_types") or [],
                "cameras": filters.get("cameras") or [],
                "states": filters.get("states")
                if filters.get("states") not in (None, ["start", "update", "end"])
                else [],
                "hours": _schedule_text(filters.get("schedule")),
                "last_time": local_time(ctx, last["last_attempt_at"] or last["created_at"], "") if last else "",
                "test_time": local_time(ctx, test["at"], "") if test else "",
            }
        )
    return render(
        request,
        "channels.html",
        user,
        channels=channels,
        event_types=get_args(EventTypeName),
        cameras=[c.id for c in ctx.camera_list()],
        weekdays=WEEKDAYS,
    )
