"""The live wall: every camera the user may see as a grid of tiles (1, 4, 9 or 16 a page), and one camera's view.

Tiles show the camera's live video, its health and how many of its alerts nobody has acknowledged yet. The wall
plays all its cameras over one stream, ``/api/live/frames`` (browsers open at most 6 connections to one server over
HTTP/1.1, fewer than a 9- or 16-tile wall would need with one MJPEG stream a tile); a camera's own view plays its
MJPEG stream ``/api/cameras/{id}/live.mjpeg``. People are masked; both write the ``view_live`` audit entry once per
user and camera per ``api.live_view_audit_s``. Cameras with such alerts come first. A user below admin sees only the cameras of
their camera groups (``gwanje.store.groups``); another camera's page is 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from gwanje.api.auth import Role
from gwanje.api.context import ApiContext
from gwanje.config.camera import CameraConfig
from gwanje.core.health import StreamState
from gwanje.store.accounts import UserRecord
from gwanje.store.records import OperatorStatus
from gwanje.web.event_pages import event_row
from gwanje.web.support import camera_scope, ctx_of, need, pager, render

router = APIRouter(include_in_schema=False)
Viewer = Annotated[UserRecord, need(Role.VIEWER)]
LAYOUTS = (1, 4, 9, 16)
DEFAULT_LAYOUT = 4
RECENT_EVENTS = 20
HEALTH_STATES = tuple(str(s) for s in StreamState)


def visible_cameras(ctx: ApiContext, user: UserRecord) -> list[CameraConfig]:
    """The cameras ``user`` may see: those of their camera groups (admins, and everyone while no group exists: all)."""
    scope = camera_scope(ctx, user)
    return [c for c in ctx.camera_list() if scope is None or c.id in scope]


def camera_tiles(ctx: ApiContext, user: UserRecord) -> list[dict[str, object]]:
    """One dict per visible camera: id, name, health state and unacknowledged alerts; alerting cameras first."""
    states = {s.camera_id: s.state for s in ctx.camera_status()}
    tiles: list[dict[str, object]] = []
    for cam in visible_cameras(ctx, user):
        state = StreamState.DISABLED if not cam.enabled else states.get(cam.id, StreamState.CONNECTING)
        open_alerts = ctx.store.count_events(camera_id=cam.id, status=str(OperatorStatus.NEW))
        tiles.append({"id": cam.id, "name": cam.name or cam.id, "state": str(state), "open": open_alerts})
    tiles.sort(key=lambda tile: tile["open"] == 0)  # stable: alerting cameras first, otherwise config order
    return tiles


@router.get("/live")
def wall_page(
    request: Request,
    user: Viewer,
    layout: Annotated[int, Query()] = DEFAULT_LAYOUT,
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    layout = layout if layout in LAYOUTS else DEFAULT_LAYOUT
    tiles = camera_tiles(ctx_of(request), user)
    pages = max(1, -(-len(tiles) // layout))
    page = min(page, pages)
    shown = tiles[(page - 1) * layout : page * layout]
    columns = {1: 1, 4: 2, 9: 3, 16: 4}[layout]
    return render(
        request,
        "live.html",
        user,
        tiles=shown,
        layout=layout,
        layouts=LAYOUTS,
        columns=columns,
        health_states=HEALTH_STATES,
        pager=pager("/live", {"layout": str(layout)}, page, pages),
    )


@router.get("/live/state")
def wall_state(request: Request, user: Viewer) -> Response:
    """Health and unacknowledged alerts of every visible camera, for the wall's script (polled and on new events)."""
    return JSONResponse({"cameras": camera_tiles(ctx_of(request), user)}, headers={"Cache-Control": "no-store"})


@router.get("/live/{camera_id}")
def camera_page(request: Request, camera_id: str, user: Viewer) -> Response:
    ctx = ctx_of(request)
    tile = next((t for t in camera_tiles(ctx, user) if t["id"] == camera_id), None)
    if tile is None:
        return render(request, "error.html", user, status_code=404, message="live.no_camera")
    rows = [event_row(ctx, r) for r in ctx.store.list_events(camera_id=camera_id, limit=RECENT_EVENTS)]
    return render(request, "camera.html", user, tile=tile, rows=rows, health_states=HEALTH_STATES)
