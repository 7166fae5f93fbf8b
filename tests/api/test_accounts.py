"""Web users: password hashes, login with lock-out and rate limit, sessions, CSRF and roles over the API."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from gwanje.api.accounts import SESSION_SECRET_FILE, SETUP_CODE_FILE, LoginOutcome
from gwanje.api.auth import CSRF_HEADER, SESSION_COOKIE
from gwanje.api.passwords import WeakPassword, check_new_password, hash_password, verify_password
from gwanje.api.ratelimit import RateLimiter
from gwanje.store.accounts import UserExists
from tests.api.conftest import Api
from tests.store.factories import make_event

PASSWORD = "correct horse battery"


def test_passwords_are_stored_as_argon2id_and_verified() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "!")
    assert not verify_password(None, PASSWORD)
    assert not verify_password("not a hash", PASSWORD)


@pytest.mark.parametrize(
    ("password", "message"), [("short", "at least 10"), ("x" * 300, "at most 256"), ("Operator-1", "user name")]
)
def test_weak_passwords_are_refused_with_the_rule(password: str, message: str) -> None:
    with pytest.raises(WeakPassword, match=message) as info:
        check_new_password(password, "operator-1")
    assert password not in str(info.value)


def test_users_are_unique_and_their_names_checked(api: Api) -> None:
    api.ctx.accounts.create_user("kim", "operator", PASSWORD, actor="cli", client=None)
    with pytest.raises(UserExists):
        api.ctx.accounts.create_user("kim", "viewer", PASSWORD, actor="cli", client=None)
    with pytest.raises(ValueError, match="without spaces"):
        api.ctx.accounts.create_user("kim lee", "viewer", PASSWORD, actor="cli", client=None)
    with pytest.raises(ValueError, match="role must be one of"):
        api.ctx.accounts.create_user("lee", "root", PASSWORD, actor="cli", client=None)
    assert api.store.list_audit(action="user_add")[0].detail == "role=operator"


def test_login_locks_out_after_the_configured_failures(api: Api) -> None:
    accounts = api.ctx.accounts
    accounts.create_user("kim", "viewer", PASSWORD, actor="cli", client=None)
    outcomes = [accounts.login("kim", "wrong password!", "10.0.0.1").outcome for _ in range(5)]
    assert outcomes == [LoginOutcome.WRONG] * 4 + [LoginOutcome.LOCKED]
    locked = accounts.login("kim", PASSWORD, "10.0.0.1")  # the right password does not open a locked account
    assert locked.outcome == LoginOutcome.LOCKED
    assert 14 * 60 < locked.retry_after_s <= 15 * 60
    assert accounts.login("nobody", PASSWORD, "10.0.0.1").outcome == LoginOutcome.WRONG
    details = [a.detail for a in api.store.list_audit(action="login_failed")]
    assert details[:3] == ["unknown user", "locked", "wrong password, locked"]
    assert api.store.verify_audit().ok


def test_failures_per_client_are_rate_limited() -> None:
    now = [0.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    for _ in range(3):
        assert limiter.wait("a") == 0.0
        limiter.count("a")
    assert limiter.wait("a") == pytest.approx(60.0)
    assert limiter.wait("b") == 0.0
    now[0] = 60.5
    assert limiter.wait("a") == 0.0


def test_a_session_cookie_reads_the_api_and_changes_need_the_csrf_token(api: Api) -> None:
    accounts = api.ctx.accounts
    accounts.create_user("olga", "operator", PASSWORD, actor="cli", client=None)
    result = accounts.login("olga", PASSWORD, "10.0.0.1")
    assert result.outcome == LoginOutcome.OK and result.session_token
    event = make_event()
    api.store.save_event(event)
    cookies = {SESSION_COOKIE: result.session_token}
    api.client.cookies.update(cookies)
    try:
        assert api.client.get("/api/events").status_code == 200
        refused = api.client.post(f"/api/events/{event.id}/acknowledge")
        assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
        wrong = api.client.post(f"/api/events/{event.id}/acknowledge", headers={CSRF_HEADER: "x" * 64})
        assert wrong.status_code == 403
        csrf = accounts.csrf_token(result.session_token)
        done = api.client.post(f"/api/events/{event.id}/acknowledge", headers={CSRF_HEADER: csrf})
        assert done.status_code == 200
        assert api.store.list_actions(event.id)[0].actor == "olga"
        assert api.client.get("/api/audit").status_code == 403  # an operator is no admin
        accounts.logout(result.session_token, accounts.session_user(result.session_token) or pytest.fail(), None)
        assert api.client.get("/api/events").status_code == 401
    finally:
        api.client.cookies.clear()


def test_a_password_change_ends_the_other_sessions(api: Api) -> None:
    accounts = api.ctx.accounts
    accounts.create_user("vic", "viewer", PASSWORD, actor="cli", client=None)
    here = accounts.login("vic", PASSWORD, None).session_token
    elsewhere = accounts.login("vic", PASSWORD, None).session_token
    assert here and elsewhere
    user = accounts.session_user(here)
    assert user is not None
    assert not accounts.change_password(user, here, "not my password", "a brand new secret", None)
    assert accounts.change_password(user, here, PASSWORD, "a brand new secret", None)
    assert accounts.session_user(here) is not None
    assert accounts.session_user(elsewhere) is None
    assert accounts.login("vic", "a brand new secret", None).outcome == LoginOutcome.OK


def test_csrf_tokens_are_tied_to_their_session_and_the_key_is_private(api: Api, tmp_path: Path) -> None:
    accounts = api.ctx.accounts
    assert accounts.csrf_ok("session-a", accounts.csrf_token("session-a"))
    assert not accounts.csrf_ok("session-b", accounts.csrf_token("session-a"))
    assert not accounts.login_csrf_ok(None, accounts.login_csrf_token("pre"))
    assert accounts.login_csrf_ok("pre", accounts.login_csrf_token("pre"))
    key = api.ctx.config.store.data_dir / SESSION_SECRET_FILE
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_the_first_admin_needs_the_setup_code_from_the_data_dir(api: Api) -> None:
    accounts = api.ctx.accounts
    path = accounts.ensure_setup_code()
    assert path == api.ctx.config.store.data_dir / SETUP_CODE_FILE
    code = path.read_text().strip()
    assert not accounts.check_setup_code("guess")
    assert accounts.check_setup_code(code)
    accounts.create_first_admin("root-admin", PASSWORD, "10.0.0.1")
    assert not path.exists()
    assert accounts.ensure_setup_code() is None
    assert not accounts.check_setup_code(code)
