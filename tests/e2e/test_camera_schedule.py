"""In a real browser: an admin gives a camera a schedule and its own alert thresholds with the form's fields (no JSON);
the camera has them at once, the other settings of the changed event type stay, and the form shows them again."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Site, log_in


def test_an_admin_sets_a_schedule_and_thresholds(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras%2Fgate")
    expect(page.locator("h1")).to_have_text("Camera Front gate")
    expect(page.locator("input[name=threshold-fire]")).to_have_value("0.5")
    page.fill("input[name=timezone]", "Asia/Seoul")
    page.click("#schedule-add")
    window = page.locator("#schedule-windows .schedule-window").first
    for day in ("sat", "sun"):
        window.locator(f"input[name=day][value={day}]").uncheck()
    window.locator("input[name=start]").fill("22:00:00")
    window.locator("input[name=end]").fill("06:30:00")
    page.fill("input[name=threshold-fire]", "0.35")
    page.uncheck("input[name=enabled-loitering]")
    page.click("#camera-form button[type=submit]")
    expect(page.locator("#camera-message")).to_have_text("Saved and applied.")

    camera = site.ctx.camera("gate")
    assert camera is not None
    assert camera.schedule.timezone == "Asia/Seoul"
    (armed,) = camera.schedule.windows
    assert armed.days == ["mon", "tue", "wed", "thu", "fri"]
    assert (armed.start, armed.end) == (dt.time(22, 0), dt.time(6, 30))
    assert camera.events.fire is not None and camera.events.fire.threshold == 0.35
    assert camera.events.fire.confirm_frames == 3 and camera.events.fire.window_frames == 5  # the rest kept
    assert camera.events.loitering is not None and not camera.events.loitering.enabled
    assert camera.events.smoke is None  # unchanged types are not written

    page.goto(f"{site.url}/admin/cameras/gate?lang=ko")
    expect(page.locator("input[name=threshold-fire]")).to_have_value("0.35")
    expect(page.locator("input[name=enabled-loitering]")).not_to_be_checked()
    expect(page.locator("#schedule-windows input[name=start]")).to_have_value("22:00:00")
    expect(page.locator("#schedule")).to_contain_text("알림을 내는 시간")
    page.locator("#schedule-windows .schedule-remove").click()
    page.click("#camera-form button[type=submit]")
    expect(page.locator("#camera-message")).to_have_text("저장하고 적용했습니다.")
    camera = site.ctx.camera("gate")
    assert camera is not None and camera.schedule.windows == []
