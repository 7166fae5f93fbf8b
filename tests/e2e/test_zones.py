"""In a real browser: an admin sees the cameras, draws a zone on a camera's frame and saves it; a viewer is refused.
English and Korean."""

from __future__ import annotations

import json

from playwright.sync_api import Page, expect

from gwanje.config.managed import OVERRIDES_FILE
from tests.e2e.conftest import PASSWORD, Site, log_in


def test_an_admin_draws_a_zone_and_it_is_saved(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras")
    expect(page.locator("h1")).to_have_text("Cameras")
    expect(page.locator("#camera-gate .health")).to_have_text("Live")
    expect(page.locator("#camera-lobby .health")).to_have_text("Offline")
    page.click("#camera-gate >> text=Draw zones")
    expect(page.locator("h1")).to_have_text("Zones of Front gate")
    expect(page.locator("#zone-frame")).to_have_js_property("naturalWidth", 128)
    canvas = page.locator("#zone-canvas")
    box = canvas.bounding_box()
    assert box is not None
    corners = [(0.1, 0.2), (0.6, 0.2), (0.6, 0.8), (0.1, 0.8)]
    page.click("#zone-form button[type=submit]")  # nothing drawn yet
    for x, y in corners[:2]:
        canvas.click(position={"x": x * box["width"], "y": y * box["height"]})
    page.fill("input[name=name]", "fence")
    page.click("#zone-form button[type=submit]")
    expect(page.locator("#zone-message")).to_have_text("A zone needs at least 3 points.")
    for x, y in corners[2:]:
        canvas.click(position={"x": x * box["width"], "y": y * box["height"]})
    expect(page.locator("#zone-points")).to_have_text("4 point(s)")
    page.click("#zone-form button[type=submit]")
    expect(page.locator("#zone-message")).to_have_text("Zone fence saved: the camera uses it now.")
    expect(page.locator("#zone-list li[data-zone=fence]")).to_contain_text("no rule watches it yet")
    expect(page.locator("#zone-yaml")).to_contain_text('- name: "fence"')

    saved = json.loads((site.data_dir / OVERRIDES_FILE).read_text())["cameras"]["gate"]["zones"][0]["polygon"]
    assert len(saved) == 4
    for (x, y), (sx, sy) in zip(corners, saved, strict=True):
        assert abs(x - sx) < 0.02 and abs(y - sy) < 0.02
    assert [a.actor for a in site.store.list_audit() if a.action == "zone_save"] == ["adam"]

    page.reload()  # saved on the server, not only in the page
    expect(page.locator("#zone-list li[data-zone=fence]")).to_be_visible()
    page.click("text=한국어")
    expect(page.locator("h1")).to_have_text("Front gate 구역")
    expect(page.locator("#zone-list li[data-zone=fence]")).to_contain_text("감시하는 규칙이 없습니다")


def test_a_viewer_is_refused_the_camera_pages(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("vic", "viewer", PASSWORD, actor="test", client=None)
    log_in(page, site, "vic", next_path="%2Fevents")
    expect(page.locator("nav")).not_to_contain_text("Cameras")
    response = page.goto(f"{site.url}/admin/cameras/gate/zones?lang=ko")
    assert response is not None and response.status == 403
    expect(page.locator(".error")).to_contain_text("관리자 권한이 필요합니다")


def test_a_zone_is_drawn_with_the_keyboard_alone(site: Site, page: Page) -> None:
    """Keyboard reachable: Tab to the picture, arrows move the cross, Enter adds corners, Backspace undoes one."""
    site.ctx.accounts.create_user("kira", "admin", PASSWORD, actor="test", client=None)
    log_in(page, site, "kira", next_path="%2Fadmin%2Fcameras%2Fgate%2Fzones")
    expect(page.locator("#zone-frame")).to_have_js_property("naturalWidth", 128)
    page.locator("#zone-canvas").focus()
    keyboard = page.keyboard
    # from the centre (0.5, 0.5): up-left 0.3 with Shift (6 x 5 %), then three more corners
    for key, presses in (("ArrowLeft", 6), ("ArrowUp", 6)):
        for _ in range(presses):
            keyboard.press(f"Shift+{key}")
    keyboard.press("Enter")
    for _ in range(40):
        keyboard.press("ArrowRight")  # 1 % a press
    keyboard.press("Space")
    keyboard.press("Enter")  # a stray point, taken back
    keyboard.press("Backspace")
    for _ in range(12):
        keyboard.press("Shift+ArrowDown")
    keyboard.press("Enter")
    expect(page.locator("#zone-points")).to_have_text("3 point(s)")
    page.keyboard.press("Tab")  # on to the form: the name field
    keyboard.type("door")
    keyboard.press("Enter")  # submits the form
    expect(page.locator("#zone-message")).to_have_text("Zone door saved: the camera uses it now.")
    saved = json.loads((site.data_dir / OVERRIDES_FILE).read_text())["cameras"]["gate"]["zones"][0]["polygon"]
    for (x, y), (sx, sy) in zip([(0.2, 0.2), (0.6, 0.2), (0.6, 0.8)], saved, strict=True):
        assert abs(x - sx) < 0.005 and abs(y - sy) < 0.005
