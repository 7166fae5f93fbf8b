"""In a real browser: the live wall plays all its cameras over one stream (at 4 and at 9 tiles: one request, each
tile's picture changing, less than a second behind the camera), a camera's own view plays its MJPEG stream, and an
admin's unmasked view restarts that stream without the mask."""

from __future__ import annotations

import statistics
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

COLOURS = {"gate": ((0, 0, 255), (0, 255, 0)), "lobby": ((255, 0, 0), (0, 255, 255))}
"""BGR, alternating every half second: gate red then green, lobby blue then yellow."""
NAMES = {"gate": ("red", "green"), "lobby": ("blue", "yellow")}


def _frame(camera: str, now: float) -> tuple[float, bytes]:
    image = np.full((72, 128, 3), COLOURS[camera][int(now * 2) % 2], np.uint8)
    return now, bytes(cv2.imencode(".jpg", image)[1].tobytes())


@pytest.fixture
def changing_site(tmp_path: Path) -> Iterator[Site]:
    config = make_config(tmp_path / "data", mode="production")
    store = Store.open(config.store)
    ctx = context_finding_nobody(
        config,
        store,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.LIVE)],
        latest_snapshot=lambda camera: _frame(camera, time.time())[1] if camera in COLOURS else None,
        latest_frame=lambda camera: _frame(camera, time.time()) if camera in COLOURS else None,
    )
    with serve(create_web_app(ctx)) as url:
        yield Site(url, ctx, store, tmp_path / "data")
    store.close()


def _tile_colour(page: Page, camera: str) -> str:
    """The colour the browser shows in the camera's tile now (drawn on a canvas and read back)."""
    return str(
        page.locator(f"#tile-{camera} img.frame").evaluate(
            """img => { const c = document.createElement('canvas'); c.width = 8; c.height = 8;
                const g = c.getContext('2d'); g.drawImage(img, 0, 0, 8, 8);
                const [r, gr, b, a] = g.getImageData(4, 4, 1, 1).data;
                if (a < 255 || r + gr + b < 60) return "blank";
                if (b > 128 && r < 128) return 'blue';
                if (r > 128 && gr > 128) return 'yellow';
                return r > gr ? 'red' : 'green'; }"""
        )
    )


def _watch(page: Page, cameras: tuple[str, ...], seconds: float) -> tuple[dict[str, set[str]], list[float]]:
    """The colours each tile showed, and how far behind the camera each shown frame was (s)."""
    seen: dict[str, set[str]] = {camera: set() for camera in cameras}
    behind: list[float] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for camera in cameras:
            seen[camera].add(_tile_colour(page, camera))
            shown = page.locator(f"#tile-{camera} img.frame").evaluate(
                "img => [Number(img.dataset.frameTime), Number(img.dataset.shownAt)]"
            )
            behind.append(shown[1] - shown[0])
        page.wait_for_timeout(100)
    return seen, behind


def test_the_wall_streams_every_camera_over_one_request(changing_site: Site, page: Page) -> None:
    site = changing_site
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url) if "/api/" in request.url else None)
    log_in(page, site, "adam", next_path="%2Flive%3Flayout%3D9")
    for camera in NAMES:
        expect(page.locator(f"#tile-{camera}")).to_have_class("tile state-live has-frame")
    seen, behind = _watch(page, ("gate", "lobby"), 3.0)
    assert seen == {camera: set(names) for camera, names in NAMES.items()}  # each tile's own pictures, changing...
    frames = [url for url in requests if "/api/cameras/" in url or "/api/live/" in url]
    assert len(frames) == 1 and "/api/live/frames?camera=gate&camera=lobby" in frames[0]  # ...over one request
    print(
        f"\n9-tile wall in chromium: frame shown median {statistics.median(behind) * 1000:.0f} ms, "
        f"max {max(behind) * 1000:.0f} ms behind the camera over {len(behind)} looks"
    )
    assert max(behind) < 1.0
    wait = time.monotonic() + 5
    while site.ctx.live.watched != 2 and time.monotonic() < wait:
        time.sleep(0.05)
    assert site.ctx.live.watched == 2  # one producer per camera

    page.goto(f"{site.url}/live?layout=4")  # the 9-tile page went: its stream and producers end, a new one starts
    expect(page.locator("#tile-gate")).to_have_class("tile state-live has-frame")
    page.goto(f"{site.url}/password")
    # The server notices a viewer left when its next frame cannot be sent; on a loaded CI machine (frames are
    # decoded and masked in threads) that took over 5 s once. What is tested is that producers end, not how soon.
    wait = time.monotonic() + 20
    while site.ctx.live.watched and time.monotonic() < wait:
        time.sleep(0.05)
    assert site.ctx.live.watched == 0
    views = sorted(a.target for a in site.store.list_audit() if a.action == "view_live")
    assert views == ["camera:gate", "camera:lobby"]  # once per camera, however many frames and pages


def test_a_camera_view_plays_its_stream_and_an_admin_unmasks_it(changing_site: Site, page: Page) -> None:
    site = changing_site
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    frames: list[str] = []
    page.on("request", lambda request: frames.append(request.url) if "/api/cameras/gate/" in request.url else None)
    log_in(page, site, "adam", next_path="%2Flive%2Fgate")
    gate = page.locator("#tile-gate")
    expect(gate).to_have_class("tile state-live has-frame")
    seen: set[str] = set()
    deadline = time.monotonic() + 5
    while len(seen) < 2 and time.monotonic() < deadline:
        seen.add(_tile_colour(page, "gate"))
        page.wait_for_timeout(100)
    assert seen == {"red", "green"}  # the picture changes...
    assert len(frames) == 1 and "/live.mjpeg?" in frames[0]  # ...over one streamed request

    page.fill("form.live-unmask input[name=reason]", "checking the gate")
    page.click("form.live-unmask button[type=submit]")
    expect(page.locator("#mask-state")).to_have_text("Unmasked (recorded in the audit log).")
    page.wait_for_timeout(500)
    assert "unmask=true" in frames[-1] and "/live.mjpeg?" in frames[-1]
    unmasked = [a.detail for a in site.store.list_audit() if a.action == "unmask"]
    assert unmasked == ["checking the gate"]
