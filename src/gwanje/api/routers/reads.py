"""Unread per caller: ``/api/events/unread`` (how many), ``/api/events/{id}/read``, ``/api/events/read-all``.

An alert is unread for a caller (a web user, or an API token by its name) until that caller opens it (the web app's
alert page does) or marks all read; see ``gwanje.store.reads``. Only alerts of the cameras the caller may see count.
Registered before ``/api/events/{event_id}``, which would otherwise take ``unread`` for an event id.
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gwanje.api.auth import Principal
from gwanje.api.context import ApiContext
from gwanje.api.deps import Ctx, EventId, Viewer, event_or_404
from gwanje.api.responses import ACTION, AUTHENTICATED, BODY, errors

router = APIRouter(tags=["events"], responses=errors(*AUTHENTICATED))


class UnreadOut(BaseModel):
    count: int = Field(description="Alerts unread for the caller, among the cameras the caller may see.")


def unread_out(ctx: ApiContext, who: Principal) -> UnreadOut:
    return UnreadOut(count=ctx.store.reads.count_unread(who.name, who.cameras))


@router.get("/api/events/unread", response_model=UnreadOut, summary="How many alerts are unread for the caller")
def unread(ctx: Ctx, who: Viewer) -> UnreadOut:
    return unread_out(ctx, who)


@router.post(
    "/api/events/{event_id}/read",
    response_model=UnreadOut,
    summary="The alert is read for the caller (it opened it); answers the caller's unread count",
    responses=errors(*ACTION),
)
def read(event_id: EventId, ctx: Ctx, who: Viewer) -> UnreadOut:
    event_or_404(ctx, event_id, who)
    ctx.store.reads.mark_read(who.name, event_id)
    return unread_out(ctx, who)


@router.post(
    "/api/events/read-all",
    response_model=UnreadOut,
    summary="Every alert so far is read for the caller",
    responses=errors(409, *BODY),
)
def read_all(ctx: Ctx, who: Viewer) -> UnreadOut:
    ctx.store.reads.mark_all_read(who.name)
    return unread_out(ctx, who)
