"""Cheap checks before a request body is read: who is calling, and how big the body may be.

FastAPI reads (and parses) a request's body before it runs the endpoint's dependencies, so without this a
stranger's 400 MB POST is held in memory before it is told its token is missing. ``RequestGuard`` is a plain
ASGI middleware in front of the app:

* a POST/PUT/PATCH/DELETE to ``/api/`` without a valid bearer token or web session is answered 401 at once;
  nothing of its body is read (429 with Retry-After once its address has sent too many wrong tokens);
* a body whose ``Content-Length`` is over ``api.max_body_bytes`` is answered 413 at once;
* a body without a length (chunked) is counted as it is read, and 413 is answered as soon as it passes the limit,
  so at most ``max_body_bytes`` (plus one network chunk) is ever held.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from gwanje.api.auth import SESSION_COOKIE, TooManyWrongTokens
from gwanje.api.context import ApiContext

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
API_PREFIX = "/api/"
MISSING_TOKEN = "missing token: send the header 'Authorization: Bearer <token>'"


def too_large_message(limit: int) -> str:
    return f"request body too large: at most {limit} bytes are accepted (api.max_body_bytes)"


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).decode("latin-1")
    return None


def _cookie(scope: Scope, name: str) -> str | None:
    raw = _header(scope, b"cookie")
    if not raw:
        return None
    for part in raw.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


async def _answer(send: Send, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    raw.append((b"connection", b"close"))  # the unread rest of the body is not waited for
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


class RequestGuard:
    """ASGI middleware: authentication and size checks before the body is read (see the module doc)."""

    def __init__(self, app: Asgi, ctx: ApiContext) -> None:
        self.app = app
        self.ctx = ctx
        self.max_body_bytes = ctx.config.api.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        try:
            refused = await self._unauthenticated(scope) if path.startswith(API_PREFIX) else None
        except TooManyWrongTokens as error:
            await _answer(send, 429, str(error), {"Retry-After": str(error.retry_after_s)})
            return
        if refused is not None:
            await _answer(send, 401, refused, {"WWW-Authenticate": "Bearer"})
            return
        limit = self.max_body_bytes
        length = _header(scope, b"content-length")
        if length is not None and (not length.strip().isdigit() or int(length) > limit):
            await _answer(send, 413 if length.strip().isdigit() else 400, too_large_message(limit))
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413, too_large_message(limit))
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except HTTPException as exc:  # raised outside FastAPI's handlers (e.g. a mounted app)
            if exc.status_code != 413 or started:
                raise
            await _answer(send, 413, too_large_message(limit))

    async def _unauthenticated(self, scope: Scope) -> str | None:
        """Why the caller is refused, or None for a valid bearer token or web session (the endpoint still checks
        the role and, for sessions, the CSRF token)."""
        header = _header(scope, b"authorization") or ""
        scheme, _, token = header.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            client = scope.get("client")
            principal = self.ctx.auth.authenticate(token.strip(), str(client[0]) if client else None)
            return None if principal is not None else "invalid token"
        session = _cookie(scope, SESSION_COOKIE)
        if session and await run_in_threadpool(self.ctx.accounts.session_user, session) is not None:
            return None
        return MISSING_TOKEN
