"""``/api/events/stream`` (Server-Sent Events) and ``/api/events/ws`` (WebSocket): live messages.

Each message is JSON with a ``kind``: ``event`` (an engine event, same shape as GET
/api/events/{id}), ``status`` (an operator action) or ``dropped`` (this client was too slow and
missed ``count`` messages: reload the list).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, HTTPException, WebSocket, WebSocketDisconnect, status
from fastapi.responses import StreamingResponse

from gwanje.api.auth import Principal, Role, TooManyWrongTokens
from gwanje.api.context import ApiContext
from gwanje.api.deps import Ctx, ViewerQueryToken
from gwanje.api.live import BroadcasterClosed, Message, Subscription
from gwanje.api.responses import AUTHENTICATED, errors

router = APIRouter(tags=["live"], responses=errors(*AUTHENTICATED))


def _sse(message: Message) -> str:
    kind = str(message.get("kind", "event"))
    return f"event: {kind}\ndata: {json.dumps(message, default=str)}\n\n"


async def _messages(sub: Subscription, keepalive_s: float) -> AsyncIterator[Message | None]:
    """Messages as they come (None on idle), with a ``dropped`` notice after any loss."""
    while True:
        message = await sub.next(keepalive_s)
        missed = sub.take_missed()
        if missed:
            yield {"kind": "dropped", "count": missed}
        yield message


def visible_to(message: Message, who: Principal) -> bool:
    """Whether a live message is about a camera ``who`` may see (notices about no camera go to everyone)."""
    camera = message.get("camera_id")
    if camera is None and isinstance(message.get("event"), dict):
        camera = message["event"].get("camera_id")
    return camera is None or who.sees(str(camera))


@router.get(
    "/api/events/stream",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
    summary="Live events as Server-Sent Events; ?token= accepted (EventSource cannot set headers)",
)
async def stream(ctx: Ctx, who: ViewerQueryToken) -> StreamingResponse:
    try:
        sub = ctx.broadcaster.subscribe()
    except BroadcasterClosed:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the server is shutting down") from None
    keepalive = ctx.config.api.live_keepalive_s

    async def body() -> AsyncIterator[str]:
        try:
            yield "retry: 3000\n: connected\n\n"
            async for message in _messages(sub, keepalive):
                if message is None:
                    yield ": keepalive\n\n"
                elif visible_to(message, who):
                    yield _sse(message)
        except BroadcasterClosed:
            return
        finally:
            sub.close()

    return StreamingResponse(
        body(), media_type="text/event-stream", headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    )


def _ws_principal_ok(ctx: ApiContext, websocket: WebSocket) -> bool:
    header = websocket.headers.get("authorization", "")
    presented = header[7:] if header.lower().startswith("bearer ") else websocket.query_params.get("token")
    if not presented:
        return False
    try:
        principal = ctx.auth.authenticate(presented, websocket.client.host if websocket.client else None)
    except TooManyWrongTokens:
        return False
    return principal is not None and principal.role >= Role.VIEWER


@router.websocket("/api/events/ws")
async def websocket_stream(websocket: WebSocket) -> None:
    """The same messages as JSON text frames (token in the Authorization header or ?token=)."""
    ctx: ApiContext = websocket.app.state.ctx
    if not _ws_principal_ok(ctx, websocket):
        await websocket.close(code=1008, reason="missing or invalid token")
        return
    try:
        sub = ctx.broadcaster.subscribe()
    except BroadcasterClosed:
        await websocket.close(code=1001, reason="the server is shutting down")
        return
    await websocket.accept()
    try:
        async for message in _messages(sub, ctx.config.api.live_keepalive_s):
            payload: dict[str, Any] = message if message is not None else {"kind": "keepalive"}
            await websocket.send_text(json.dumps(payload, default=str))
    except (WebSocketDisconnect, BroadcasterClosed):
        pass
    finally:
        sub.close()
