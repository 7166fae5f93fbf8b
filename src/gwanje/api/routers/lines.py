"""``/api/cameras/{id}/lines``: tripwires drawn in the web app (admins), applied to the running camera at once.

A tripwire is the camera's ``line_crossing`` rule of that name (``config.rules.LineCrossingRuleConfig``): saving one
sets its line and direction (its labels and schedule stay as they were, defaults for a new one), validates the whole
camera like the configuration does (422 with the reason), changes the camera through ``ApiContext.cameras`` (stored,
only that camera restarts) and writes a ``line_save`` audit entry; ``DELETE`` removes the rule (``line_delete``).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field

from gwanje.api.deps import Admin, CameraId, Ctx, client_of
from gwanje.api.responses import AUTHENTICATED, BODY, errors
from gwanje.api.routers.camera_admin import apply_update, current_camera, with_changes
from gwanje.config.camera import CameraConfig
from gwanje.config.rules import LineCrossingRuleConfig

router = APIRouter(tags=["zones"], responses=errors(*AUTHENTICATED, 404))
LineName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[^/\s][^/]*$")]
Direction = Literal["any", "a_to_b", "b_to_a"]
DIGITS = 4
"""Coordinates are rounded to this many decimals, as zones' are."""


class LineIn(BaseModel):
    line: list[tuple[float, float]] = Field(description="The two points [[x1, y1], [x2, y2]], each 0..1 of the frame.")
    direction: Direction = Field(
        default="any",
        description="Which crossings count: a_to_b is from the left to the right of someone walking from the first "
        "point to the second, as seen on screen; b_to_a the other way; any both.",
    )


class LineOut(BaseModel):
    name: str
    line: list[tuple[float, float]]
    direction: Direction


class CameraLines(BaseModel):
    camera_id: str
    lines: list[LineOut] = Field(description="The camera's tripwires (line_crossing rules), as it uses them.")


def camera_lines(camera: CameraConfig) -> CameraLines:
    lines = [
        LineOut(name=r.name, line=list(r.line), direction=r.direction)
        for r in camera.rules
        if isinstance(r, LineCrossingRuleConfig)
    ]
    return CameraLines(camera_id=camera.id, lines=lines)


def _is_line(rule: dict[str, Any], name: str) -> bool:
    return rule.get("type") == "line_crossing" and rule.get("name") == name


def _with_rules(camera: CameraConfig, rules: list[dict[str, Any]]) -> CameraConfig:
    return with_changes(camera, {"rules": rules})


@router.get("/api/cameras/{camera_id}/lines", response_model=CameraLines, summary="The camera's tripwires (admin)")
def list_lines(camera_id: CameraId, ctx: Ctx, _who: Admin) -> CameraLines:
    return camera_lines(current_camera(ctx, camera_id))


@router.put(
    "/api/cameras/{camera_id}/lines/{name}",
    response_model=CameraLines,
    responses=errors(*BODY),
    summary="Save a tripwire (its line_crossing rule, new or changed); the camera uses it at once (admin; audited)",
)
def save_line(camera_id: CameraId, name: LineName, body: LineIn, request: Request, ctx: Ctx, who: Admin) -> CameraLines:
    camera = current_camera(ctx, camera_id)
    line = [(round(x, DIGITS), round(y, DIGITS)) for x, y in body.line]
    rules: list[dict[str, Any]] = [r.model_dump(mode="json") for r in camera.rules]
    changed = {"line": line, "direction": body.direction}
    if any(_is_line(r, name) for r in rules):
        rules = [{**r, **changed} if _is_line(r, name) else r for r in rules]
    else:
        rules.append({"type": "line_crossing", "name": name, **changed})
    updated = _with_rules(camera, rules)
    apply_update(ctx, updated)
    detail = json.dumps(changed)
    ctx.store.audit(who.name, "line_save", f"camera:{camera_id}:line:{name}", client_of(request), detail=detail)
    return camera_lines(updated)


@router.delete(
    "/api/cameras/{camera_id}/lines/{name}",
    response_model=CameraLines,
    summary="Delete a tripwire; the camera stops watching it at once (admin; audited)",
)
def delete_line(camera_id: CameraId, name: LineName, request: Request, ctx: Ctx, who: Admin) -> CameraLines:
    camera = current_camera(ctx, camera_id)
    rules: list[dict[str, Any]] = [r.model_dump(mode="json") for r in camera.rules]
    if not any(_is_line(r, name) for r in rules):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"camera {camera_id!r} has no tripwire {name!r}")
    updated = _with_rules(camera, [r for r in rules if not _is_line(r, name)])
    apply_update(ctx, updated)
    ctx.store.audit(who.name, "line_delete", f"camera:{camera_id}:line:{name}", client_of(request))
    return camera_lines(updated)
