"""People who log in: login with rate limiting and lock-out, sessions, CSRF tokens, password changes, new users.

A session cookie holds a random token; the database keeps only HMAC(key, token), so its sessions table
opens no session. CSRF tokens are HMAC(key, "csrf:" + token): a page gets its session's token, another
site cannot compute it. Before login, the form's CSRF token is tied the same way to a random cookie.
Every login, failed login, logout, password change and new user is written to the audit chain.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from gwanje.api.passwords import check_new_password, hash_password, verify_password
from gwanje.api.ratelimit import RateLimiter
from gwanje.api.secret_files import read_or_create_secret
from gwanje.config.api import ApiConfig
from gwanje.store.accounts import ROLES, UserRecord
from gwanje.store.repo import Store

log = logging.getLogger(__name__)

SESSION_SECRET_FILE = "session-secret"
SETUP_CODE_FILE = "setup-code"
USER_NAME_MAX = 64


class LoginOutcome(StrEnum):
    OK = "ok"
    WRONG = "wrong"
    """Unknown user or wrong password: the same answer for both."""
    LOCKED = "locked"
    RATE_LIMITED = "rate_limited"


@dataclass(frozen=True)
class LoginResult:
    outcome: LoginOutcome
    session_token: str | None = None
    user: UserRecord | None = None
    retry_after_s: float = 0.0


def check_user_name(name: str) -> str:
    """The name without surrounding blanks; ValueError saying what is wrong."""
    name = name.strip()
    if not name or len(name) > USER_NAME_MAX or any(c.isspace() or not c.isprintable() for c in name):
        raise ValueError(f"a user name has 1 to {USER_NAME_MAX} printable characters without spaces")
    return name


class Accounts:
    """Users, sessions and their audit entries, over ``store.accounts``."""

    def __init__(self, store: Store, api: ApiConfig, data_dir: Path) -> None:
        self._store = store
        self._api = api
        self._data_dir = data_dir
        secret = api.session_secret.get_secret_value() if api.session_secret else None
        self._key = (secret or read_or_create_secret(data_dir / SESSION_SECRET_FILE, "session key")).encode()
        self._limiter = RateLimiter(api.login_attempts_per_minute)

    @property
    def session_lifetime_s(self) -> float:
        return self._api.session_max_hours * 3600.0

    def _mac(self, purpose: str, token: str) -> str:
        return hmac.new(self._key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()

    # ---- first admin --------------------------------------------------------------------------

    def needs_setup(self) -> bool:
        return self._store.accounts.count_users() == 0

    def ensure_setup_code(self) -> Path | None:
        """While there is no user, a one-time code in ``<data_dir>/setup-code`` that /setup asks for.

        Only someone who can read the server's files can create the first admin: an exposed fresh install is
        not handed to whoever opens it first. Returns the file's path (logged, the code never is).
        """
        if not self.needs_setup():
            return None
        path = self._data_dir / SETUP_CODE_FILE
        read_or_create_secret(path, "first-admin setup code")
        return path

    def check_setup_code(self, presented: str) -> bool:
        path = self._data_dir / SETUP_CODE_FILE
        if not path.is_file():
            return False
        return hmac.compare_digest(path.read_text(encoding="utf-8").strip().encode(), presented.strip().encode())

    def create_first_admin(self, name: str, password: str, client: str | None) -> UserRecord:
        user = self.create_user(name, "admin", password, actor=name, client=client)
        (self._data_dir / SETUP_CODE_FILE).unlink(missing_ok=True)
        return user

    # ---- users --------------------------------------------------------------------------------

    def create_user(self, name: str, role: str, password: str, actor: str, client: str | None) -> UserRecord:
        """Validate, hash and store; ValueError (WeakPassword, UserExists, bad name or role) says what is wrong."""
        name = check_user_name(name)
        if role not in ROLES:
            raise ValueError(f"role must be one of {', '.join(ROLES)}, got {role!r}")
        check_new_password(password, name)
        user = self._store.accounts.add_user(name, role, hash_password(password))
        self._store.audit(actor, "user_add", f"user:{name}", client, detail=f"role={role}")
        return user

    def change_password(
        self, user: UserRecord, session_token: str | None, old: str, new: str, client: str | None
    ) -> bool:
        """False when ``old`` is wrong; WeakPassword when ``new`` breaks a rule. Ends the user's other sessions."""
        if not verify_password(user.password_hash, old):
            self._store.audit(user.name, "password_change_failed", f"user:{user.name}", client, detail="wrong password")
            return False
        check_new_password(new, user.name)
        keep = self._mac("session", session_token) if session_token else None
        self._store.accounts.set_password(user.id, hash_password(new), keep_session=keep)
        self._store.audit(user.name, "password_change", f"user:{user.name}", client)
        return True

    # ---- login and sessions -------------------------------------------------------------------

    def login(self, name: str, password: str, client: str | None) -> LoginResult:
        address = client or "unknown"
        wait = self._limiter.wait(address)
        name = name.strip()[:USER_NAME_MAX]
        if wait:
            self._store.audit(name, "login_failed", f"user:{name}", client, detail="rate limited")
            return LoginResult(LoginOutcome.RATE_LIMITED, retry_after_s=wait)
        user = self._store.accounts.get_user(name) if name else None
        now = self._store.clock.time()
        if user is not None and user.locked_until is not None and user.locked_until > now:
            verify_password(None, password)  # same cost as any other answer
            self._limiter.count(address)
            self._store.audit(name, "login_failed", f"user:{name}", client, detail="locked")
            return LoginResult(LoginOutcome.LOCKED, retry_after_s=user.locked_until - now)
        if user is None or not verify_password(user.password_hash, password):
            # only failures count: a shift change behind one proxy logs many people in within a minute
            self._limiter.count(address)
            locked_until = None
            if user is not None:
                locked_until = self._store.accounts.login_failed(
                    user.id, self._api.login_max_failures, self._api.login_lockout_minutes * 60.0
                )
            detail = "unknown user" if user is None else "wrong password" + (", locked" if locked_until else "")
            self._store.audit(name, "login_failed", f"user:{name}", client, detail=detail)
            if locked_until is not None:  # measured now: the password check above took a while
                return LoginResult(LoginOutcome.LOCKED, retry_after_s=locked_until - self._store.clock.time())
            return LoginResult(LoginOutcome.WRONG)
        self._store.accounts.login_succeeded(user.id)
        token = secrets.token_urlsafe(32)
        self._store.accounts.create_session(self._mac("session", token), user.id, self.session_lifetime_s)
        self._store.audit(user.name, "login", f"user:{user.name}", client)
        return LoginResult(LoginOutcome.OK, session_token=token, user=user)

    def session_user(self, token: str) -> UserRecord | None:
        return self._store.accounts.session_user(self._mac("session", token), self._api.session_idle_minutes * 60.0)

    def logout(self, token: str, user: UserRecord, client: str | None) -> None:
        self._store.accounts.end_session(self._mac("session", token))
        self._store.audit(user.name, "logout", f"user:{user.name}", client)

    # ---- CSRF ---------------------------------------------------------------------------------

    def csrf_token(self, session_token: str) -> str:
        return self._mac("csrf", session_token)

    def csrf_ok(self, session_token: str, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token(session_token), presented or "")

    def login_csrf_token(self, pre_token: str) -> str:
        """The login and setup forms' CSRF token, tied to the random pre-login cookie."""
        return self._mac("login-csrf", pre_token)

    def login_csrf_ok(self, pre_token: str | None, presented: str | None) -> bool:
        if not pre_token or not presented:
            return False
        return hmac.compare_digest(self.login_csrf_token(pre_token), presented)
