"""``/api/live/frames``: the live wall's video, every shown camera over one streamed response.

Browsers open at most 6 connections to one server over HTTP/1.1, so a wall of 9 or 16 tiles cannot hold one MJPEG
stream (``/api/cameras/{id}/live.mjpeg``) per tile. This stream carries the frames of all the wall's cameras, each
part tagged with its camera (``X-Camera``) and the frame's decode time (``X-Frame-Time``): the same masked JPEGs from
the same shared producer per camera, at most ``PREVIEW_FPS`` frames a second per camera, each camera's newest frame
only (a slow reader skips frames, never queues them).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import AsyncGenerator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import StringConstraints

from gwanje.api.deps import MAX_TEXT, PRINTABLE, Ctx, ViewerQueryToken
from gwanje.api.live_video import BOUNDARY, PREVIEW_FPS, multipart_part
from gwanje.api.responses import AUTHENTICATED, errors
from gwanje.api.routers.cameras import audit_live_view
from gwanje.api.streaming import ClosingStreamingResponse

router = APIRouter(tags=["cameras"], responses=errors(*AUTHENTICATED))
MAX_CAMERAS = 16
"""The largest wall's tiles."""
AUDIT_CHECK_S = 1.0
"""How often a stream looks whether a camera's ``view_live`` entry is due (the throttle decides whether it is)."""

CameraName = Annotated[str, StringConstraints(max_length=MAX_TEXT, pattern=PRINTABLE)]


@router.get(
    "/api/live/frames",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {f"multipart/mixed; boundary={BOUNDARY}": {}},
            "description": "JPEG parts, each with X-Camera (the camera's id) and X-Frame-Time (when the camera's "
            "frame was decoded, UNIX seconds).",
        },
        **errors(404),
    },
    summary=f"Live video of several cameras over one stream (the live wall; at most {PREVIEW_FPS:g} fps each), "
    "people masked (audited like snapshots); ?token= accepted",
)
async def wall_frames(
    request: Request,
    ctx: Ctx,
    who: ViewerQueryToken,
    camera: Annotated[
        list[CameraName],
        Query(
            max_length=MAX_CAMERAS,
            description=f"The cameras to show (repeat the parameter, at most {MAX_CAMERAS}); those the caller may "
            f"not see are left out. None: the first {MAX_CAMERAS} cameras the caller may see.",
        ),
    ] = [],  # noqa: B006 - FastAPI copies a default, never shares it
) -> StreamingResponse:
    visible = [c.id for c in ctx.camera_list() if who.sees(c.id)]
    shown = [c for c in dict.fromkeys(camera) if c in visible] if camera else visible[:MAX_CAMERAS]
    if not shown:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "none of these cameras exists")

    async def body() -> AsyncGenerator[bytes, None]:
        yield f"--{BOUNDARY}\r\n".encode()
        next_audit: dict[str, float] = {}
        async with contextlib.aclosing(ctx.live.many(shown, masked=True)) as frames:
            async for camera_id, frame in frames:
                if time.monotonic() >= next_audit.get(camera_id, 0.0):
                    await run_in_threadpool(audit_live_view, request, ctx, who, camera_id, False, "")
                    next_audit[camera_id] = time.monotonic() + AUDIT_CHECK_S
                yield multipart_part(frame, camera_id)

    return ClosingStreamingResponse(
        body(),
        media_type=f"multipart/mixed; boundary={BOUNDARY}",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
