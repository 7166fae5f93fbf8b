"""What every page shares: the logged-in user, role checks, rendering in the chosen language, cookies, times."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from gwanje.api.accounts import Accounts
from gwanje.api.auth import SESSION_COOKIE, Role
from gwanje.api.context import ApiContext
from gwanje.store.accounts import UserRecord
from gwanje.web.i18n import LANG_COOKIE, LANGUAGES, choose_language, translator

HERE = Path(__file__).parent
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
PRE_COOKIE = "gwanje_pre"
"""Random value the login and setup forms' CSRF token is tied to (there is no session yet)."""
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; media-src 'self'; frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class LoginRequired(Exception):
    """No valid session: the app's handler sends the browser to /login (or /setup while there is no user)."""


class NotAllowed(Exception):
    """The user's role is too low for the page; rendered as a 403 page in the user's language."""

    def __init__(self, user: UserRecord, needed: Role) -> None:
        super().__init__(needed.name.lower())
        self.user = user
        self.needed = needed


def ctx_of(request: Request) -> ApiContext:
    ctx: ApiContext = request.app.state.ctx
    return ctx


def accounts_of(request: Request) -> Accounts:
    return ctx_of(request).accounts


def client_of(request: Request) -> str | None:
    return request.client.host if request.client else None


def page_user(request: Request) -> UserRecord:
    token = request.cookies.get(SESSION_COOKIE)
    user = accounts_of(request).session_user(token) if token else None
    if user is None:
        raise LoginRequired
    return user


def role_of(user: UserRecord) -> Role:
    return Role[user.role.upper()]


def need(role: Role) -> Any:
    """A dependency: the logged-in user, who must have at least ``role``."""

    def dependency(user: Annotated[UserRecord, Depends(page_user)]) -> UserRecord:
        if role_of(user) < role:
            raise NotAllowed(user, role)
        return user

    return Depends(dependency)


def secure_cookies(request: Request) -> bool:
    """Secure cookies when the browser talks TLS (directly or through a proxy uvicorn trusts)."""
    return request.url.scheme == "https"


def set_cookie(request: Request, response: Response, name: str, value: str, max_age: float | None) -> None:
    response.set_cookie(
        name,
        value,
        max_age=None if max_age is None else int(max_age),
        httponly=True,
        samesite="lax",
        secure=secure_cookies(request),
        path="/",
    )


def pre_token(request: Request) -> str:
    """The pre-login cookie's value (a new one when the browser has none; ``render`` sets it)."""
    existing = request.cookies.get(PRE_COOKIE)
    if existing:
        return existing
    fresh = secrets.token_urlsafe(24)
    request.state.new_pre = fresh
    return fresh


def render(
    request: Request, template: str, user: UserRecord | None = None, status_code: int = 200, **values: Any
) -> HTMLResponse:
    """The page in the request's language; remembers an explicit ``?lang=`` and sets the headers every page has."""
    lang = choose_language(request)
    accounts = accounts_of(request)
    token = request.cookies.get(SESSION_COOKIE)
    context = {
        "t": translator(lang),
        "lang": lang,
        "languages": LANGUAGES,
        "user": user,
        "role": role_of(user) if user else None,
        "Role": Role,
        "csrf": accounts.csrf_token(token) if user and token else "",
        "path": request.url.path,
        "lang_links": {code: "?" + urlencode({**request.query_params, "lang": code}) for code in LANGUAGES},
        **values,
    }
    response = TEMPLATES.TemplateResponse(request, template, context, status_code=status_code)
    response.headers.update(SECURITY_HEADERS)
    if request.query_params.get("lang") in LANGUAGES:
        set_cookie(request, response, LANG_COOKIE, lang, 365 * 24 * 3600)
    new_pre = getattr(request.state, "new_pre", None)
    if new_pre:
        set_cookie(request, response, PRE_COOKIE, new_pre, 3600)
    return response


def camera_scope(ctx: ApiContext, user: UserRecord) -> frozenset[str] | None:
    """The camera ids ``user`` may see through their camera groups; None: every camera (admins, or no group yet)."""
    if role_of(user) >= Role.ADMIN:
        return None
    return ctx.store.groups.cameras_of(user.name)


def local_time(ctx: ApiContext, unix: float | None, camera_id: str) -> str:
    """The time in the camera's zone (its schedule's timezone) when the config names one, else the server's."""
    if unix is None:
        return ""
    zone = None
    for camera in ctx.camera_list():
        if camera.id == camera_id and camera.schedule.timezone:
            zone = ZoneInfo(camera.schedule.timezone)
    when = dt.datetime.fromtimestamp(unix, zone) if zone else dt.datetime.fromtimestamp(unix).astimezone()
    return when.strftime("%Y-%m-%d %H:%M:%S %Z")


def safe_next(target: str | None) -> str:
    """Where to go after login: a path on this site only (never ``//other.site`` or a full URL)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/events"


def pager(path: str, query: dict[str, str], page: int, pages: int) -> dict[str, object]:
    """What ``pager.html`` shows: page ``page`` of ``pages``, with links that keep ``query`` (filters, layout)."""

    def href(number: int) -> str:
        return f"{path}?{urlencode({**query, 'page': str(number)})}"

    return {
        "page": page,
        "pages": pages,
        "prev_href": href(page - 1) if page > 1 else None,
        "next_href": href(page + 1) if page < pages else None,
    }
