"""Every route of the served app (API and pages) × every kind of caller, against an explicit table of who may do what.

The routes come from the app's own route table: a new route without a row in ``ACCESS`` fails
``test_every_route_has_an_access_decision``. Callers: nobody, web sessions of a viewer, an operator and an admin,
API tokens of the three roles, and an operator whose camera group holds only camera ``gate`` (``restricted``).

What counts as refused: 401 (API), a redirect to the login page (pages), 403 (role too low); for the restricted
operator, a route about another camera's event or camera answers 404 (ids of others' cameras stay hidden), while
the same request by someone who sees every camera does not. Each route runs on its own copy of one prepared data
directory, so what one route changes (a deleted camera, a logout) cannot decide another's answer.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute, Mount
from starlette.websockets import WebSocketDisconnect

from gwanje.api import ApiContext
from gwanje.api.auth import CSRF_HEADER, SESSION_COOKIE, Role
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import Store
from gwanje.web import create_web_app
from tests.api.conftest import TOKENS, context_finding_nobody, live_jpeg, make_config
from tests.store.factories import make_event

PASSWORD = "correct horse battery"
JPEG = live_jpeg()

PUBLIC, VIEWER, OPERATOR, ADMIN = None, Role.VIEWER, Role.OPERATOR, Role.ADMIN


@dataclass(frozen=True)
class Rule:
    role: Role | None
    """The lowest role allowed; None: anyone, without logging in."""
    way: str = "api"
    """api: bearer token or web session; page: web session only (tokens are for integrations); ws: token only."""
    scope: str | None = None
    """camera or event: about one camera, which a user restricted to other cameras is told does not exist; all:
    about every camera, so refused (403) to anyone limited by camera groups (here: every session below admin)."""


API, PAGE = "api", "page"
ACCESS: dict[tuple[str, str], Rule] = {
    # public: health, the schema and its page, static files, logging in
    ("GET", "/api/health"): Rule(PUBLIC),
    ("GET", "/openapi.json"): Rule(PUBLIC),
    ("HEAD", "/openapi.json"): Rule(PUBLIC),
    ("GET", "/docs"): Rule(PUBLIC),
    ("GET", "/static/{path}"): Rule(PUBLIC),
    ("GET", "/"): Rule(PUBLIC),
    ("GET", "/login"): Rule(PUBLIC),
    ("POST", "/login"): Rule(PUBLIC),
    ("GET", "/setup"): Rule(PUBLIC),
    ("POST", "/setup"): Rule(PUBLIC),
    # API: events and evidence
    ("GET", "/api/events/stream"): Rule(VIEWER),
    ("WS", "/api/events/ws"): Rule(VIEWER, "ws"),
    ("GET", "/api/events"): Rule(VIEWER),
    ("GET", "/api/events/{event_id}"): Rule(VIEWER, API, "event"),
    ("GET", "/api/events/{event_id}/actions"): Rule(VIEWER, API, "event"),
    ("GET", "/api/events/{event_id}/snapshot.jpg"): Rule(VIEWER, API, "event"),
    ("HEAD", "/api/events/{event_id}/snapshot.jpg"): Rule(VIEWER, API, "event"),
    ("GET", "/api/events/{event_id}/clip.mp4"): Rule(VIEWER, API, "event"),
    ("HEAD", "/api/events/{event_id}/clip.mp4"): Rule(VIEWER, API, "event"),
    ("GET", "/api/events/{event_id}/deliveries"): Rule(VIEWER, API, "event"),
    ("POST", "/api/events/{event_id}/acknowledge"): Rule(OPERATOR, API, "event"),
    ("POST", "/api/events/{event_id}/resolve"): Rule(OPERATOR, API, "event"),
    ("POST", "/api/events/{event_id}/false-alarm"): Rule(OPERATOR, API, "event"),
    ("POST", "/api/events/{event_id}/note"): Rule(OPERATOR, API, "event"),
    ("GET", "/api/events/unread"): Rule(VIEWER),
    ("POST", "/api/events/{event_id}/read"): Rule(VIEWER, API, "event"),
    ("POST", "/api/events/read-all"): Rule(VIEWER),
    # API: cameras
    ("GET", "/api/cameras"): Rule(VIEWER),
    ("GET", "/api/cameras/{camera_id}"): Rule(VIEWER, API, "camera"),
    ("GET", "/api/cameras/{camera_id}/snapshot.jpg"): Rule(VIEWER, API, "camera"),
    ("GET", "/api/cameras/{camera_id}/live.mjpeg"): Rule(VIEWER, API, "camera"),
    ("GET", "/api/live/frames"): Rule(VIEWER),
    ("POST", "/api/cameras"): Rule(ADMIN),
    ("GET", "/api/cameras/{camera_id}/config"): Rule(ADMIN),
    ("PATCH", "/api/cameras/{camera_id}"): Rule(ADMIN),
    ("DELETE", "/api/cameras/{camera_id}"): Rule(ADMIN),
    ("POST", "/api/cameras/{camera_id}/test"): Rule(ADMIN),
    ("GET", "/api/cameras/{camera_id}/zones"): Rule(ADMIN),
    ("PUT", "/api/cameras/{camera_id}/zones/{name}"): Rule(ADMIN),
    ("DELETE", "/api/cameras/{camera_id}/zones/{name}"): Rule(ADMIN),
    ("GET", "/api/cameras/{camera_id}/lines"): Rule(ADMIN),
    ("GET", "/api/cluster"): Rule(ADMIN),
    ("PUT", "/api/cameras/{camera_id}/lines/{name}"): Rule(ADMIN),
    ("DELETE", "/api/cameras/{camera_id}/lines/{name}"): Rule(ADMIN),
    # API: alert channels, audit log, metrics
    ("GET", "/api/channels"): Rule(ADMIN),
    ("POST", "/api/channels/{name}/test"): Rule(ADMIN),
    ("POST", "/api/channels"): Rule(ADMIN),
    ("PATCH", "/api/channels/{name}"): Rule(ADMIN),
    ("DELETE", "/api/channels/{name}"): Rule(ADMIN),
    ("GET", "/api/audit"): Rule(ADMIN),
    ("GET", "/metrics"): Rule(VIEWER, API, "all"),
    # pages
    ("POST", "/logout"): Rule(VIEWER, PAGE),
    ("GET", "/password"): Rule(VIEWER, PAGE),
    ("POST", "/password"): Rule(VIEWER, PAGE),
    ("GET", "/events"): Rule(VIEWER, PAGE),
    ("GET", "/events/rows"): Rule(VIEWER, PAGE),
    ("GET", "/events/{event_id}"): Rule(VIEWER, PAGE, "event"),
    ("GET", "/live"): Rule(VIEWER, PAGE),
    ("GET", "/live/state"): Rule(VIEWER, PAGE),
    ("GET", "/live/{camera_id}"): Rule(VIEWER, PAGE, "camera"),
    ("GET", "/admin/users"): Rule(ADMIN, PAGE),
    ("POST", "/admin/users"): Rule(ADMIN, PAGE),
    ("POST", "/admin/groups"): Rule(ADMIN, PAGE),
    ("GET", "/admin/cameras"): Rule(ADMIN, PAGE),
    ("GET", "/admin/cameras/new"): Rule(ADMIN, PAGE),
    ("GET", "/admin/cameras/{camera_id}"): Rule(ADMIN, PAGE),
    ("GET", "/admin/cameras/{camera_id}/zones"): Rule(ADMIN, PAGE),
    ("GET", "/admin/channels"): Rule(ADMIN, PAGE),
    ("GET", "/admin/audit"): Rule(ADMIN, PAGE),
    ("GET", "/admin/cluster"): Rule(ADMIN, PAGE),
}

USERS = {"vic": "viewer", "olga": "operator", "root": "admin", "ollie": "operator"}
SESSIONS = {"viewer": "vic", "operator": "olga", "admin": "root"}
RESTRICTED = "ollie"
"""An operator whose only camera group holds camera gate."""


def app_routes(app: FastAPI) -> set[tuple[str, str]]:
    """(method, path) of every route the app serves, included routers walked (a mount is one GET route)."""

    def walk(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, str]]:
        for route in routes:
            if hasattr(route, "original_router"):  # FastAPI keeps included routers as branches
                yield from walk(route.original_router.routes, prefix + route.include_context.prefix)
            elif isinstance(route, Mount):
                yield "GET", f"{prefix}{route.path}/{{path}}"
            else:
                path = prefix + str(getattr(route, "path", ""))
                methods = getattr(route, "methods", None)
                for method in sorted(methods) if methods else ["WS"]:
                    yield method, path

    return set(walk(app.routes, ""))


@dataclass
class Prepared:
    data_dir: Path
    sessions: dict[str, str]
    csrf: dict[str, str]
    events: dict[str, str]
    """camera id -> the id of one of its events (snapshot and clip on disk)."""


def _context(data_dir: Path) -> tuple[ApiContext, Store]:
    config = make_config(data_dir, mode="production", live_keepalive_s=0.1)
    store = Store.open(config.store)
    ctx = context_finding_nobody(
        config,
        store,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.LIVE)],
        latest_snapshot=lambda _camera: JPEG,
    )
    return ctx, store


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    data_dir = tmp_path_factory.mktemp("permissions") / "data"
    ctx, store = _context(data_dir)
    for name, role in USERS.items():
        ctx.accounts.create_user(name, role, PASSWORD, actor="test", client=None)
    store.groups.save_group("everything", ["gate", "lobby", "yard"], ["vic", "olga"])
    store.groups.save_group("front", ["gate"], [RESTRICTED])
    sessions = {}
    for name in [*SESSIONS.values(), RESTRICTED]:
        token = ctx.accounts.login(name, PASSWORD, "testclient").session_token
        assert token is not None
        sessions[name] = token
    events = {}
    for camera in ("gate", "lobby"):
        event = make_event(camera)
        snapshot = ctx.media.write_snapshot(event.id, camera, event.start_time, JPEG)
        clip = ctx.media.clip_path(event.id, camera, event.start_time)
        clip.parent.mkdir(parents=True, exist_ok=True)
        clip.write_bytes(b"\x00\x00\x00\x18ftypmp42 not really a clip")
        # relative to the media root, so that each route's copy of the data directory serves its own files
        event.snapshot_path = str(snapshot.relative_to(ctx.media.root))
        event.clip_path = str(clip.relative_to(ctx.media.root))
        store.save_event(event)
        events[camera] = event.id
    csrf = {name: ctx.accounts.csrf_token(token) for name, token in sessions.items()}
    store.close()
    yield Prepared(data_dir, sessions, csrf, events)


@dataclass(frozen=True)
class Caller:
    name: str
    role: Role | None
    way: str
    """none, session or token."""
    user: str | None = None

    def headers(self, prepared: Prepared) -> dict[str, str]:
        if self.way == "token":
            return {"Authorization": f"Bearer {TOKENS[self.name.removeprefix('token-')][1]}"}
        if self.way == "session" and self.user:
            cookie = f"{SESSION_COOKIE}={prepared.sessions[self.user]}"
            return {"Cookie": cookie, CSRF_HEADER: prepared.csrf[self.user]}
        return {}


CALLERS = [
    Caller("anonymous", None, "none"),
    *(Caller(f"session-{role}", Role[role.upper()], "session", user) for role, user in SESSIONS.items()),
    *(Caller(f"token-{role}", Role[role.upper()], "token") for role in ("viewer", "operator", "admin")),
    Caller("restricted", Role.OPERATOR, "session", RESTRICTED),
]
RESTRICTED_CALLER = CALLERS[-1]


def expected(rule: Rule, caller: Caller) -> str:
    """allowed, or how the refusal looks: 401, login (a redirect to the login page), 403 or closed (WebSocket)."""
    if rule.role is None:
        return "allowed"
    if rule.way == "ws":
        return "allowed" if caller.way == "token" and caller.role is not None and caller.role >= rule.role else "closed"
    if rule.way == "page" and caller.way != "session":
        return "login"
    if caller.role is None:
        return "401"
    if rule.scope == "all" and caller.way == "session" and caller.role < Role.ADMIN:
        return "403"
    return "allowed" if caller.role >= rule.role else "403"


def _url(path: str, prepared: Prepared, camera: str) -> str:
    return (
        path.replace("{event_id}", prepared.events[camera])
        .replace("{camera_id}", camera)
        .replace("{name}", "door")
        .replace("{path}", "app.css")
    )


def _call(client: TestClient, method: str, url: str, headers: dict[str, str]) -> tuple[str, int]:
    """(outcome, status): allowed, 401, 403, login or closed."""
    if method == "WS":
        try:
            with client.websocket_connect(url, headers=headers):
                return "allowed", 101
        except WebSocketDisconnect as closed:  # 1008: refused; 1001: let in, then told the server is closing
            return ("closed" if closed.code == 1008 else "allowed"), closed.code
    body: dict[str, Any] = {}
    if method in ("POST", "PUT", "PATCH", "DELETE"):  # a valid body where one is needed: the route itself answers
        body = {"json": {"note": "seen"} if url.endswith("/note") else {}} if url.startswith("/api/") else {"data": {}}
    if url.endswith((".mjpeg", "/api/live/frames")):  # a live stream never ends: its status line is the answer
        with client.stream(method, url, headers=headers) as streamed:
            response = streamed
    else:
        response = client.request(method, url, headers=headers, **body)
    location = response.headers.get("location", "")
    if response.status_code in (401, 403):
        return str(response.status_code), response.status_code
    if response.status_code in (302, 303, 307) and location.startswith("/login?next="):
        return "login", response.status_code
    return "allowed", response.status_code


def _route_ids() -> list[str]:
    return [f"{method} {path}" for method, path in ACCESS]


def test_every_route_has_an_access_decision(prepared: Prepared) -> None:
    ctx, store = _context(prepared.data_dir.parent / "routes")
    try:
        served = app_routes(create_web_app(ctx))
    finally:
        store.close()
    assert served - set(ACCESS) == set(), "new routes: add each to ACCESS with who may use it"
    assert set(ACCESS) - served == set(), "routes in ACCESS that the app no longer serves"
    unscoped = [
        (method, path)
        for (method, path), rule in ACCESS.items()
        if ("{event_id}" in path or "{camera_id}" in path) and rule.role != ADMIN and rule.scope is None
    ]
    assert unscoped == [], "routes about one camera below admin must say so (scope), so camera groups are checked"


@pytest.mark.parametrize("route", _route_ids())
def test_each_caller_gets_what_the_table_says(route: str, prepared: Prepared, tmp_path: Path) -> None:
    method, path = route.split(" ", 1)
    rule = ACCESS[(method, path)]
    data_dir = tmp_path / "data"
    shutil.copytree(prepared.data_dir, data_dir)
    ctx, store = _context(data_dir)
    # live streams never end: closed, they answer at once (503, WebSocket 1001) once the caller is let in
    ctx.close_streams()
    wrong: list[str] = []
    try:
        with TestClient(create_web_app(ctx), follow_redirects=False) as client:
            for caller in CALLERS:
                outcome, status = _call(client, method, _url(path, prepared, "gate"), caller.headers(prepared))
                if outcome != expected(rule, caller):
                    wrong.append(f"{caller.name}: expected {expected(rule, caller)}, got {outcome} ({status})")
            if rule.scope in ("camera", "event"):  # lobby's event or camera: hidden from the restricted operator only
                url = _url(path, prepared, "lobby")
                for caller in CALLERS:
                    if expected(rule, caller) != "allowed":
                        continue
                    _, status = _call(client, method, url, caller.headers(prepared))
                    hidden = caller is RESTRICTED_CALLER
                    if (status == 404) != hidden:
                        wrong.append(f"{caller.name} on lobby's {rule.scope}: got {status}, hidden={hidden}")
    finally:
        store.close()
    assert not wrong, f"{route}: " + "; ".join(wrong)
