"""Who is calling: bearer tokens (integrations) or a web session cookie (people), with roles viewer < operator < admin.

Browsers' ``EventSource`` and ``<video>`` cannot send headers, so the live stream and clip
endpoints also accept ``?token=``; the access log filter below masks it. A request authenticated by
the session cookie that changes something (POST, ...) must carry the session's CSRF token in the
``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hmac
import logging
import math
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path
from typing import Annotated

from fastapi import Depends, HTTPException, Query, Request, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from gwanje.api.ratelimit import RateLimiter
from gwanje.config.api import MIN_TOKEN_LENGTH, ApiConfig
from gwanje.core.private_file import write_private

log = logging.getLogger(__name__)

DEV_TOKEN_FILE = "api-token"
DEV_TOKEN_NAME = "dev"
SESSION_COOKIE = "gwanje_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class Role(IntEnum):
    """Each role may do everything the lower ones may."""

    VIEWER = 1
    OPERATOR = 2
    ADMIN = 3


@dataclass(frozen=True)
class Principal:
    """Who made a request: the token's name is what the audit log and operator actions record."""

    name: str
    role: Role
    cameras: frozenset[str] | None = None
    """The cameras this caller may see (their camera groups); None: every camera (admins, tokens, no groups yet)."""

    def sees(self, camera_id: str) -> bool:
        return self.cameras is None or camera_id in self.cameras


@dataclass(frozen=True)
class _Token:
    secret: bytes
    principal: Principal


class TooManyWrongTokens(Exception):
    """This client address presented too many wrong tokens in the last minute; it must wait ``retry_after_s``."""

    def __init__(self, retry_after_s: float) -> None:
        self.retry_after_s = max(1, math.ceil(retry_after_s))
        super().__init__(f"too many wrong tokens from this address: wait {self.retry_after_s} s")


class TokenAuth:
    """Checks bearer tokens in constant time (none configured: only web sessions get in).

    Wrong tokens are counted per client address: past ``failures_per_minute`` of them, every token from that
    address (the right one too, so that guessing learns nothing) is refused with ``TooManyWrongTokens``."""

    def __init__(self, tokens: list[tuple[str, str, Role]], failures_per_minute: int = 10) -> None:
        self._tokens = [_Token(secret.encode(), Principal(name, role)) for name, secret, role in tokens]
        self._failures = RateLimiter(failures_per_minute)

    @classmethod
    def from_config(cls, api: ApiConfig, data_dir: Path) -> TokenAuth:
        """The configured tokens; in development mode without tokens, an admin token kept in the data dir.

        Production mode without tokens has none: people log in to the web app, integrations need api.tokens.
        """
        limit = api.token_failures_per_minute
        if api.tokens:
            return cls([(t.name, t.token.get_secret_value(), Role[t.role.upper()]) for t in api.tokens], limit)
        if api.mode == "production":
            log.info("api.tokens is empty: only web users can get in (integrations need a token in api.tokens)")
            return cls([], limit)
        return cls([(DEV_TOKEN_NAME, ensure_dev_token(data_dir), Role.ADMIN)], limit)

    def authenticate(self, presented: str, client: str | None) -> Principal | None:
        """The token's principal, None for a wrong token; ``TooManyWrongTokens`` while ``client`` must wait."""
        address = client or "unknown"
        wait = self._failures.wait(address)
        if wait:
            raise TooManyWrongTokens(wait)
        candidate = presented.encode()
        found: Principal | None = None
        for token in self._tokens:  # compare with every token so timing does not tell which one matched
            if hmac.compare_digest(candidate, token.secret):
                found = token.principal
        if found is None:
            self._failures.count(address)
        return found


def ensure_dev_token(data_dir: Path) -> str:
    """The development token from ``<data_dir>/api-token``, created (mode 0600) when missing.

    Logs where the token is, never the token itself.
    """
    path = data_dir / DEV_TOKEN_FILE
    if path.is_file():
        token = path.read_text(encoding="utf-8").strip()
        if len(token) >= MIN_TOKEN_LENGTH:
            path.chmod(0o600)
            log.info("API development token: using the admin token stored in %s", path)
            return token
    token = secrets.token_urlsafe(32)
    write_private(path, token)
    log.warning(
        "API development token: no api.tokens configured, created an admin token in %s "
        "(send it as 'Authorization: Bearer <token>'; configure api.tokens for production)",
        path,
    )
    return token


_bearer = HTTPBearer(auto_error=False, description="A token from api.tokens (or the development token file).")
_session_cookie = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description="The web app's session (after /login); a request that changes something also sends the page's "
    f"CSRF token in the {CSRF_HEADER} header.",
)
"""Declared so that the schema says the truth (a session is the other way in); ``session_principal`` reads it."""


def session_principal(request: Request) -> Principal | None:
    """The logged-in user of the request's session cookie; a change without the session's CSRF token is refused."""
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    accounts = request.app.state.ctx.accounts
    user = accounts.session_user(token)
    if user is None:
        return None
    if request.method not in SAFE_METHODS and not accounts.csrf_ok(token, request.headers.get(CSRF_HEADER)):
        raise HTTPException(
            status.HTTP_403_FORBIDDEN, f"missing or wrong CSRF token: send the page's token in the {CSRF_HEADER} header"
        )
    role = Role[user.role.upper()]
    cameras = None if role >= Role.ADMIN else request.app.state.ctx.store.groups.cameras_of(user.name)
    return Principal(user.name, role, cameras)


def _principal(request: Request, presented: str | None, what: str) -> Principal:
    if not presented:
        from_session = session_principal(request)
        if from_session is not None:
            return from_session
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            f"missing token: send the header 'Authorization: Bearer <token>'{what}",
            headers={"WWW-Authenticate": "Bearer"},
        )
    auth: TokenAuth = request.app.state.ctx.auth
    try:
        principal = auth.authenticate(presented, request.client.host if request.client else None)
    except TooManyWrongTokens as error:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, str(error), headers={"Retry-After": str(error.retry_after_s)}
        ) from None
    if principal is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "invalid token", headers={"WWW-Authenticate": "Bearer"})
    return principal


def _check_role(principal: Principal, role: Role) -> Principal:
    if principal.role < role:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            f"{principal.name!r} has role {principal.role.name.lower()}; this needs {role.name.lower()}",
        )
    return principal


def require(role: Role) -> Callable[..., Principal]:
    """A dependency: the caller's principal, who must have at least ``role`` (header token only)."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        _session: Annotated[str | None, Depends(_session_cookie)],
    ) -> Principal:
        return _check_role(_principal(request, credentials.credentials if credentials else None, ""), role)

    return dependency


def require_with_query_token(role: Role) -> Callable[..., Principal]:
    """Like ``require``, but also accepts ``?token=`` (for EventSource and <video>, which cannot set headers)."""

    def dependency(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
        _session: Annotated[str | None, Depends(_session_cookie)],
        token: Annotated[
            str | None,
            Query(max_length=512, description="The API token, for clients that cannot send an Authorization header."),
        ] = None,
    ) -> Principal:
        presented = credentials.credentials if credentials else token
        return _check_role(_principal(request, presented, " or the query parameter ?token=<token>"), role)

    return dependency


_TOKEN_IN_QUERY = re.compile(r"([?&]token=)[^&\s\"]*")


def redact_query_tokens(text: str) -> str:
    """``/x?token=abc&y=1`` -> ``/x?token=***&y=1``."""
    return _TOKEN_IN_QUERY.sub(r"\1***", text)


class RedactTokenFilter(logging.Filter):
    """Masks ``?token=`` in access-log lines (uvicorn logs the full request path)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_query_tokens(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.msg, str):
            record.msg = redact_query_tokens(record.msg)
        return True


def install_access_log_redaction(logger_name: str = "uvicorn.access") -> None:
    """Add ``RedactTokenFilter`` to the access logger once."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, RedactTokenFilter) for f in logger.filters):
        logger.addFilter(RedactTokenFilter())
