"""Browser tests: Playwright drives the system's chromium (Debian package) headless against a real uvicorn.

Playwright's own browser download is not used; without a ``chromium`` on PATH these tests skip and say so
(``apt-get install chromium``; CI's ``.ci/run`` installs it).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from gwanje.api import ApiContext
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import MediaStore, Store
from gwanje.web import create_web_app
from tests.api.conftest import live_jpeg, make_config, serve

CHROMIUM = shutil.which("chromium")

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - playwright is a dev dependency
    sync_playwright = None


@dataclass
class Site:
    url: str
    ctx: ApiContext
    store: Store
    data_dir: Path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if CHROMIUM is None:
        pytest.skip("no chromium on PATH: install it with 'apt-get install chromium' to run browser tests")
    if sync_playwright is None:
        pytest.skip("the playwright package is not installed (make install)")
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    """A production-mode Gwanje with no user yet, served by uvicorn on a free port.

    Its cameras: ``gate`` live with a frame, ``lobby`` offline without one, ``yard`` disabled."""
    config = make_config(tmp_path / "data", mode="production")
    store = Store.open(config.store)
    frame = live_jpeg()
    ctx = ApiContext.create(
        config,
        store,
        MediaStore.for_config(config.store),
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.OFFLINE)],
        latest_snapshot=lambda camera: frame if camera == "gate" else None,
    )
    with serve(create_web_app(ctx)) as url:
        yield Site(url, ctx, store, tmp_path / "data")
    store.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="en-US")
    yield context.new_page()
    context.close()


PASSWORD = "correct horse battery"
"""The password the browser tests give the users they create."""


def log_in(page: Page, site: Site, name: str, password: str = PASSWORD, next_path: str = "") -> None:
    """Fill the login form as ``name``; ``next_path`` (URL-encoded) is where the app goes after it."""
    page.goto(f"{site.url}/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
