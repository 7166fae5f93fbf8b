"""In a real browser against a running service: an admin draws a zone on a camera's live frame, has it watched for
intrusion and saves it; the running camera uses it at once (no restart) and the person walking in the scene raises an
intrusion alert that reaches the feed; likewise a tripwire drawn with its direction raises a line crossing. The person
detector is the shipped model; the scene is the demo street."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from gwanje.cli.serve import api_context
from gwanje.config import parse_config
from gwanje.config.managed import OVERRIDES_FILE
from gwanje.ingest.demo import DemoScene, DemoSettings
from gwanje.runtime.service import Service
from gwanje.web import create_web_app
from tests.api.conftest import serve
from tests.e2e.conftest import PASSWORD, Site, log_in
from tests.support.media import frames_from, write_clip
from tests.support.waiting import wait_for


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Site, Service]]:
    """A production-mode service watching a looped street scene with people, with no zone and no rule yet."""
    scene = DemoScene(DemoSettings(seed=3, fps=10.0, fire_start_s=1e6))
    clip = write_clip(tmp_path / "street.mp4", frames_from(scene.render, 60), fps=10)
    config = parse_config(
        {
            "cameras": [
                {
                    "id": "street",
                    "name": "Street",
                    "source": {"url": str(clip), "loop": True},
                    "detectors": ["person"],
                    "clip": {"enabled": False},
                }
            ],
            "store": {"data_dir": str(tmp_path / "data")},
            "api": {"mode": "production"},
        }
    )
    service = Service(config)
    ctx = api_context(service)
    service.add_listener(ctx.broadcaster.publish_event)
    service.start()
    try:
        with serve(create_web_app(ctx)) as url:
            yield Site(url, ctx, service.store, tmp_path / "data"), service
    finally:
        service.stop()


@pytest.mark.slow
def test_a_zone_drawn_and_saved_in_the_browser_raises_an_intrusion(running: tuple[Site, Service], page: Page) -> None:
    site, service = running
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    wait_for(lambda: service.latest_snapshot("street") is not None, 30, "the camera's first frame")
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras%2Fstreet%2Fzones")
    expect(page.locator("h1")).to_have_text("Zones of Street")
    expect(page.locator("#zone-frame")).not_to_have_js_property("naturalWidth", 0, timeout=15000)
    canvas = page.locator("#zone-canvas")
    box = canvas.bounding_box()
    assert box is not None
    for x, y in [(0.02, 0.02), (0.98, 0.02), (0.98, 0.98), (0.02, 0.98)]:
        canvas.click(position={"x": x * box["width"], "y": y * box["height"]})
    page.fill("input[name=name]", "street")
    page.check("input[name=rules][value=intrusion]")
    worker = service.registry.workers["street"]
    page.click("#zone-form button[type=submit]")
    expect(page.locator("#zone-message")).to_have_text("Zone street saved: the camera uses it now.")
    expect(page.locator("#zone-list li[data-zone=street]")).to_contain_text("intrusion")
    assert service.registry.workers["street"] is not worker  # the running camera took the zone, no restart

    page.goto(f"{site.url}/events")
    expect(page.locator("#feed")).to_contain_text("Intrusion", timeout=45000)
    events = site.store.list_events(camera_id="street")
    assert [r.event.zone for r in events] and all(r.event.zone == "street" for r in events)
    stored = json.loads((site.data_dir / OVERRIDES_FILE).read_text())["cameras"]["street"]
    assert [(r["type"], r["zone"]) for r in stored["rules"]] == [("intrusion", "street")]
    assert [a.actor for a in site.store.list_audit(action="zone_save")] == ["adam"]


@pytest.mark.slow
def test_a_tripwire_drawn_in_the_browser_raises_a_line_crossing(running: tuple[Site, Service], page: Page) -> None:
    """The demo street's walker goes from 53 % to 92 % of the width during the looped clip: a vertical tripwire at 70 %
    drawn top to bottom is crossed from its A→B right side to its left (b_to_a) on every loop."""
    site, service = running
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    wait_for(lambda: service.latest_snapshot("street") is not None, 30, "the camera's first frame")
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras%2Fstreet%2Fzones")
    expect(page.locator("#zone-frame")).not_to_have_js_property("naturalWidth", 0, timeout=15000)
    page.check("#draw-mode input[value=line]")
    canvas = page.locator("#zone-canvas")
    box = canvas.bounding_box()
    assert box is not None
    for x, y in [(0.7, 0.05), (0.7, 0.95)]:
        canvas.click(position={"x": x * box["width"], "y": y * box["height"]})
    page.fill("#line-form input[name=name]", "kerb")
    page.select_option("#line-form select[name=direction]", "b_to_a")
    worker = service.registry.workers["street"]
    page.click("#line-form button[type=submit]")
    expect(page.locator("#line-message")).to_have_text("Tripwire kerb saved: the camera watches it now.")
    assert service.registry.workers["street"] is not worker  # the running camera took the tripwire, no restart

    page.goto(f"{site.url}/events")
    expect(page.locator("#feed")).to_contain_text("Line crossing", timeout=45000)
    crossings = site.store.list_events(camera_id="street", event_type="line_crossing")
    assert crossings and all(r.event.details["direction"] == "b_to_a" for r in crossings)
