"""In a real browser: a new alert appears in the feed within a second; an operator acknowledges it."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from gwanje.core.events import EventType
from tests.e2e.conftest import Site
from tests.store.factories import make_event

PASSWORD = "correct horse battery"


def test_a_new_alert_shows_within_a_second_and_is_acknowledged(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("olga", "operator", PASSWORD, actor="test", client=None)
    page.goto(f"{site.url}/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#feed")).to_contain_text("No alerts yet.")
    page.wait_for_timeout(300)  # let the page's EventSource connect

    event = make_event(camera_id="gate", event_type=EventType.FIGHT, start_time=time.time(), peak_confidence=0.87)
    site.store.save_event(event)
    site.ctx.broadcaster.publish_event(event)
    row = page.locator(f"#event-{event.id}")
    expect(row).to_contain_text("Fight", timeout=1000)
    expect(row).to_contain_text("87%")
    expect(row).to_contain_text("New")

    row.locator("a").click()
    page.fill("input[name=note]", "guard sent")
    page.click("button[data-action=acknowledge]")
    expect(page.locator("#event-status")).to_have_text("Acknowledged")
    expect(page.locator(".history")).to_contain_text("olga acknowledged: guard sent")
    assert site.store.list_actions(event.id)[0].actor == "olga"
