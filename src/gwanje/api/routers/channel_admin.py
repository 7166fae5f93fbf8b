"""Alert channels changed by administrators while the service runs: add, change (merge patch), delete a webhook or
Apprise channel.

Every change goes through ``AlertService.save_channel`` / ``delete_channel``: validated with the configuration's own
models (422 with the reason, never the value sent), stored in ``<data_dir>/channel-overrides.json`` over the YAML,
applied at once to that channel only, and written to the audit log (``channel_save``, ``channel_delete``). Webhook
URLs, HMAC secrets, header values and Apprise URLs hold tokens: no answer, page, log line or audit entry repeats them,
and a change that leaves such a field empty keeps the stored value. MQTT is configured in the file only.
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, HTTPException, Request, Response, status
from pydantic import Field, ValidationError

from gwanje.alerts.service import AlertService
from gwanje.api.context import ApiContext
from gwanje.api.deps import Admin, Ctx, client_of
from gwanje.api.responses import AUTHENTICATED, BODY, errors
from gwanje.api.routers.channels import ChannelName, ChannelOut
from gwanje.config.alerts import AppriseConfig, WebhookConfig
from gwanje.config.managed import validation_reason
from gwanje.config.managed_channels import (
    MODELS,
    SECRET_FIELDS,
    ChannelConfig,
    ChannelExists,
    UnknownChannel,
    channel_key,
    kind_of,
    plain,
)
from gwanje.core.secrets import mask_url

router = APIRouter(tags=["channels"], responses=errors(*AUTHENTICATED))


class WebhookIn(WebhookConfig):
    kind: Literal["webhook"] = Field(description="A webhook channel, named webhook:<name>.")


class AppriseIn(AppriseConfig):
    kind: Literal["apprise"] = Field(description="An Apprise channel, named apprise:<name>.")


NewChannel = Annotated[WebhookIn | AppriseIn, Field(discriminator="kind")]


def _service(ctx: ApiContext) -> AlertService:
    if ctx.alerts is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "alert delivery does not run in this process")
    return ctx.alerts


def _unprocessable(reason: str) -> HTTPException:
    return HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, mask_url(f"not a valid channel: {reason}"))


def _out(alerts: AlertService, name: str) -> ChannelOut:
    return ChannelOut(**next(r for r in alerts.channel_status() if r["name"] == name))


def _summary(old: dict[str, Any] | None, new: ChannelConfig) -> str:
    """Audit detail: the fields that changed; those holding tokens by name only."""
    values = plain(new)
    secret = SECRET_FIELDS[kind_of(new)]
    changed = {k: v for k, v in values.items() if old is None or old.get(k) != v}
    shown = {k: v for k, v in changed.items() if k not in secret}
    hidden = sorted(k for k in changed if k in secret and (old is not None or values[k]))
    return json.dumps({**shown, **({"changed_secrets": hidden} if hidden else {})}, ensure_ascii=False)[:4000]


def _save(alerts: AlertService, config: ChannelConfig, new: bool) -> None:
    try:
        alerts.save_channel(config, new)
    except ChannelExists as error:
        raise HTTPException(status.HTTP_409_CONFLICT, str(error)) from None
    except UnknownChannel:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no channel named {channel_key(config)!r}") from None
    except ValueError as error:  # Apprise does not understand a URL (the message names its scheme only)
        raise _unprocessable(str(error)) from None


@router.post(
    "/api/channels",
    response_model=ChannelOut,
    status_code=status.HTTP_201_CREATED,
    responses=errors(409, *BODY),
    summary="Add a webhook or Apprise channel; it receives the next event at once (admin; audited)",
)
def add_channel(body: Annotated[NewChannel, Body()], request: Request, ctx: Ctx, who: Admin) -> ChannelOut:
    alerts = _service(ctx)
    model = MODELS[body.kind]
    config = model.model_validate({k: getattr(body, k) for k in model.model_fields})
    _save(alerts, config, new=True)
    name = channel_key(config)
    ctx.store.audit(who.name, "channel_save", f"channel:{name}", client_of(request), detail=_summary(None, config))
    return _out(alerts, name)


def _with_secrets_kept(old: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The patch with each empty token field (``""``; Apprise ``urls`` ``[]``; a header's ``""``) taken from ``old``."""
    out = dict(patch)
    for key in ("url", "secret"):
        if out.get(key) == "":
            del out[key]
    if out.get("urls") == []:
        del out["urls"]
    elif isinstance(out.get("urls"), list):
        stored = old.get("urls") or []
        out["urls"] = [stored[i] if u == "" and i < len(stored) else u for i, u in enumerate(out["urls"])]
    if isinstance(out.get("headers"), dict):
        stored_headers = old.get("headers") or {}
        out["headers"] = {k: stored_headers.get(k, v) if v == "" else v for k, v in out["headers"].items()}
    return out


@router.patch(
    "/api/channels/{name}",
    response_model=ChannelOut,
    responses=errors(404, *BODY),
    summary="Change a webhook or Apprise channel (the keys sent) at once (admin; audited)",
)
def update_channel(
    name: ChannelName,
    body: Annotated[
        dict[str, Any],
        Body(
            description="The keys to change, as in the configuration file, each replaced as a whole (lists, schedule, headers), e.g. "
            '{"event_types": ["fire"], "cameras": ["gate"]}. A token field sent empty keeps its stored value: url, '
            'secret, urls [] (or one entry ""), a header value "". The name cannot change.'
        ),
    ],
    request: Request,
    ctx: Ctx,
    who: Admin,
) -> ChannelOut:
    alerts = _service(ctx)
    current = alerts.managed.get(name)
    if current is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no webhook or Apprise channel named {name!r}")
    if body.get("name", current.name) != current.name:
        raise _unprocessable("the name of a channel cannot change (add a new channel and delete this one)")
    old = plain(current)
    try:
        config = MODELS[kind_of(current)].model_validate({**old, **_with_secrets_kept(old, body)})
    except ValidationError as error:
        raise _unprocessable(validation_reason(error)) from None
    _save(alerts, config, new=False)
    ctx.store.audit(who.name, "channel_save", f"channel:{name}", client_of(request), detail=_summary(old, config))
    return _out(alerts, name)


@router.delete(
    "/api/channels/{name}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    responses=errors(404),
    summary="Delete a webhook or Apprise channel; its undelivered messages are marked failed (admin; audited)",
)
def delete_channel(name: ChannelName, request: Request, ctx: Ctx, who: Admin) -> Response:
    alerts = _service(ctx)
    try:
        dropped = alerts.delete_channel(name)
    except UnknownChannel:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no webhook or Apprise channel named {name!r}") from None
    detail = f"{dropped} undelivered message(s) marked failed"
    ctx.store.audit(who.name, "channel_delete", f"channel:{name}", client_of(request), detail=detail)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
