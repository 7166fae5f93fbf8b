"""``/api/channels``: the alert channels with their last delivery, and "send test" (admins)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request, status
from pydantic import BaseModel, Field

from gwanje.api.deps import Admin, Ctx, client_of
from gwanje.api.responses import AUTHENTICATED, BODY, errors

router = APIRouter(tags=["channels"], responses=errors(*AUTHENTICATED))
ChannelName = Annotated[
    str,
    Path(
        min_length=1,
        max_length=200,
        pattern=r"^[^\x00-\x1f\x7f/]+$",
        description="The channel's name: webhook:<name>, apprise:<name> or mqtt.",
    ),
]


class ChannelOut(BaseModel):
    name: str = Field(description="webhook:<name>, apprise:<name> or mqtt; names stored messages.")
    kind: str = Field(description="webhook, apprise or mqtt.")
    label: str
    targets: list[str] = Field(description="Where it sends, without secrets (Apprise: the URL schemes only).")
    filters: dict[str, Any] = Field(description="event_types, states, cameras, schedule; empty: everything.")
    settings: dict[str, Any] = Field(
        description="Webhook: signed, header names, timeout_s; Apprise: how many URLs, title_prefix; MQTT (not "
        "editable here): empty. Tokens are never shown."
    )
    pending: int = Field(description="Messages stored and not yet delivered.")
    last_message: dict[str, Any] | None = Field(description="The newest message and its delivery status.")
    last_test: dict[str, Any] | None = Field(description="The last 'send test' since the start: ok, at, error.")


class TestResultOut(BaseModel):
    channel: str
    ok: bool = Field(description="The receiver took the test message.")
    error: str | None = Field(description="Why not, without secrets.")


@router.get("/api/channels", response_model=list[ChannelOut], summary="Alert channels and their last delivery (admin)")
def list_channels(ctx: Ctx, _who: Admin) -> list[ChannelOut]:
    rows = ctx.alerts.channel_status() if ctx.alerts is not None else []
    return [ChannelOut(**r) for r in rows]


@router.post(
    "/api/channels/{name}/test",
    response_model=TestResultOut,
    responses=errors(404, 409, *BODY),
    summary="Send a test message to one channel now (admin; audited)",
)
def send_test(name: ChannelName, request: Request, ctx: Ctx, who: Admin) -> TestResultOut:
    """Sends a test message (``"test": true``, camera ``gwanje-test``) at once, outside the outbox and the channel's
    filters, and answers whether the receiver took it. 200 either way; ``ok`` and ``error`` say how it went."""
    if ctx.alerts is None or ctx.alerts.channel(name) is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no alert channel named {name!r}")
    outcome = ctx.alerts.send_test(name)
    detail = "delivered" if outcome.ok else f"failed: {outcome.error}"
    ctx.store.audit(who.name, "channel_test", f"channel:{name}", client_of(request), detail=detail)
    return TestResultOut(channel=name, ok=outcome.ok, error=outcome.error)
