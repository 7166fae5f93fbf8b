"""Dependencies shared by the routers: the context, the caller, time parameters, media responses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.responses import FileResponse

from gwanje.api.auth import Principal, Role, require, require_with_query_token
from gwanje.api.context import ApiContext
from gwanje.store.records import EventRecord
from gwanje.store.repo import MAX_OFFSET, MAX_PAGE

MAX_TEXT = 200
"""Longest id or text filter accepted in a path or query (ids are UUIDs and short configured names)."""
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""No control characters (PostgreSQL refuses NUL in text; none belongs in an id or a name)."""


def get_ctx(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(get_ctx)]
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
ViewerQueryToken = Annotated[Principal, Depends(require_with_query_token(Role.VIEWER))]

EventId = Annotated[str, PathParam(max_length=MAX_TEXT, pattern=PRINTABLE, description="The event's id.")]
CameraId = Annotated[str, PathParam(max_length=MAX_TEXT, pattern=PRINTABLE, description="The camera's id.")]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Page size, 1 to {MAX_PAGE}.")]
Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description=f"Rows to skip, 0 to {MAX_OFFSET}.")]


def text_query(description: str) -> Any:
    """A short optional text filter (``Annotated[str | None, text_query(...)]``)."""
    return Query(max_length=MAX_TEXT, pattern=PRINTABLE, description=description)


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def unix(value: dt.datetime | None) -> float | None:
    """Seconds since the epoch; a time without a zone is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.timestamp()


def event_or_404(ctx: ApiContext, event_id: str) -> EventRecord:
    record = ctx.store.get_event(event_id)
    if record is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no event with id {event_id!r}")
    return record


def media_file(ctx: ApiContext, stored: str | None, what: str) -> Path:
    """The file behind a stored snapshot/clip path, or 404 saying why there is none."""
    path = ctx.media.resolve(stored) if stored else None
    if path is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"this event has no {what}" + (" any more (deleted by retention)" if stored else ""),
        )
    return path


def file_response(path: Path, media_type: str, download_name: str | None) -> FileResponse:
    """The file (HTTP Range supported); ``download_name`` makes browsers save it instead of showing it."""
    return FileResponse(
        path,
        media_type=media_type,
        filename=download_name,
        content_disposition_type="attachment" if download_name else "inline",
        headers={"Cache-Control": "private, no-store"},
    )
