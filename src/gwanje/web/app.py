"""``create_web_app``: the API application plus the operator's pages and their static files.

The web package sits above the API (it builds on its context, its authentication and its endpoints: the
pages' buttons call them), so ``gwanje serve`` serves both from one process and one port.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from gwanje.api.app import create_app
from gwanje.api.context import ApiContext
from gwanje.web import (
    admin_pages,
    audit_pages,
    auth_pages,
    camera_admin,
    channel_pages,
    cluster_pages,
    event_pages,
    live_pages,
)
from gwanje.web.support import HERE, LoginRequired, NotAllowed, accounts_of, render, role_of

log = logging.getLogger(__name__)


def create_web_app(ctx: ApiContext) -> FastAPI:
    app = create_app(ctx)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for module in (
        auth_pages,
        event_pages,
        live_pages,
        admin_pages,
        camera_admin,
        channel_pages,
        audit_pages,
        cluster_pages,
    ):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def to_login(request: Request, _exc: LoginRequired) -> Response:
        if accounts_of(request).needs_setup():
            return RedirectResponse("/setup", status_code=303)
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)

    @app.exception_handler(NotAllowed)
    async def forbidden(request: Request, exc: NotAllowed) -> Response:
        return render(
            request,
            "error.html",
            exc.user,
            status_code=403,
            message="error.forbidden",
            role_key=f"role.{role_of(exc.user).name.lower()}",
            needed_key=f"role.{exc.needed.name.lower()}",
        )

    path = ctx.accounts.ensure_setup_code()
    if path is not None:
        log.warning(
            "no web user yet: open /setup and enter the code stored in %s, or run: gwanje user add NAME --role admin",
            path,
        )
    return app
