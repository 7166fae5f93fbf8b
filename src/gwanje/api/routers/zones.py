"""``/api/cameras/{id}/zones``: zones drawn in the web app (admins), applied to the running camera at once.

Saving a zone validates it like the configuration does (``ZoneConfig``, then the whole ``CameraConfig``), changes the
camera through ``ApiContext.cameras`` (stored, so it survives a restart; only that camera restarts), writes a
``zone_save`` audit entry and returns the zones with the camera's ``zones:`` YAML, for those who keep their
configuration file in step. A zone that a rule names cannot be deleted (422 with the rule).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, get_args

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field, ValidationError

from gwanje.api.deps import Admin, CameraId, Ctx, client_of
from gwanje.api.responses import AUTHENTICATED, BODY, errors
from gwanje.api.routers.camera_admin import apply_update, current_camera, with_changes
from gwanje.config.camera import CameraConfig, ZoneConfig
from gwanje.config.rules import RuleConfig
from gwanje.core.secrets import mask_url

router = APIRouter(tags=["zones"], responses=errors(*AUTHENTICATED, 404))
ZoneName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^/\s][^/]*$")]
DIGITS = 4
"""Coordinates are rounded to this many decimals (a 4K frame is 3840 wide: 1e-4 is under half a pixel)."""


def _zone_rule_types() -> list[str]:
    """Rule types that watch one zone (their configuration requires ``zone``), e.g. intrusion and loitering."""
    kinds = get_args(get_args(RuleConfig)[0])
    return [
        str(k.model_fields["type"].default)
        for k in kinds
        if k.model_fields.get("zone", None) and k.model_fields["zone"].is_required()
    ]


ZONE_RULE_TYPES = _zone_rule_types()


class ZoneIn(BaseModel):
    polygon: list[tuple[float, float]] = Field(description="At least 3 [x, y] points, each 0..1 of the frame.")
    rules: list[str] | None = Field(
        default=None,
        max_length=len(ZONE_RULE_TYPES),
        description=f"Rule types that watch this zone after the save, with their defaults (of {ZONE_RULE_TYPES}); "
        "rules of this zone of other types are removed. Absent: the camera's rules stay as they are.",
    )


class ZoneOut(BaseModel):
    name: str
    polygon: list[tuple[float, float]]
    rules: list[str] = Field(description="Types of the camera's rules that watch this zone.")


class CameraZones(BaseModel):
    camera_id: str
    zones: list[ZoneOut] = Field(description="The camera's zones, as the running camera uses them.")
    yaml: str = Field(description="The camera's 'zones:' as configuration YAML.")


def zones_yaml(camera: CameraConfig) -> str:
    """The camera's ``zones:``, to keep a configuration file in step (the running camera uses them already)."""
    lines = [f"# camera {camera.id}", "zones:"]
    for zone in camera.zones:
        points = ", ".join(f"[{x:.{DIGITS}g}, {y:.{DIGITS}g}]" for x, y in zone.polygon)
        lines += [f"  - name: {json.dumps(zone.name, ensure_ascii=False)}", f"    polygon: [{points}]"]
    return "\n".join(lines) + "\n"


def zone_rules(camera: CameraConfig, zone: str) -> list[str]:
    return [str(r.type) for r in camera.rules if getattr(r, "zone", None) == zone]


def camera_zones(camera: CameraConfig) -> CameraZones:
    zones = [ZoneOut(name=z.name, polygon=list(z.polygon), rules=zone_rules(camera, z.name)) for z in camera.zones]
    return CameraZones(camera_id=camera.id, zones=zones, yaml=zones_yaml(camera))


def _zone_rules(camera: CameraConfig, zone: str, kinds: list[str] | None) -> list[dict[str, Any]]:
    """The camera's rules, with those watching ``zone`` set to ``kinds`` (kept as they are when None)."""
    rules: list[dict[str, Any]] = [r.model_dump(mode="json") for r in camera.rules]
    if kinds is None:
        return rules
    unknown = sorted(set(kinds) - set(ZONE_RULE_TYPES))
    if unknown:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            mask_url(f"rules {unknown} do not watch a zone; use {ZONE_RULE_TYPES}"),
        )
    kept = [r for r in rules if r.get("zone") != zone or r["type"] in kinds]
    have = {r["type"] for r in kept if r.get("zone") == zone}
    return kept + [{"type": kind, "zone": zone} for kind in kinds if kind not in have]


def _with_zones(
    camera: CameraConfig, zones: list[ZoneConfig], rules: list[dict[str, Any]] | None = None
) -> CameraConfig:
    changed = {"zones": [z.model_dump() for z in zones]} | ({} if rules is None else {"rules": rules})
    return with_changes(camera, changed)


@router.get("/api/cameras/{camera_id}/zones", response_model=CameraZones, summary="The camera's zones (admin)")
def list_zones(camera_id: CameraId, ctx: Ctx, _who: Admin) -> CameraZones:
    return camera_zones(current_camera(ctx, camera_id))


@router.put(
    "/api/cameras/{camera_id}/zones/{name}",
    response_model=CameraZones,
    responses=errors(*BODY),
    summary="Save a zone (new or replacing the one of that name); the camera uses it at once (admin; audited)",
)
def save_zone(camera_id: CameraId, name: ZoneName, body: ZoneIn, request: Request, ctx: Ctx, who: Admin) -> CameraZones:
    camera = current_camera(ctx, camera_id)
    polygon = [(round(x, DIGITS), round(y, DIGITS)) for x, y in body.polygon]
    try:
        zone = ZoneConfig(name=name, polygon=polygon)
    except ValidationError as error:
        detail = "; ".join(e["msg"] for e in error.errors())
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, mask_url(f"not a valid zone: {detail}")) from None
    zones = [zone if z.name == name else z for z in camera.zones]
    if all(z.name != name for z in camera.zones):
        zones.append(zone)
    changed = _with_zones(camera, zones, _zone_rules(camera, name, body.rules))
    apply_update(ctx, changed)
    target = f"camera:{camera_id}:zone:{name}"
    detail = json.dumps({"polygon": polygon, "rules": zone_rules(changed, name)})
    ctx.store.audit(who.name, "zone_save", target, client_of(request), detail=detail)
    return camera_zones(changed)


@router.delete(
    "/api/cameras/{camera_id}/zones/{name}",
    response_model=CameraZones,
    summary="Delete a zone no rule watches; the camera stops using it at once (admin; audited)",
)
def delete_zone(camera_id: CameraId, name: ZoneName, request: Request, ctx: Ctx, who: Admin) -> CameraZones:
    camera = current_camera(ctx, camera_id)
    if all(z.name != name for z in camera.zones):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} has no zone {name!r}")
    changed = _with_zones(camera, [z for z in camera.zones if z.name != name])
    apply_update(ctx, changed)
    ctx.store.audit(who.name, "zone_delete", f"camera:{camera_id}:zone:{name}", client_of(request))
    return camera_zones(changed)
