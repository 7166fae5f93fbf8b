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


_YEAR = r"(?:[1-9]\d{3}|0[1-9]\d{2}|00[1-9]\d|000[1-9])"
_LEAP_YEAR = r"(?:\d{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DATE = (
    rf"(?:{_YEAR}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    rf"|02-(?:0[1-9]|1\d|2[0-8]))|{_LEAP_YEAR}-02-29)"
)
_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,6})?)?"
_ZONE = r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)"
TIME_PATTERN = rf"^(?:\d{{1,12}}(?:\.\d{{1,6}})?|{_DATE}(?:[T ]{_TIME}{_ZONE}?)?)$"
"""UNIX seconds (``1764028800``, ``1764028800.5``) or ISO 8601 (``2026-11-25``, ``2026-11-25T09:00:00+09:00``).

Exactly the calendar's dates (leap years included), so that every value the schema allows is a time: a fuzzer or
a client generating from the schema never meets a 422 for a value the schema declares valid."""
MAX_UNIX = 253402300799.0
"""9999-12-31T23:59:59Z, the last time ISO 8601 can write; later times (and times before 1970) are clamped."""


def time_query(description: str) -> Any:
    """A time filter: ISO 8601 or UNIX seconds, both declared in the schema (``Annotated[str | None, ...]``)."""
    return Query(
        max_length=40,
        json_schema_extra={"pattern": TIME_PATTERN},  # checked by ``unix``, with a message people can read
        description=f"{description} ISO 8601 (UTC when no zone is given) or UNIX seconds; times before 1970 count "
        f"as 1970, after 9999 as 9999 ({MAX_UNIX:.0f}).",
        examples=["2026-11-25T09:00:00+09:00", "1764028800"],
    )


def unix(value: str | None, name: str) -> float | None:
    """Seconds since the epoch of a ``time_query`` value (clamped to 1970..9999); 422 when it is not a time."""
    if value is None:
        return None
    seconds: float | None = None
    if re.fullmatch(TIME_PATTERN, value, re.ASCII):  # \d as in the schema's (ECMA) regex: 0-9 only
        if value.replace(".", "").isdigit():
            seconds = float(value)
        else:
            parsed = dt.datetime.fromisoformat(value)  # the pattern admits only real dates and times
            seconds = (parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)).timestamp()
    if seconds is None:
        problem = {
            "type": "value_error",
            "loc": ("query", name),
            "msg": f"{name} must be a real date and time in ISO 8601 (2026-11-25T09:00:00+09:00) or UNIX seconds "
            "(at most 12 digits)",
        }
        raise RequestValidationError([problem])
    return min(max(seconds, 0.0), MAX_UNIX)


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
