"""In a real browser: the alert feed's unread count (per user: what this user has not opened; "Mark all read"), the
alarm (flash and sound for fire, fight and fall; muted and
remembered), the search, and the keyboard: moving through the feed, opening an alert, noting and acknowledging it,
going back; the shortcuts listed on the pages in English and Korean."""

from __future__ import annotations

import re
import time

from playwright.sync_api import Page, expect

from gwanje.core.events import EventType
from tests.e2e.conftest import PASSWORD, Site, log_in
from tests.store.factories import make_event


def _publish(site: Site, event_type: EventType, **fields: object) -> str:
    event = make_event(camera_id="gate", event_type=event_type, start_time=time.time(), **fields)
    site.store.save_event(event)
    site.ctx.broadcaster.publish_event(event)
    return event.id


def test_unread_alarm_search_and_keyboard(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("olga", "operator", PASSWORD, actor="test", client=None)
    old = make_event(camera_id="lobby", event_type=EventType.INTRUSION, zone="Loading bay", start_time=time.time() - 60)
    seen = make_event(camera_id="gate", event_type=EventType.SMOKE, start_time=time.time() - 30)
    for event in (old, seen):
        site.store.save_event(event)
    site.store.add_action(old.id, "acknowledge", "someone")  # acknowledged by someone else: still unread for olga
    site.store.reads.mark_read("olga", seen.id)  # olga opened this one before
    log_in(page, site, "olga")
    expect(page.locator("#unread")).to_have_text("1 unread (not opened by you yet)")
    expect(page).to_have_title("(1) Alerts · Gwanje")
    expect(page.locator(f"#event-{old.id}")).to_have_class(re.compile(r"\bunread\b"))
    expect(page.locator(f"#event-{old.id} .unread-mark")).to_be_visible()
    expect(page.locator(f"#event-{seen.id}")).not_to_have_class(re.compile(r"\bunread\b"))
    page.click("h1")  # a user gesture: browsers play sound only after one
    page.wait_for_timeout(300)  # let the page's EventSource connect

    _publish(site, EventType.FIRE)
    expect(page.locator("body")).to_have_attribute("data-alarms", "1", timeout=2000)
    expect(page.locator("body")).to_have_class("alarm")
    expect(page.locator("body")).to_have_attribute("data-sounds", "1")
    expect(page.locator("#unread")).to_have_text("2 unread (not opened by you yet)")
    expect(page).to_have_title("(2) Alerts · Gwanje")
    _publish(site, EventType.INTRUSION)  # not an alarm type
    expect(page.locator("#unread")).to_have_text("3 unread (not opened by you yet)")
    assert page.locator("body").get_attribute("data-alarms") == "1"

    page.keyboard.press("m")
    expect(page.locator("#sound-toggle")).to_have_text("Alarm sound: off")
    page.reload()  # remembered in this browser
    expect(page.locator("#sound-toggle")).to_have_text("Alarm sound: off")
    page.click("h1")
    page.wait_for_timeout(300)
    _publish(site, EventType.FALL)
    expect(page.locator("body")).to_have_attribute("data-alarms", "1", timeout=2000)  # flashed...
    assert page.locator("body").get_attribute("data-sounds") is None  # ...silently

    page.keyboard.press("/")
    page.keyboard.type("loading")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/events\?.*\bq=loading\b"))
    expect(page.locator("#feed tr[data-key]")).to_have_count(1)
    expect(page.locator(f"#event-{old.id}")).to_be_visible()

    page.goto(f"{site.url}/events")
    page.keyboard.press("j")
    page.keyboard.press("j")
    rows = page.locator("#feed tr[data-key]")
    expect(rows.nth(1)).to_have_class("sev-critical status-new unread selected")
    second = (rows.nth(1).get_attribute("id") or "").removeprefix("event-")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{site.url}/events/{second}")
    page.keyboard.press("n")
    page.keyboard.type("guard on the way")
    page.keyboard.press("Enter")
    expect(page.locator(".history")).to_contain_text("olga note: guard on the way")
    expect(page.locator("#event-status")).to_have_text("New")
    page.keyboard.press("a")
    expect(page.locator("#event-status")).to_have_text("Acknowledged")
    expect(page.locator("#event-keys")).to_contain_text("mark a false alarm")
    page.keyboard.press("u")
    expect(page).to_have_url(f"{site.url}/events")
    expect(page.locator(f"#event-{second}")).not_to_have_class(re.compile(r"\bunread\b"))  # opened: read for olga
    expect(page.locator("#unread")).to_have_text("3 unread (not opened by you yet)")
    page.click("#mark-all-read")
    expect(page.locator("#unread")).to_be_hidden()
    expect(page).to_have_title("Alerts · Gwanje")
    expect(page.locator("#feed tr.unread")).to_have_count(0)

    page.goto(f"{site.url}/events?lang=ko")
    expect(page.locator("#feed-keys summary")).to_have_text("단축키")
    expect(page.locator("#sound-toggle")).to_have_text("경보음: 꺼짐")
    expect(page.locator("#unread")).to_contain_text("읽지 않은 알림")
