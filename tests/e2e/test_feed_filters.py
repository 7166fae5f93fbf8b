"""In a real browser: the alert feed filtered by camera, type and confidence, the URL keeping the filters, paging,
English and Korean."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from gwanje.core.events import EventType
from tests.e2e.conftest import Site
from tests.store.factories import make_event

PASSWORD = "correct horse battery"


def test_a_viewer_filters_the_feed_and_the_url_keeps_the_filters(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("vic", "viewer", PASSWORD, actor="test", client=None)
    now = time.time() - 3600
    for i in range(52):
        site.store.save_event(make_event("gate", EventType.FIRE, now + i, peak_confidence=0.9))
    weak = make_event("gate", EventType.FIRE, now + 100, peak_confidence=0.4)
    fight = make_event("lobby", EventType.FIGHT, now + 200, peak_confidence=0.8)
    for event in (weak, fight):
        site.store.save_event(event)
    page.goto(f"{site.url}/login?next=%2Fevents")
    page.fill("input[name=username]", "vic")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#feed-total")).to_have_text("54 alert(s)")

    page.select_option("select[name=type]", "fight")
    page.click("#filters button[type=submit]")
    expect(page).to_have_url(f"{site.url}/events?camera=&type=fight&status=&since=&until=&q=&min_conf=")
    expect(page.locator("#feed tr")).to_have_count(1)
    expect(page.locator(f"#event-{fight.id}")).to_contain_text("Fight")

    page.goto(f"{site.url}/events?camera=gate&min_conf=50")
    expect(page.locator("select[name=camera]")).to_have_value("gate")
    expect(page.locator("#feed-total")).to_have_text("52 alert(s)")
    expect(page.locator(f"#event-{weak.id}")).to_have_count(0)
    page.click(".pager a[rel=next]")
    expect(page).to_have_url(f"{site.url}/events?camera=gate&min_conf=50&page=2")
    expect(page.locator("#feed tr")).to_have_count(2)

    page.click("text=한국어")
    expect(page.locator("#feed-total")).to_have_text("알림 52건")
    expect(page.locator(".pager")).to_contain_text("2쪽 중 2쪽")
    page.click("#clear-filters")
    expect(page.locator("#feed-total")).to_have_text("알림 54건")
