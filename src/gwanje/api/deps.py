"""Dependencies shared by the routers: the context, the caller, time parameters, media responses."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.responses import FileResponse

from gwanje.api.auth import Principal, Role, require, require_with_query_token
from gwanje.api.context import ApiContext
from gwanje.store.records import EventRecord


def get_ctx(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx


Ctx = Annotated[ApiContext, Depends(get_ctx)]
Viewer = Annotated[Principal, Depends(require(Role.VIEWER))]
Operator = Annotated[Principal, Depends(require(Role.OPERATOR))]
Admin = Annotated[Principal, Depends(require(Role.ADMIN))]
ViewerQueryToken = Annotated[Principal, Depends(require_with_query_token(Role.VIEWER))]


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
