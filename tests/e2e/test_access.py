"""In a real browser: first-run admin setup, login and lock-out, a viewer refused an admin page, Korean and English."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from gwanje.api.accounts import SETUP_CODE_FILE
from tests.e2e.conftest import PASSWORD, Site, log_in


def test_first_run_asks_for_an_admin_then_logs_in(site: Site, page: Page) -> None:
    page.goto(f"{site.url}/events")
    expect(page).to_have_url(f"{site.url}/setup")
    code = (site.data_dir / SETUP_CODE_FILE).read_text().strip()
    page.fill("input[name=setup_code]", "not the code")
    page.fill("input[name=username]", "chief")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".error")).to_have_text("Wrong setup code.")
    page.fill("input[name=setup_code]", code)
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=password_confirm]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator(".notice")).to_have_text("The administrator was created: log in.")
    log_in(page, site, "chief")
    expect(page).to_have_url(f"{site.url}/events")
    expect(page.locator("#current-user")).to_have_text("chief")
    page.goto(f"{site.url}/admin/users")
    expect(page.locator("table")).to_contain_text("chief")
    page.click("text=Log out")
    expect(page).to_have_url(f"{site.url}/login")
    page.goto(f"{site.url}/events")
    expect(page).to_have_url(f"{site.url}/login?next=%2Fevents")
    assert [a.action for a in site.store.list_audit()][:3] == ["logout", "login", "user_add"]


def test_wrong_passwords_lock_the_account_even_for_the_right_one(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("kim", "operator", PASSWORD, actor="test", client=None)
    for _ in range(4):
        log_in(page, site, "kim", "wrong password")
        expect(page.locator(".error")).to_have_text("Wrong user name or password.")
    log_in(page, site, "kim", "wrong password")
    expect(page.locator(".error")).to_contain_text("this account is locked for 15 more minute(s)")
    log_in(page, site, "kim")
    expect(page.locator(".error")).to_contain_text("locked")
    expect(page).to_have_url(f"{site.url}/login")
    assert site.store.verify_audit().ok


def test_a_viewer_is_refused_the_admin_page_in_english_and_korean(site: Site, page: Page) -> None:
    site.ctx.accounts.create_user("vic", "viewer", PASSWORD, actor="test", client=None)
    log_in(page, site, "vic")
    expect(page.locator("h1")).to_have_text("Alerts")
    response = page.goto(f"{site.url}/admin/users")
    assert response is not None and response.status == 403
    expect(page.locator(".error")).to_have_text("Your role (viewer) may not open this page; it needs admin.")
    page.click("text=한국어")
    expect(page.locator(".error")).to_have_text(
        "현재 역할(조회자)로는 이 페이지를 열 수 없습니다. 관리자 권한이 필요합니다."
    )
    page.goto(f"{site.url}/events")  # the choice is remembered
    expect(page.locator("h1")).to_have_text("알림")
    expect(page.locator("nav")).not_to_contain_text("사용자")


def test_a_korean_browser_gets_korean_pages(site: Site, browser: Browser) -> None:
    site.ctx.accounts.create_user("lee", "viewer", PASSWORD, actor="test", client=None)
    context = browser.new_context(locale="ko-KR")
    try:
        page = context.new_page()
        page.goto(f"{site.url}/login")
        expect(page.locator("h1")).to_have_text("로그인")
        log_in(page, site, "lee", "wrong password")
        expect(page.locator(".error")).to_have_text("사용자 이름 또는 비밀번호가 올바르지 않습니다.")
        page.goto(f"{site.url}/login?lang=en")
        expect(page.locator("h1")).to_have_text("Log in")
    finally:
        context.close()
