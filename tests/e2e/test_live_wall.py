"""In a real browser: the live wall's tiles (frame, health, new-alert badge), its layouts, a camera's own view with
its recent alerts, in English and Korean; watching is recorded in the audit log."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from gwanje.core.events import EventType
from tests.e2e.conftest import PASSWORD, Site, log_in
from tests.store.factories import make_event


def test_an_operator_watches_the_wall_and_opens_an_alerting_camera(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("olga", "operator", PASSWORD, actor="test", client=None)
    log_in(page, site, "olga", next_path="%2Flive")
    expect(page).to_have_url(f"{site.url}/live")
    expect(page.locator("h1")).to_have_text("Live wall")
    gate, lobby = page.locator("#tile-gate"), page.locator("#tile-lobby")
    expect(gate.locator(".name")).to_have_text("Front gate")
    expect(gate.locator(".health")).to_have_text("Live")
    expect(gate).to_have_class("tile state-live has-frame")  # its frame arrived
    expect(gate.locator("img.frame")).to_have_js_property("naturalWidth", 128)
    expect(lobby.locator(".health")).to_have_text("Offline")
    expect(lobby.locator(".no-frame")).to_be_visible()
    expect(page.locator("#tile-yard .health")).to_have_text("Disabled")
    expect(gate.locator(".badge")).to_be_hidden()
    page.wait_for_timeout(300)  # let the page's EventSource connect

    fire = make_event(camera_id="gate", event_type=EventType.FIRE, start_time=time.time())
    site.store.save_event(fire)
    site.ctx.broadcaster.publish_event(fire)
    expect(gate.locator(".badge")).to_have_text("1 new alert(s)", timeout=2000)
    expect(page.locator("#wall .tile").first).to_have_id("tile-gate")  # moved to the front

    page.click("nav.layouts a[data-layout='1']")
    expect(page.locator("#wall .tile")).to_have_count(1)
    expect(page.locator(".pager")).to_contain_text("Page 1 of 3")

    page.click("#tile-gate")
    expect(page).to_have_url(f"{site.url}/live/gate")
    expect(page.locator(f"#event-{fire.id}")).to_contain_text("Fire")
    page.click("text=한국어")
    expect(page.locator("#tile-gate .health")).to_have_text("정상")
    expect(page.locator(f"#event-{fire.id}")).to_contain_text("화재")
    page.click("text=실시간 영상 월로 돌아가기")
    expect(page.locator("h1")).to_have_text("실시간 영상 월")
    expect(page.locator("#tile-lobby .health")).to_have_text("오프라인")

    views = [(a.actor, a.target) for a in site.store.list_audit() if a.action == "view_live"]
    assert views == [("olga", "camera:gate")]  # once, however many frames the tile fetched
