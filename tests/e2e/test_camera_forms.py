"""In a real browser: an admin adds a camera with the form, tests its connection (a frame, or the exact error),
disables it and deletes it; Korean and English."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD, Site, log_in


def test_an_admin_adds_tests_disables_and_deletes_a_camera(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("adam", "admin", PASSWORD, actor="test", client=None)
    log_in(page, site, "adam", next_path="%2Fadmin%2Fcameras")
    page.click("#camera-add")
    expect(page.locator("h1")).to_have_text("Add camera")
    page.fill("input[name=id]", "dock")
    page.fill("input[name=name]", "Loading dock")
    page.fill("input[name=url]", "/nonexistent/dock.mp4")
    page.click("#camera-test")
    expect(page.locator("#camera-message")).to_contain_text("/nonexistent/dock.mp4", timeout=15000)
    page.fill("input[name=url]", "demo:")
    page.click("#camera-test")
    expect(page.locator("#camera-message")).to_have_text("Connected: the first frame is shown.", timeout=15000)
    expect(page.locator("#camera-test-frame")).not_to_have_js_property("naturalWidth", 0)
    page.fill("textarea[name=rules]", "[{")
    page.click("#camera-form button[type=submit]")
    expect(page.locator("#camera-message")).to_have_text("The rules are not valid JSON.")
    page.fill("textarea[name=rules]", "[]")
    page.click("#camera-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Camera Loading dock")
    assert [a.actor for a in site.store.list_audit(action="camera_add")] == ["adam"]

    page.click("#camera-toggle")
    expect(page.locator("#camera-toggle")).to_have_text("Enable")
    camera = site.ctx.camera("dock")
    assert camera is not None and not camera.enabled
    page.goto(f"{site.url}/admin/cameras/dock?lang=ko")
    expect(page.locator("#camera-toggle")).to_have_text("사용")
    page.goto(f"{site.url}/admin/cameras/dock?lang=en")
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("#camera-delete")
    expect(page.locator("h1")).to_have_text("Cameras")
    expect(page.locator("#camera-dock")).to_have_count(0)
    assert site.ctx.camera("dock") is None
