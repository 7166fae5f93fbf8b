"""In a real browser: an admin changes a rule's own settings and gives it a schedule with the camera form's fields (no
JSON); the camera runs with them at once, the rule's other settings stay, and the form shows them again."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from gwanje.config.camera import ZoneConfig
from gwanje.config.rules import IntrusionRuleConfig, LoiteringRuleConfig
from tests.e2e.conftest import PASSWORD, Site, log_in

SQUARE = [(0.1, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9)]


def test_an_admin_sets_a_rules_settings_and_schedule_with_fields(site: Site, page: Page) -> None:
    gate = site.ctx.camera("gate")
    assert gate is not None
    site.ctx.camera_control.update(
        gate.model_copy(
            update={
                "zones": [ZoneConfig(name="door", polygon=SQUARE)],
                "rules": [
                    IntrusionRuleConfig(zone="door", min_dwell_s=1.5),
                    LoiteringRuleConfig(zone="door", labels=["person", "car"]),
                ],
            }
        )
    )
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras%2Fgate")
    intrusion, loitering = page.locator("fieldset.rule").nth(0), page.locator("fieldset.rule").nth(1)
    expect(intrusion.locator("legend")).to_have_text("Intrusion: door")
    expect(intrusion.locator("[data-field=min_dwell_s]")).to_have_value("1.5")
    expect(loitering.locator("[data-field=labels]")).to_have_value("person, car")

    intrusion.locator("[data-field=min_dwell_s]").fill("3")
    loitering.locator("[data-field=min_time_s]").fill("45")
    loitering.locator(".rule-timezone").fill("Asia/Seoul")
    loitering.locator(".rule-schedule-add").click()
    window = loitering.locator(".schedule-window").first
    for day in ("sat", "sun"):
        window.locator(f"input[name=day][value={day}]").uncheck()
    window.locator("input[name=start]").fill("20:00:00")
    window.locator("input[name=end]").fill("07:00:00")
    page.click("#camera-form button[type=submit]")
    expect(page.locator("#camera-message")).to_have_text("Saved and applied.")

    camera = site.ctx.camera("gate")
    assert camera is not None
    first, second = camera.rules
    assert isinstance(first, IntrusionRuleConfig) and first.min_dwell_s == 3.0 and first.schedule.windows == []
    assert isinstance(second, LoiteringRuleConfig) and second.min_time_s == 45.0
    assert second.labels == ["person", "car"] and second.max_gap_s == 2.0  # unchanged settings kept
    assert second.schedule.timezone == "Asia/Seoul"
    (armed,) = second.schedule.windows
    assert armed.days == ["mon", "tue", "wed", "thu", "fri"] and (armed.start, armed.end) == (dt.time(20), dt.time(7))

    loitering.locator("[data-field=labels]").fill("person")  # a second save from the same page
    page.click("#camera-form button[type=submit]")
    expect(page.locator("#camera-message")).to_have_text("Saved and applied.")
    camera = site.ctx.camera("gate")
    assert camera is not None and camera.rules[1].labels == ["person"] and camera.rules[0].min_dwell_s == 3.0

    page.goto(f"{site.url}/admin/cameras/gate?lang=ko")
    expect(page.locator("fieldset.rule").nth(1).locator("[data-field=min_time_s]")).to_have_value("45.0")
    expect(page.locator("fieldset.rule").nth(1).locator("input[name=start]")).to_have_value("20:00:00")
    expect(page.locator("#rule-fields legend").first).to_have_text("규칙")
