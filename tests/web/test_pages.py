"""Pages over HTTP: setup, login, roles, language choice, CSRF and the headers every page carries."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from gwanje.api import ApiContext
from gwanje.api.accounts import SETUP_CODE_FILE
from gwanje.store import MediaStore, Store
from gwanje.web import create_web_app
from gwanje.web.i18n import MESSAGES
from tests.api.conftest import make_config
from tests.store.factories import make_event
from tests.web.conftest import PASSWORD, Web, log_in


def test_every_message_has_english_and_korean() -> None:
    for key, (en, ko) in MESSAGES.items():
        assert en.strip() and ko.strip(), key
        assert any("\uac00" <= c <= "\ud7a3" for c in ko) or key.startswith("role."), f"{key} is not Korean: {ko}"


def test_without_users_every_page_leads_to_setup_with_the_code_file(web: Web, browser_client: TestClient) -> None:
    for path in ("/", "/events", "/login"):
        response = browser_client.get(path, follow_redirects=True)
        assert response.url.path == "/setup"
    assert str(web.data_dir / SETUP_CODE_FILE) in response.text


def test_pages_need_a_login_and_keep_where_they_were_going(web: Web, browser_client: TestClient) -> None:
    web.add_user("kim", "viewer")
    response = browser_client.get("/events/abc?x=1")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fevents%2Fabc%3Fx%3D1"
    assert browser_client.get("/api/events").status_code == 401


def test_login_sets_a_private_session_cookie_and_the_feed_lists_events(web: Web, browser_client: TestClient) -> None:
    web.add_user("kim", "viewer")
    web.store.save_event(make_event(camera_id="gate"))
    assert log_in(browser_client, "kim") == 303
    cookie = next(c for c in browser_client.cookies.jar if c.name == "gwanje_session")
    assert cookie.has_nonstandard_attr("HttpOnly")
    page = browser_client.get("/events")
    assert page.status_code == 200
    assert "gate" in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    assert "cdn" not in page.text.lower() and "https://" not in page.text


def test_login_without_the_forms_csrf_token_is_refused(web: Web, browser_client: TestClient) -> None:
    web.add_user("kim", "viewer")
    response = browser_client.post("/login", data={"username": "kim", "password": PASSWORD})
    assert response.status_code == 400
    assert "gwanje_session" not in browser_client.cookies


def test_a_viewer_is_refused_the_admin_page_in_their_language(web: Web, browser_client: TestClient) -> None:
    web.add_user("kim", "viewer")
    log_in(browser_client, "kim")
    english = browser_client.get("/admin/users")
    assert english.status_code == 403
    assert "Your role (viewer) may not open this page; it needs admin." in english.text
    korean = browser_client.get("/admin/users?lang=ko")
    assert korean.status_code == 403
    assert "현재 역할(조회자)로는 이 페이지를 열 수 없습니다. 관리자 권한이 필요합니다." in korean.text


def test_the_language_follows_the_browser_then_the_choice_is_remembered(web: Web, browser_client: TestClient) -> None:
    web.add_user("kim", "viewer")
    log_in(browser_client, "kim")
    assert '<html lang="ko">' in browser_client.get("/events", headers={"Accept-Language": "ko-KR,ko;q=0.9"}).text
    assert '<html lang="en">' in browser_client.get("/events", headers={"Accept-Language": "fr, en;q=0.5"}).text
    browser_client.get("/events?lang=ko")
    page = browser_client.get("/events", headers={"Accept-Language": "en"})
    assert '<html lang="ko">' in page.text and "알림" in page.text


def test_an_admin_adds_a_user_who_can_then_log_in(web: Web, browser_client: TestClient) -> None:
    web.add_user("boss", "admin")
    log_in(browser_client, "boss")
    page = browser_client.get("/admin/users")
    csrf = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    added = browser_client.post(
        "/admin/users", data={"username": "olga", "password": PASSWORD, "role": "operator", "csrf_token": csrf}
    )
    assert added.status_code == 200 and "olga" in added.text
    user = web.store.accounts.get_user("olga")
    assert user is not None and user.role == "operator"
    assert web.store.list_audit(action="user_add")[0].actor == "boss"


@pytest.fixture
def three_failures_a_minute(tmp_path: Path) -> Iterator[ApiContext]:
    """A production site allowing 3 failed logins a minute per address, with the viewer kim."""
    config = make_config(tmp_path / "data", mode="production", login_attempts_per_minute=3)
    store = Store.open(config.store)
    ctx = ApiContext.create(config, store, MediaStore.for_config(config.store))
    ctx.accounts.create_user("kim", "viewer", PASSWORD, actor="test", client=None)
    try:
        yield ctx
    finally:
        store.close()


def test_login_attempts_from_one_address_are_limited_with_retry_after(three_failures_a_minute: ApiContext) -> None:
    """api.login_attempts_per_minute failed logins per client address: one more attempt is 429, even with the right
    password, and says how long to wait."""
    ctx = three_failures_a_minute
    with TestClient(create_web_app(ctx), follow_redirects=False) as client:
        for _ in range(3):
            assert log_in(client, "kim", "not the password") == 401
        page = client.get("/login")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        limited = client.post("/login", data={"username": "kim", "password": PASSWORD, "csrf_token": token})
        assert limited.status_code == 429
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        assert "gwanje_session" not in client.cookies
    assert next(a.detail for a in ctx.store.list_audit(action="login_failed")) == "rate limited"


def test_successful_logins_do_not_use_up_the_limit(three_failures_a_minute: ApiContext) -> None:
    """A shift change behind one proxy: many people log in from one address within a minute."""
    with TestClient(create_web_app(three_failures_a_minute), follow_redirects=False) as client:
        for _ in range(5):
            assert log_in(client, "kim", PASSWORD) == 303
            client.cookies.clear()
        assert log_in(client, "kim", "not the password") == 401
        assert log_in(client, "kim", PASSWORD) == 303
