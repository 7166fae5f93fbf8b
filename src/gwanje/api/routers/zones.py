"""``/api/cameras/{id}/zones``: zones drawn in the web app (admins), kept as drafts for the configuration.

The running service does not change a camera's zones without a restart yet (see ``gwanje.api.zone_drafts``):
saving validates the zone like the configuration does, stores the draft, writes a ``zone_save`` audit entry and
returns the camera's ``zones:`` YAML with the drafts applied.
"""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field, ValidationError

from gwanje.api.deps import Admin, CameraId, Ctx, client_of
from gwanje.api.responses import AUTHENTICATED, errors
from gwanje.api.routers.cameras import camera_or_404
from gwanje.api.zone_drafts import ZoneDrafts, merged_zones, zones_yaml
from gwanje.config.camera import ZoneConfig

router = APIRouter(tags=["zones"], responses=errors(*AUTHENTICATED, 404))
ZoneName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^/\s][^/]*$")]


class ZoneIn(BaseModel):
    polygon: list[tuple[float, float]] = Field(description="At least 3 [x, y] points, each 0..1 of the frame.")


class ZoneOut(BaseModel):
    name: str
    polygon: list[tuple[float, float]]
    draft: bool = Field(description="Saved in the web app, not yet in the configuration.")


class CameraZones(BaseModel):
    camera_id: str
    zones: list[ZoneOut] = Field(description="The configured zones with the drafts applied.")
    yaml: str = Field(description="The camera's 'zones:' to paste into the configuration.")


def _zones(request: Request, ctx: Ctx, camera_id: str) -> CameraZones:
    camera = camera_or_404(ctx, camera_id)
    drafts: ZoneDrafts = request.app.state.zone_drafts
    mine = drafts.of(camera_id)
    zones = [ZoneOut(name=n, polygon=p, draft=n in mine) for n, p in merged_zones(camera, mine)]
    return CameraZones(camera_id=camera_id, zones=zones, yaml=zones_yaml(camera, mine))


@router.get("/api/cameras/{camera_id}/zones", response_model=CameraZones, summary="Zones with drafts (admin)")
def list_zones(camera_id: CameraId, request: Request, ctx: Ctx, _who: Admin) -> CameraZones:
    return _zones(request, ctx, camera_id)


@router.put(
    "/api/cameras/{camera_id}/zones/{name}",
    response_model=CameraZones,
    responses=errors(413),
    summary="Save a drawn zone as a draft (admin; audited)",
)
def save_zone(camera_id: CameraId, name: ZoneName, body: ZoneIn, request: Request, ctx: Ctx, who: Admin) -> CameraZones:
    camera_or_404(ctx, camera_id)
    try:
        zone = ZoneConfig(name=name, polygon=body.polygon)
    except ValidationError as error:
        detail = "; ".join(e["msg"] for e in error.errors())
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"not a valid zone: {detail}") from None
    drafts: ZoneDrafts = request.app.state.zone_drafts
    polygon = drafts.save(camera_id, zone)
    target = f"camera:{camera_id}:zone:{name}"
    ctx.store.audit(who.name, "zone_save", target, client_of(request), detail=json.dumps(polygon))
    return _zones(request, ctx, camera_id)


@router.delete("/api/cameras/{camera_id}/zones/{name}", response_model=CameraZones, summary="Drop a draft (admin)")
def delete_zone(camera_id: CameraId, name: ZoneName, request: Request, ctx: Ctx, who: Admin) -> CameraZones:
    camera_or_404(ctx, camera_id)
    drafts: ZoneDrafts = request.app.state.zone_drafts
    if not drafts.delete(camera_id, name):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} has no draft zone {name!r}")
    ctx.store.audit(who.name, "zone_delete", f"camera:{camera_id}:zone:{name}", client_of(request))
    return _zones(request, ctx, camera_id)
