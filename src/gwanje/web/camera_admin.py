"""Administration of cameras (admin role only): list, add, edit, disable, delete, test connection, draw zones and
tripwires.

The pages are forms whose buttons call the API (``/api/cameras``, ``PATCH``/``DELETE /api/cameras/{id}``,
``POST /api/cameras/{id}/test``, ``PUT /api/cameras/{id}/zones/{name}``, ``PUT``/``DELETE
/api/cameras/{id}/lines/{name}``) with the session's CSRF token; each change applies at once to that camera only and survives a restart (see ``runtime.registry``). The source URL with its
credentials is shown only here, to admins, and never logged.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gwanje.api.auth import Role
from gwanje.api.routers.lines import camera_lines
from gwanje.api.routers.zones import ZONE_RULE_TYPES, camera_zones
from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.events import EventTypeName
from gwanje.config.schedule import WEEKDAYS
from gwanje.core.health import StreamState
from gwanje.store.accounts import UserRecord
from gwanje.web.cluster_pages import camera_nodes
from gwanje.web.rule_fields import rule_form
from gwanje.web.support import ctx_of, need, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[UserRecord, need(Role.ADMIN)]
EVENT_TYPES: tuple[str, ...] = get_args(EventTypeName)


def event_tuning(request: Request, camera: CameraConfig | None) -> dict[str, dict[str, Any]]:
    """Each event type's tuning as the camera uses it (its override, else the global one, else the default): the form
    shows threshold and on/off and sends back the whole tuning of the types changed, so nothing else of it moves."""
    app = ctx_of(request).config
    subject = camera or CameraConfig(id="new", source=SourceConfig(url="new"))  # a new camera: no override yet
    return {kind: app.tuning_for(subject, kind).model_dump(mode="json") for kind in EVENT_TYPES}


@router.get("/admin/cameras")
def cameras_page(request: Request, user: Admin) -> Response:
    ctx = ctx_of(request)
    states = {s.camera_id: s for s in ctx.camera_status()}
    cluster = ctx.cluster_status()
    nodes = camera_nodes(cluster) if cluster is not None else {}
    cameras = []
    for cam in ctx.camera_list():
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
                "zones": len(cam.zones),
                "rules": len(cam.rules),
                "running": cam.enabled,
                "node": nodes.get(cam.id),
            }
        )
    return render(request, "cameras.html", user, cameras=cameras, cluster=cluster is not None)


def _form(request: Request, user: UserRecord, camera: CameraConfig | None) -> Response:
    ctx = ctx_of(request)
    values: dict[str, Any] = {
        "id": "",
        "name": "",
        "enabled": True,
        "url": "",
        "transport": "tcp",
        "loop": False,
        "fps": 5.0,
        "detectors": ["fire_smoke"],
        "sensitivity": 1.0,
        "rules": "[]",
        "rule_forms": [],
        "schedule": {"timezone": None, "windows": []},
    }
    if camera is not None:
        values = {
            "id": camera.id,
            "name": camera.name or "",
            "enabled": camera.enabled,
            "url": camera.source.url,
            "transport": camera.source.transport,
            "loop": camera.source.loop,
            "fps": camera.analysis_fps,
            "detectors": list(camera.detectors),
            "sensitivity": camera.sensitivity,
            "schedule": camera.schedule.model_dump(mode="json"),
            "rules": json.dumps(
                [{"type": r.type} | r.model_dump(mode="json", exclude_defaults=True) for r in camera.rules],
                ensure_ascii=False,
                indent=1,
            ),
            "rule_forms": [rule_form(r) for r in camera.rules],
        }
    return render(
        request,
        "camera_form.html",
        user,
        camera=values,
        new=camera is None,
        title=camera.name or camera.id if camera else "",
        detectors=sorted(ctx.config.detectors),
        tuning=event_tuning(request, camera),
        weekdays=WEEKDAYS,
    )


@router.get("/admin/cameras/new")
def new_camera_page(request: Request, user: Admin) -> Response:
    return _form(request, user, None)


@router.get("/admin/cameras/{camera_id}")
def edit_camera_page(request: Request, camera_id: str, user: Admin) -> Response:
    camera = ctx_of(request).camera(camera_id)
    if camera is None:
        return render(request, "error.html", user, status_code=404, message="live.no_camera")
    return _form(request, user, camera)


@router.get("/admin/cameras/{camera_id}/zones")
def zones_page(request: Request, camera_id: str, user: Admin) -> Response:
    camera = ctx_of(request).camera(camera_id)
    if camera is None:
        return render(request, "error.html", user, status_code=404, message="live.no_camera")
    zones = camera_zones(camera)
    return render(
        request,
        "zones.html",
        user,
        camera={"id": camera.id, "name": camera.name or camera.id},
        zones=[z.model_dump() for z in zones.zones],
        lines=[line.model_dump() for line in camera_lines(camera).lines],
        yaml=zones.yaml,
        rule_types=ZONE_RULE_TYPES,
    )
