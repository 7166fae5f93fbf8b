"""``/api/cameras``: configured cameras with live stream statistics, and their latest frame."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import AsyncGenerator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from gwanje.api.auth import Principal
from gwanje.api.context import ApiContext
from gwanje.api.deps import CameraId, Ctx, Viewer, client_of
from gwanje.api.live_video import BOUNDARY, PREVIEW_FPS, multipart_part
from gwanje.api.masking import check_unmask
from gwanje.api.responses import AUTHENTICATED, errors
from gwanje.api.schemas import CameraOut
from gwanje.api.streaming import ClosingStreamingResponse
from gwanje.config.camera import CameraConfig
from gwanje.core.health import StreamStats
from gwanje.core.secrets import mask_url

router = APIRouter(tags=["cameras"], responses=errors(*AUTHENTICATED))


class AuditThrottle:
    """Lets one (user, target) through at most once per interval, so a dashboard polling a live
    snapshot every second writes one audit row per viewing session instead of thousands."""

    def __init__(self, interval_s: float) -> None:
        self._interval = interval_s
        self._last: dict[tuple[str, str], float] = {}
        self._lock = threading.Lock()

    def should_record(self, actor: str, target: str) -> bool:
        now = time.monotonic()
        with self._lock:
            last = self._last.get((actor, target))
            if last is not None and now - last < self._interval:
                return False
            self._last[(actor, target)] = now
            return True


def audit_live_view(
    request: Request, ctx: ApiContext, who: Principal, camera_id: str, unmask: bool, reason: str
) -> None:
    """``view_live`` (and ``unmask`` with the reason) at most once per user, camera and ``api.live_view_audit_s``."""
    target, client = f"camera:{camera_id}", client_of(request)
    throttle: AuditThrottle = request.app.state.live_view_throttle
    if unmask and throttle.should_record(who.name, f"{target}:unmask:{reason.strip()}"):
        ctx.store.audit(who.name, "unmask", target, client, detail=reason.strip())
    if throttle.should_record(who.name, target):
        ctx.store.audit(who.name, "view_live", target, client)


def _camera_out(cam: CameraConfig, stats: dict[str, StreamStats]) -> CameraOut:
    return CameraOut.of(
        cam.id, cam.name, cam.enabled, mask_url(cam.source.url), stats.get(cam.id) or StreamStats(cam.id)
    )


def camera_or_404(ctx: ApiContext, camera_id: str, who: Principal | None = None) -> CameraConfig:
    """The camera, or 404 when there is none or ``who`` may not see it (not 403: ids of others' cameras stay hidden)."""
    for cam in ctx.camera_list():
        if cam.id == camera_id and (who is None or who.sees(cam.id)):
            return cam
    raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera with id {camera_id!r}")


@router.get("/api/cameras", response_model=list[CameraOut], summary="Cameras with their stream state")
def list_cameras(ctx: Ctx, who: Viewer) -> list[CameraOut]:
    stats = {s.camera_id: s for s in ctx.camera_status()}
    return [_camera_out(cam, stats) for cam in ctx.camera_list() if who.sees(cam.id)]


@router.get("/api/cameras/{camera_id}", response_model=CameraOut, summary="One camera", responses=errors(404))
def get_camera(camera_id: CameraId, ctx: Ctx, who: Viewer) -> CameraOut:
    cam = camera_or_404(ctx, camera_id, who)
    return _camera_out(cam, {s.camera_id: s for s in ctx.camera_status()})


@router.get(
    "/api/cameras/{camera_id}/snapshot.jpg",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}},
        **errors(400, 403, 404),
    },
    summary="JPEG of the camera's latest frame, people masked unless an admin unmasks with a reason (live view; audited)",
)
def latest_snapshot(
    camera_id: CameraId,
    request: Request,
    ctx: Ctx,
    who: Viewer,
    unmask: Annotated[bool, Query(description="true: without the privacy mask; admins only, with a reason.")] = False,
    reason: Annotated[str, Query(max_length=500, description="Why unmasking is needed (required).")] = "",
) -> Response:
    camera_or_404(ctx, camera_id, who)
    check_unmask(who, unmask, reason)
    jpeg = ctx.latest_snapshot(camera_id)
    if jpeg is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} has no frame yet")
    audit_live_view(request, ctx, who, camera_id, unmask, reason)
    if not unmask:
        try:
            jpeg = ctx.masker.mask_live_jpeg(jpeg, camera_id)
        except ValueError as error:
            raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from error
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})


@router.get(
    "/api/cameras/{camera_id}/live.mjpeg",
    response_class=StreamingResponse,
    responses={
        200: {
            "content": {f"multipart/x-mixed-replace; boundary={BOUNDARY}": {}},
            "description": "JPEG parts, each with X-Frame-Time (when the camera's frame was decoded, UNIX seconds).",
        },
        **errors(400, 403, 404),
    },
    summary=f"Live video (MJPEG, at most {PREVIEW_FPS:g} fps), people masked unless an admin unmasks with a reason "
    "(audited like snapshots)",
)
async def live_stream(
    camera_id: CameraId,
    request: Request,
    ctx: Ctx,
    who: Viewer,
    unmask: Annotated[bool, Query(description="true: without the privacy mask; admins only, with a reason.")] = False,
    reason: Annotated[str, Query(max_length=500, description="Why unmasking is needed (required).")] = "",
) -> StreamingResponse:
    camera_or_404(ctx, camera_id, who)
    check_unmask(who, unmask, reason)

    async def body() -> AsyncGenerator[bytes, None]:
        yield f"--{BOUNDARY}\r\n".encode()
        next_audit = 0.0
        async with contextlib.aclosing(ctx.live.frames(camera_id, masked=not unmask)) as frames:
            async for frame in frames:
                # throttled like the snapshots (one entry per viewing session, again after live_view_audit_s), and
                # looked at once a second at most rather than with every frame
                if time.monotonic() >= next_audit:
                    await run_in_threadpool(audit_live_view, request, ctx, who, camera_id, unmask, reason)
                    next_audit = time.monotonic() + 1.0
                yield multipart_part(frame)

    return ClosingStreamingResponse(
        body(),
        media_type=f"multipart/x-mixed-replace; boundary={BOUNDARY}",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
