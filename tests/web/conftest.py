"""The web app over a real SQLite store in tmp_path (the API fixture's config: three cameras, three tokens).

Camera ``gate`` is live with a frame, ``lobby`` offline without one, ``yard`` disabled; the privacy masker's person
detector finds nobody (masking itself is tested in tests/api)."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from gwanje.alerts import AlertService
from gwanje.api import ApiContext
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import Store
from gwanje.web import create_web_app
from tests.api.conftest import context_finding_nobody, live_jpeg, make_config

PASSWORD = "correct horse battery"
LIVE_JPEG = live_jpeg()


@dataclass
class Web:
    app: FastAPI
    ctx: ApiContext
    store: Store
    data_dir: Path

    def add_user(self, name: str, role: str) -> None:
        self.ctx.accounts.create_user(name, role, PASSWORD, actor="test", client=None)


@pytest.fixture
def web(tmp_path: Path) -> Iterator[Web]:
    config = make_config(tmp_path / "data", mode="production")
    store = Store.open(config.store)
    ctx = context_finding_nobody(
        config,
        store,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.OFFLINE)],
        latest_snapshot=lambda camera: LIVE_JPEG if camera == "gate" else None,
    )
    yield Web(create_web_app(ctx), ctx, store, tmp_path / "data")
    store.close()


@pytest.fixture
def browser_client(web: Web) -> Iterator[TestClient]:
    with TestClient(web.app, follow_redirects=False) as client:
        yield client


@contextlib.contextmanager
def with_alerts(web: Web, alerts: AlertService) -> Iterator[tuple[Web, TestClient]]:
    """``web`` whose app delivers through ``alerts`` (stopped afterwards), and a browser-like client of it."""
    ctx = dataclasses.replace(web.ctx, alerts=alerts)
    app = create_web_app(ctx)
    try:
        with TestClient(app, follow_redirects=False) as client:
            yield dataclasses.replace(web, app=app, ctx=ctx), client
    finally:
        alerts.stop()


def log_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    """Submit the login form as a browser would (its CSRF token included); returns the status code."""
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    return client.post("/login", data={"username": name, "password": password, "csrf_token": token}).status_code
