"""Cameras changed by administrators while the service runs: add, change (merge patch), delete, test connection.

Every change goes through ``ApiContext.cameras`` (the runtime's camera registry in the service): it is validated with
the configuration's own models (422 with the reason), stored so that it survives a restart, applied to that camera
only, and written to the audit log (``camera_add``, ``camera_update``, ``camera_delete``, ``camera_test``). Source
URLs are masked in every answer but ``GET /api/cameras/{id}/config`` (admins), and never logged.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import cv2
from fastapi import APIRouter, Body, HTTPException, Request, Response, status
from pydantic import BaseModel, Field, ValidationError

from gwanje.api.context import ApiContext
from gwanje.api.deps import Admin, CameraId, Ctx, client_of
from gwanje.api.responses import AUTHENTICATED, BODY, errors
from gwanje.api.schemas import CameraOut
from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.managed import CameraChangeError, CameraExists, UnknownCamera, validation_reason
from gwanje.core.health import StreamStats
from gwanje.core.secrets import mask_url
from gwanje.ingest.probe import ProbeFailed, ProbeTimeout, grab_frame

router = APIRouter(tags=["cameras"], responses=errors(*AUTHENTICATED))
MAX_PROBE_S = 30.0


class ProbeIn(BaseModel):
    source: SourceConfig | None = Field(
        default=None, description="Test this source instead of the camera's stored one (e.g. a URL being edited)."
    )
    timeout_s: float = Field(default=10.0, gt=0.0, le=MAX_PROBE_S, description="Give up after this long.")


def _out(ctx: ApiContext, camera: CameraConfig) -> CameraOut:
    stats = next((s for s in ctx.camera_status() if s.camera_id == camera.id), None) or StreamStats(camera.id)
    return CameraOut.of(camera.id, camera.name, camera.enabled, mask_url(camera.source.url), stats)


def current_camera(ctx: ApiContext, camera_id: str) -> CameraConfig:
    """The camera as it is now, or 404 (admins: every camera)."""
    camera = ctx.camera(camera_id)
    if camera is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera with id {camera_id!r}")
    return camera


def _unprocessable(reason: str) -> HTTPException:
    """422 with the configuration's reason; a URL it quotes (even from a field it does not belong in) is masked."""
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, mask_url(f"not a valid camera: {reason}"))


def with_changes(camera: CameraConfig, changed: dict[str, Any]) -> CameraConfig:
    """``camera`` with ``changed`` fields (zones, rules), validated as a whole; 422 (URL masked) when refused."""
    try:
        return CameraConfig.model_validate({**camera.model_dump(mode="json"), **changed})
    except ValidationError as error:
        raise _unprocessable(validation_reason(error)) from None


def _summary(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    """Audit detail: what changed (the source URLs masked)."""
    changed = {k: v for k, v in new.items() if old is None or old.get(k) != v}
    if isinstance(changed.get("source"), dict):
        source = {**changed["source"], "url": mask_url(str(changed["source"].get("url", "")))}
        if source.get("record_url"):
            source["record_url"] = mask_url(str(source["record_url"]))
        changed["source"] = source
    return json.dumps(changed, ensure_ascii=False, sort_keys=True)[:4000]


def apply_update(ctx: ApiContext, camera: CameraConfig) -> None:
    """Store and apply a changed camera (shared with the zone routes); 404 / 422 as HTTP errors."""
    try:
        ctx.camera_control.update(camera)
    except UnknownCamera:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera with id {camera.id!r}") from None
    except CameraChangeError as error:
        raise _unprocessable(str(error)) from None


@router.post(
    "/api/cameras",
    response_model=CameraOut,
    status_code=status.HTTP_201_CREATED,
    responses=errors(409, *BODY),
    summary="Add a camera and start it at once (admin; audited)",
)
def add_camera(body: CameraConfig, request: Request, ctx: Ctx, who: Admin) -> CameraOut:
    try:
        ctx.camera_control.add(body)
    except CameraExists as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    except CameraChangeError as error:
        raise _unprocessable(str(error)) from None
    detail = _summary(None, body.model_dump(mode="json", exclude_defaults=True))
    ctx.store.audit(who.name, "camera_add", f"camera:{body.id}", client_of(request), detail=detail)
    return _out(ctx, body)


@router.get(
    "/api/cameras/{camera_id}/config",
    response_model=CameraConfig,
    responses=errors(404),
    summary="The camera's whole configuration, source credentials included (admin)",
)
def camera_config(camera_id: CameraId, ctx: Ctx, _who: Admin) -> CameraConfig:
    return current_camera(ctx, camera_id)


@router.patch(
    "/api/cameras/{camera_id}",
    response_model=CameraOut,
    responses=errors(404, *BODY),
    summary="Change a camera (JSON merge patch of its configuration) and restart only it (admin; audited)",
)
def update_camera(
    camera_id: CameraId,
    body: Annotated[
        dict[str, Any],
        Body(
            description="The keys to change, as in the configuration file (nested objects are merged, lists "
            'replaced), e.g. {"enabled": false} or {"source": {"url": "rtsp://..."}}. The id cannot change.'
        ),
    ],
    request: Request,
    ctx: Ctx,
    who: Admin,
) -> CameraOut:
    current = current_camera(ctx, camera_id)
    if body.get("id", camera_id) != camera_id:
        raise _unprocessable("the id of a camera cannot change (add a new camera and delete this one)")
    old = current.model_dump(mode="json")
    try:
        camera = CameraConfig.model_validate(_merge(old, body))
    except ValidationError as error:
        raise _unprocessable(validation_reason(error)) from None
    apply_update(ctx, camera)
    detail = _summary(old, camera.model_dump(mode="json"))
    ctx.store.audit(who.name, "camera_update", f"camera:{camera_id}", client_of(request), detail=detail)
    return _out(ctx, camera)


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        return {**base, **{k: _merge(base.get(k), v) for k, v in patch.items()}}
    return patch


@router.delete(
    "/api/cameras/{camera_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
    summary="Stop and delete a camera; its events stay (admin; audited)",
)
def delete_camera(camera_id: CameraId, request: Request, ctx: Ctx, who: Admin) -> Response:
    try:
        ctx.camera_control.delete(camera_id)
    except UnknownCamera:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no camera with id {camera_id!r}") from None
    ctx.store.audit(who.name, "camera_delete", f"camera:{camera_id}", client_of(request))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/api/cameras/{camera_id}/test",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The source's first frame (people masked)."},
        **errors(404, 409, *BODY, 502, 504),
    },
    summary="Test connection: open the source, return its first frame or why not (admin; audited)",
)
def test_camera(
    camera_id: CameraId, request: Request, ctx: Ctx, who: Admin, body: Annotated[ProbeIn | None, Body()] = None
) -> Response:
    probe = body or ProbeIn()
    source = probe.source or current_camera(ctx, camera_id).source
    ctx.store.audit(who.name, "camera_test", f"camera:{camera_id}", client_of(request), detail=mask_url(source.url))
    try:
        image = grab_frame(source, probe.timeout_s)
    except ProbeTimeout as error:
        raise HTTPException(status.HTTP_504_GATEWAY_TIMEOUT, f"camera source: {error}") from None
    except ProbeFailed as error:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, f"camera source: {error}") from None
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 85])
    if not ok:
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "camera source: the frame could not be encoded")
    try:
        jpeg = ctx.masker.mask_live_jpeg(bytes(data.tobytes()), f"test:{camera_id}")
    except ValueError as error:
        raise HTTPException(status.HTTP_500_INTERNAL_SERVER_ERROR, str(error)) from error
    return Response(jpeg, media_type="image/jpeg", headers={"Cache-Control": "no-store"})
