"""In a real browser: a viewer sees people masked; an admin unmasks with a reason and the audit log records it."""

from __future__ import annotations

import cv2
import numpy as np
from playwright.sync_api import Browser, Page, expect

from gwanje.core.events import Event, EventType
from tests.e2e.conftest import Site
from tests.store.factories import make_event

PASSWORD = "correct horse battery"
BOX = (160, 48, 320, 304)


def _event_with_photo(site: Site) -> tuple[Event, bytes]:
    tiles = np.random.default_rng(3).integers(0, 256, (23, 40, 3), dtype=np.uint8)
    image = cv2.resize(tiles, (640, 368), interpolation=cv2.INTER_NEAREST)[:360]
    jpeg = cv2.imencode(".jpg", image)[1].tobytes()
    event = make_event("gate", EventType.FIGHT, boxes=[tuple(map(float, BOX))], frame_size=(640, 360))
    event.snapshot_path = str(site.ctx.media.write_snapshot(event.id, "gate", event.start_time, jpeg))
    site.store.save_event(event)
    return event, jpeg


def _log_in(browser: Browser, site: Site, name: str, role: str) -> Page:
    site.ctx.accounts.create_user(name, role, PASSWORD, actor="test", client=None)
    page = browser.new_context(locale="en-US").new_page()
    page.goto(f"{site.url}/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#feed")).to_be_visible()
    return page


def _box_detail(jpeg: bytes) -> float:
    """Mean absolute difference of neighbouring pixels inside the person box: high for the tiles, ~0 for blocks."""
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_GRAYSCALE).astype(int)
    x1, y1, x2, y2 = BOX
    region = image[y1:y2, x1:x2]
    return float(np.abs(np.diff(region, axis=1)).mean())


def _shown_snapshot(page: Page) -> bytes:
    expect(page.locator("#snapshot")).to_have_js_property("complete", True)
    src = page.locator("#snapshot").evaluate("img => img.src")
    return page.request.get(src).body()


def test_masked_for_a_viewer_and_unmasked_by_an_admin_with_the_reason_logged(site: Site, browser: Browser) -> None:
    event, original = _event_with_photo(site)
    viewer = _log_in(browser, site, "vera", "viewer")
    viewer.goto(f"{site.url}/events/{event.id}")
    expect(viewer.locator("#mask-state")).to_have_text("People are masked for privacy.")
    expect(viewer.locator("form.unmask")).to_have_count(0)
    masked = _shown_snapshot(viewer)
    assert masked != original
    assert _box_detail(masked) < 0.25 * _box_detail(original)

    admin = _log_in(browser, site, "adam", "admin")
    admin.goto(f"{site.url}/events/{event.id}")
    assert _box_detail(_shown_snapshot(admin)) < 0.25 * _box_detail(original)  # masked by default for admins too
    admin.fill("form.unmask input[name=reason]", "police request 42")
    admin.click("form.unmask button[type=submit]")
    expect(admin.locator("#mask-state")).to_contain_text("Unmasked")
    expect(admin.locator("#snapshot")).to_have_attribute(
        "src", f"/api/events/{event.id}/snapshot.jpg?unmask=true&reason=police+request+42"
    )
    expect(admin.locator("#snapshot")).to_have_js_property("complete", True)
    assert admin.evaluate("document.getElementById('snapshot').naturalWidth") == 640

    entries = [(a.actor, a.action, a.detail) for a in site.store.list_audit() if a.action == "unmask"]
    assert entries == [("adam", "unmask", "police request 42")]
    viewer.context.close()
    admin.context.close()
