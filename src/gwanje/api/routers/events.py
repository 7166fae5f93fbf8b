"""``/api/events``: search, details, evidence (snapshot, clip) and alert deliveries."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import FileResponse

from gwanje.api.deps import Ctx, Viewer, ViewerQueryToken, client_of, event_or_404, file_response, media_file, unix
from gwanje.api.schemas import ActionOut, EventOut, EventPage, record_out
from gwanje.core.events import EventState, EventType
from gwanje.store.records import OperatorStatus
from gwanje.store.repo import MAX_PAGE

router = APIRouter(tags=["events"])

TIME_HELP = "ISO 8601 (UTC when no zone is given) or UNIX seconds."
DOWNLOAD_HELP = "true: save as a file (recorded as an export in the audit log)."


@router.get("/api/events", response_model=EventPage, summary="Events, newest first, with filters")
def list_events(
    ctx: Ctx,
    _who: Viewer,
    camera_id: Annotated[str | None, Query(description="Only this camera.")] = None,
    event_type: Annotated[EventType | None, Query(alias="type", description="Only this event type.")] = None,
    since: Annotated[dt.datetime | None, Query(description=f"Active at or after this time. {TIME_HELP}")] = None,
    until: Annotated[dt.datetime | None, Query(description=f"Started at or before this time. {TIME_HELP}")] = None,
    state: Annotated[EventState | None, Query(description="start/update: ongoing; end: finished.")] = None,
    status: Annotated[OperatorStatus | None, Query(description="Operator disposition.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> EventPage:
    filters: dict[str, Any] = {
        "camera_id": camera_id,
        "event_type": event_type,
        "since": unix(since),
        "until": unix(until),
        "state": state,
        "status": status,
    }
    records = ctx.store.list_events(**filters, limit=limit, offset=offset)
    return EventPage(
        items=[record_out(r) for r in records], total=ctx.store.count_events(**filters), limit=limit, offset=offset
    )


@router.get("/api/events/{event_id}", response_model=EventOut, summary="One event", responses={404: {}})
def get_event(event_id: str, ctx: Ctx, _who: Viewer) -> EventOut:
    return record_out(event_or_404(ctx, event_id))


@router.get("/api/events/{event_id}/actions", response_model=list[ActionOut], summary="Operator actions, oldest first")
def list_actions(event_id: str, ctx: Ctx, _who: Viewer) -> list[ActionOut]:
    event_or_404(ctx, event_id)
    return [ActionOut.of(a) for a in ctx.store.list_actions(event_id)]


@router.head("/api/events/{event_id}/snapshot.jpg", include_in_schema=False)
@router.get(
    "/api/events/{event_id}/snapshot.jpg",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}}}, 404: {}},
    summary="The event's snapshot (audited)",
)
def snapshot(
    event_id: str,
    request: Request,
    ctx: Ctx,
    who: Viewer,
    download: Annotated[bool, Query(description=DOWNLOAD_HELP)] = False,
) -> FileResponse:
    record = event_or_404(ctx, event_id)
    path = media_file(ctx, record.event.snapshot_path, "snapshot")
    if request.method == "GET":  # HEAD shows nothing
        action = "export" if download else "view_snapshot"
        ctx.store.audit(who.name, action, f"event:{event_id}:snapshot", client_of(request))
    name = f"{record.event.camera_id}_{event_id}.jpg" if download else None
    return file_response(path, "image/jpeg", name)


def _first_request_of_playback(request: Request) -> bool:
    """Players fetch a clip in many Range requests; only the one from the start is a new viewing."""
    if request.method != "GET":
        return False
    header = request.headers.get("range")
    return header is None or header.replace(" ", "").startswith("bytes=0-")


@router.head("/api/events/{event_id}/clip.mp4", include_in_schema=False)
@router.get(
    "/api/events/{event_id}/clip.mp4",
    response_class=FileResponse,
    responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "Partial content (Range)."}, 404: {}},
    summary="The event's MP4 clip; HTTP Range supported; ?token= accepted (audited)",
)
def clip(
    event_id: str,
    request: Request,
    ctx: Ctx,
    who: ViewerQueryToken,
    download: Annotated[bool, Query(description=DOWNLOAD_HELP)] = False,
) -> FileResponse:
    record = event_or_404(ctx, event_id)
    path = media_file(ctx, record.event.clip_path, "clip")
    if _first_request_of_playback(request):
        action = "export" if download else "view_clip"
        ctx.store.audit(who.name, action, f"event:{event_id}:clip", client_of(request))
    name = f"{record.event.camera_id}_{event_id}.mp4" if download else None
    return file_response(path, "video/mp4", name)


@router.get(
    "/api/events/{event_id}/deliveries",
    response_model=list[dict[str, Any]],
    summary="Alert deliveries of the event (webhooks, MQTT): status and attempts",
)
def deliveries(event_id: str, ctx: Ctx, _who: Viewer) -> list[dict[str, Any]]:
    event_or_404(ctx, event_id)
    return ctx.delivery_status(event_id)
