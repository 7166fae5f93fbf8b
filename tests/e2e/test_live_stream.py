"""In a real browser: a live tile plays its camera's MJPEG stream (one request, frames keep changing), a 9-tile wall
polls snapshots instead, and an admin's unmasked view restarts the stream without the mask."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import Page, expect

from gwanje.core.health import StreamState, StreamStats
from gwanje.store import Store
from gwanje.web import create_web_app
from tests.api.conftest import context_finding_nobody, make_config, serve
from tests.e2e.conftest import PASSWORD, Site, log_in

COLOURS = ((0, 0, 255), (0, 255, 0))  # BGR: red, then green, every half second


def _frame(now: float) -> tuple[float, bytes]:
    stamp = round(now * 2) / 2
    image = np.full((72, 128, 3), COLOURS[int(stamp * 2) % 2], np.uint8)
    return stamp, bytes(cv2.imencode(".jpg", image)[1].tobytes())


@pytest.fixture
def changing_site(tmp_path: Path) -> Iterator[Site]:
    config = make_config(tmp_path / "data", mode="production")
    store = Store.open(config.store)
    ctx = context_finding_nobody(
        config,
        store,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE)],
        latest_snapshot=lambda camera: _frame(time.time())[1] if camera == "gate" else None,
        latest_frame=lambda camera: _frame(time.time()) if camera == "gate" else None,
    )
    with serve(create_web_app(ctx)) as url:
        yield Site(url, ctx, store, tmp_path / "data")
    store.close()


def _tile_colour(page: Page) -> str:
    """The colour the browser shows in the gate tile now (drawn on a canvas and read back)."""
    return str(
        page.locator("#tile-gate img.frame").evaluate(
            """img => { const c = document.createElement('canvas'); c.width = 8; c.height = 8;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0, 8, 8);
                const [r, gr] = g.getImageData(4, 4, 1, 1).data; return r > gr ? 'red' : 'green'; }"""
        )
    )


def test_a_tile_plays_the_stream_and_a_large_wall_polls(changing_site: Site, page: Page) -> None:
    site = changing_site
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    frames: list[str] = []
    page.on("request", lambda request: frames.append(request.url) if "/api/cameras/gate/" in request.url else None)
    log_in(page, site, "adam", next_path="%2Flive")
    gate = page.locator("#tile-gate")
    expect(gate).to_have_class("tile state-live has-frame")
    seen: set[str] = set()
    deadline = time.monotonic() + 5
    while len(seen) < 2 and time.monotonic() < deadline:
        seen.add(_tile_colour(page))
        page.wait_for_timeout(100)
    assert seen == {"red", "green"}  # the picture changes...
    assert len(frames) == 1 and "/live.mjpeg?" in frames[0]  # ...over one streamed request

    frames.clear()
    page.goto(f"{site.url}/live?layout=9")
    expect(gate).to_have_class("tile state-live has-frame")
    page.wait_for_timeout(1500)
    assert frames and all("/snapshot.jpg?" in url for url in frames)  # a large wall polls snapshots

    frames.clear()
    page.goto(f"{site.url}/live/gate")
    expect(gate).to_have_class("tile state-live has-frame")
    page.fill("form.live-unmask input[name=reason]", "checking the gate")
    page.click("form.live-unmask button[type=submit]")
    expect(page.locator("#mask-state")).to_have_text("Unmasked (recorded in the audit log).")
    page.wait_for_timeout(500)
    assert "unmask=true" in frames[-1] and "/live.mjpeg?" in frames[-1]
    unmasked = [a.detail for a in site.store.list_audit() if a.action == "unmask"]
    assert unmasked == ["checking the gate"]
