"""Administration of cameras (admin role only): each camera with its health and source, and drawing its zones.

Cameras come from the YAML configuration and the runtime cannot add, change or disable one while it runs, so this
page shows them (the source URL with its credentials only here, to admins; it is never logged) and says where to
change them. Zones are drawn on the camera's live frame and saved as drafts through ``/api/cameras/{id}/zones``,
which also gives the YAML to put into the configuration.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gwanje.api.auth import Role
from gwanje.api.zone_drafts import ZoneDrafts, merged_zones, zones_yaml
from gwanje.core.health import StreamState
from gwanje.store.accounts import UserRecord
from gwanje.web.support import ctx_of, need, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[UserRecord, need(Role.ADMIN)]


def _drafts(request: Request) -> ZoneDrafts:
    drafts: ZoneDrafts = request.app.state.zone_drafts
    return drafts


@router.get("/admin/cameras")
def cameras_page(request: Request, user: Admin) -> Response:
    ctx = ctx_of(request)
    states = {s.camera_id: s for s in ctx.camera_status()}
    cameras = []
    for cam in ctx.config.cameras:
        stats = states.get(cam.id)
        state = StreamState.DISABLED if not cam.enabled else stats.state if stats else StreamState.CONNECTING
        cameras.append(
            {
                "id": cam.id,
                "name": cam.name or cam.id,
                "enabled": cam.enabled,
                "state": str(state),
                "error": stats.last_error if stats else None,
                "url": cam.source.url,
                "zones": len(merged_zones(cam, _drafts(request).of(cam.id))),
                "rules": len(cam.rules),
            }
        )
    return render(request, "cameras.html", user, cameras=cameras)


@router.get("/admin/cameras/{camera_id}/zones")
def zones_page(request: Request, camera_id: str, user: Admin) -> Response:
    ctx = ctx_of(request)
    camera = next((c for c in ctx.config.cameras if c.id == camera_id), None)
    if camera is None:
        return render(request, "error.html", user, status_code=404, message="live.no_camera")
    drafts = _drafts(request).of(camera_id)
    zones = [{"name": n, "polygon": p, "draft": n in drafts} for n, p in merged_zones(camera, drafts)]
    return render(
        request,
        "zones.html",
        user,
        camera={"id": camera.id, "name": camera.name or camera.id},
        zones=zones,
        yaml=zones_yaml(camera, drafts),
    )
