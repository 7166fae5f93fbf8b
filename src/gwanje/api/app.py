"""``create_app``: the FastAPI application over an ``ApiContext``."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from gwanje import __version__
from gwanje.api.auth import install_access_log_redaction
from gwanje.api.context import ApiContext
from gwanje.api.docs_page import install_docs
from gwanje.api.errors import install_error_handlers
from gwanje.api.limits import RequestGuard
from gwanje.api.metrics import build_registry
from gwanje.api.routers import (
    actions,
    audit,
    camera_admin,
    cameras,
    channel_admin,
    channels,
    cluster,
    events,
    health,
    lines,
    live,
    live_wall,
    metrics,
    reads,
    zones,
)
from gwanje.core.errors import StorageError

DESCRIPTION = """Events, evidence, operator actions, live stream and metrics of a Gwanje deployment.

Every endpoint except `/api/health` needs `Authorization: Bearer <token>`. Roles: **viewer** reads,
**operator** also acknowledges/resolves/marks false alarms, **admin** also reads the audit log.
"""


def create_app(ctx: ApiContext) -> FastAPI:
    """The API application; all state lives in ``ctx`` (``app.state.ctx``)."""
    # Swagger UI and ReDoc load scripts from a CDN: /docs is a local page instead (api.docs_page)
    app = FastAPI(title="Gwanje", version=__version__, description=DESCRIPTION, docs_url=None, redoc_url=None)
    install_docs(app)
    app.state.ctx = ctx
    app.state.metrics_registry = build_registry(ctx)
    app.state.live_view_throttle = cameras.AuditThrottle(ctx.config.api.live_view_audit_s)
    # no body is read before the caller and the size are checked (CORS, added after, wraps it: its answers
    # carry the CORS headers too)
    app.add_middleware(RequestGuard, ctx=ctx)
    install_error_handlers(app)
    if ctx.config.api.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=ctx.config.api.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "Range"],
        )

    @app.exception_handler(StorageError)
    async def storage_unavailable(_request: Request, exc: StorageError) -> JSONResponse:
        return JSONResponse({"detail": f"storage unavailable: {exc}"}, status_code=503)

    # live and reads before events: /api/events/stream and /api/events/unread must not be taken for an event id
    for module in (
        health,
        live,
        reads,
        events,
        actions,
        cameras,
        live_wall,
        camera_admin,
        zones,
        lines,
        channels,
        channel_admin,
        audit,
        cluster,
        metrics,
    ):
        app.include_router(module.router)
    install_access_log_redaction()
    return app
