"""Dependencies shared by the routers: the context, the caller, time parameters, media responses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
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


TIME_PATTERN = r"^(\d{1,12}(\.\d{1,6})?|\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?)?)$"
"""UNIX seconds (``1764028800``, ``1764028800.5``) or ISO 8601 (``2026-11-25``, ``2026-11-25T09:00:00+09:00``)."""
MAX_UNIX = 253402300799.0
"""9999-12-31T23:59:59Z, the last time ISO 8601 can write."""


def time_query(description: str) -> Any:
    """A time filter: ISO 8601 or UNIX seconds, both declared in the schema (``Annotated[str | None, ...]``)."""
    return Query(
        max_length=40,
        json_schema_extra={"pattern": TIME_PATTERN},  # checked by ``unix``, with a message people can read
        description=f"{description} ISO 8601 (UTC when no zone is given) or UNIX seconds (0 to {MAX_UNIX:.0f}).",
        examples=["2026-11-25T09:00:00+09:00", "1764028800"],
    )


def unix(value: str | None, name: str) -> float | None:
    """Seconds since the epoch of a ``time_query`` value; 422 when it is not a time."""
    if value is None:
        return None
    try:
        if not re.fullmatch(TIME_PATTERN, value):
            seconds = -1.0
        elif "-" not in value:
            seconds = float(value)
        else:
            parsed = dt.datetime.fromisoformat(value)
            seconds = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).timestamp()
    except (ValueError, OverflowError):
        seconds = -1.0
    if not 0.0 <= seconds <= MAX_UNIX:
        problem = {
            "type": "value_error",
            "loc": ("query", name),
            "msg": f"{name} must be ISO 8601 (2026-11-25T09:00:00+09:00) or UNIX seconds, from 1970 to 9999",
        }
        raise RequestValidationError([problem])
    return seconds


def event_or_404(ctx: ApiContext, event_id: str, who: Principal) -> EventRecord:
    """The event, or 404 when there is none or it is of a camera ``who`` may not see (no hint that it exists)."""
    record = ctx.store.get_event(event_id)
    if record is None or not who.sees(record.event.camera_id):
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
