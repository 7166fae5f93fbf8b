"""``/api/events``: search, details, evidence (snapshot, clip) and alert deliveries."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import FileResponse, Response

from gwanje.api.deps import (
    Ctx,
    EventId,
    Limit,
    Offset,
    Viewer,
    ViewerQueryToken,
    client_of,
    event_or_404,
    file_response,
    media_file,
    text_query,
    time_query,
    unix,
)
from gwanje.api.masking import check_unmask
from gwanje.api.responses import AUTHENTICATED, errors
from gwanje.api.schemas import ActionOut, EventOut, EventPage, record_out
from gwanje.core.events import EventState, EventType
from gwanje.store.records import OperatorStatus

router = APIRouter(tags=["events"], responses=errors(*AUTHENTICATED))

DOWNLOAD_HELP = "true: save as a file (recorded as an export in the audit log)."
UNMASK_HELP = "true: without the privacy mask on people; admins only, with a reason (recorded in the audit log)."
MAX_REASON = 500


@router.get("/api/events", response_model=EventPage, summary="Events, newest first, with filters")
def list_events(
    ctx: Ctx,
    who: Viewer,
    camera_id: Annotated[str | None, text_query("Only this camera.")] = None,
    event_type: Annotated[EventType | None, Query(alias="type", description="Only this event type.")] = None,
    since: Annotated[str | None, time_query("Active at or after this time.")] = None,
    until: Annotated[str | None, time_query("Started at or before this time.")] = None,
    state: Annotated[EventState | None, Query(description="start/update: ongoing; end: finished.")] = None,
    status: Annotated[OperatorStatus | None, Query(description="Operator disposition.")] = None,
    min_confidence: Annotated[float | None, Query(ge=0.0, le=1.0, description="Peak confidence at least this.")] = None,
    q: Annotated[
        str | None,
        text_query(
            "Search: part of the camera's id or name, the zone, the label or an operator's note, or the start of "
            "the event's id (any case)."
        ),
    ] = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> EventPage:
    filters: dict[str, Any] = {
        "camera_id": camera_id,
        "event_type": event_type,
        "since": unix(since, "since"),
        "until": unix(until, "until"),
        "state": state,
        "status": status,
        "min_confidence": min_confidence,
        "camera_ids": who.cameras,  # only the cameras of the caller's groups
        "text": q or None,
        "text_cameras": [c.id for c in ctx.camera_list() if q and c.name and q.casefold() in c.name.casefold()],
    }
    records = ctx.store.list_events(**filters, limit=limit, offset=offset)
    return EventPage(
        items=[record_out(r) for r in records], total=ctx.store.count_events(**filters), limit=limit, offset=offset
    )


@router.get("/api/events/{event_id}", response_model=EventOut, summary="One event", responses=errors(404))
def get_event(event_id: EventId, ctx: Ctx, who: Viewer) -> EventOut:
    return record_out(event_or_404(ctx, event_id, who))


@router.get(
    "/api/events/{event_id}/actions",
    response_model=list[ActionOut],
    summary="Operator actions, oldest first",
    responses=errors(404),
)
def list_actions(event_id: EventId, ctx: Ctx, who: Viewer) -> list[ActionOut]:
    event_or_404(ctx, event_id, who)
    return [ActionOut.of(a) for a in ctx.store.list_actions(event_id)]


@router.head("/api/events/{event_id}/snapshot.jpg", include_in_schema=False)
@router.get(
    "/api/events/{event_id}/snapshot.jpg",
    response_class=Response,
    responses={200: {"content": {"image/jpeg": {}}}, **errors(400, 404)},
    summary="The event's snapshot, people masked unless an admin unmasks with a reason (audited)",
)
def snapshot(
    event_id: EventId,
    request: Request,
    ctx: Ctx,
    who: Viewer,
    download: Annotated[bool, Query(description=DOWNLOAD_HELP)] = False,
    unmask: Annotated[bool, Query(description=UNMASK_HELP)] = False,
    reason: Annotated[str, Query(max_length=MAX_REASON, description="Why unmasking is needed (required).")] = "",
) -> Response:
    record = event_or_404(ctx, event_id, who)
    check_unmask(who, unmask, reason)
    path = media_file(ctx, record.event.snapshot_path, "snapshot")
    if request.method == "GET":  # HEAD shows nothing
        target, client = f"event:{event_id}:snapshot", client_of(request)
        if unmask:
            ctx.store.audit(who.name, "unmask", target, client, detail=reason.strip())
        ctx.store.audit(who.name, "export" if download else "view_snapshot", target, client)
    name = f"{record.event.camera_id}_{event_id}.jpg" if download else None
    if unmask:
        return file_response(path, "image/jpeg", name)
    try:
        body = ctx.masker.mask_jpeg(path.read_bytes(), record.event)
    except ValueError as error:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from error
    disposition = f'attachment; filename="{name}"' if name else "inline"
    headers = {"Cache-Control": "private, no-store", "Content-Disposition": disposition}
    return Response(body, media_type="image/jpeg", headers=headers)


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
    responses={
        200: {"content": {"video/mp4": {}}},
        206: {"description": "Partial content (Range)."},
        **errors(400, 403, 404),
    },
    summary="The event's MP4 clip, people masked unless an admin unmasks with a reason; HTTP Range supported; "
    "?token= accepted (audited)",
)
def clip(
    event_id: EventId,
    request: Request,
    ctx: Ctx,
    who: ViewerQueryToken,
    download: Annotated[bool, Query(description=DOWNLOAD_HELP)] = False,
    unmask: Annotated[bool, Query(description=UNMASK_HELP)] = False,
    reason: Annotated[str, Query(max_length=MAX_REASON, description="Why unmasking is needed (required).")] = "",
) -> FileResponse:
    record = event_or_404(ctx, event_id, who)
    check_unmask(who, unmask, reason)
    path = media_file(ctx, record.event.clip_path, "clip")
    if _first_request_of_playback(request):
        target, client = f"event:{event_id}:clip", client_of(request)
        if unmask:
            ctx.store.audit(who.name, "unmask", target, client, detail=reason.strip())
        ctx.store.audit(who.name, "export" if download else "view_clip", target, client)
    if not unmask:
        try:
            path = ctx.clips.masked(path, event_id)  # the first request masks it (seconds); later ones reuse it
        except ValueError as error:
            raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from error
    name = f"{record.event.camera_id}_{event_id}.mp4" if download else None
    return file_response(path, "video/mp4", name)


@router.get(
    "/api/events/{event_id}/deliveries",
    response_model=list[dict[str, Any]],
    summary="Alert deliveries of the event (webhooks, MQTT): status and attempts",
    responses=errors(404),
)
def deliveries(event_id: EventId, ctx: Ctx, who: Viewer) -> list[dict[str, Any]]:
    event_or_404(ctx, event_id, who)
    return ctx.delivery_status(event_id)
