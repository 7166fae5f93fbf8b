"""HTTP API and service mode."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from gwanje.config.base import GwanjeModel

MIN_TOKEN_LENGTH = 16
MIN_SESSION_SECRET_LENGTH = 32


class ApiToken(GwanjeModel):
    """A bearer token for integrations."""

    name: str = Field(min_length=1)
    token: SecretStr = Field(description="At least 16 characters; use ${ENV} rather than writing it in the file.")
    role: Literal["admin", "operator", "viewer"] = "operator"

    @field_validator("token")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < MIN_TOKEN_LENGTH:
            raise ValueError(
                f"the token must have at least {MIN_TOKEN_LENGTH} characters; "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(32))'"
            )
        return value


class ApiConfig(GwanjeModel):
    """REST API, live event stream and metrics."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    mode: Literal["development", "production"] = Field(
        default="development",
        description="development without tokens creates a random admin token at start and logs where it is "
        "stored; production creates none (integrations need api.tokens). In both, the web app asks for the first "
        "admin while there is no user (gwanje user add, or /setup with the code in <data_dir>/setup-code).",
    )
    tokens: list[ApiToken] = Field(default_factory=list)
    cors_origins: list[str] = Field(default_factory=list)
    live_queue_size: int = Field(
        default=256,
        ge=1,
        le=100_000,
        description="Messages kept per live-stream client; a slower client loses the newest ones and is told "
        "how many it missed.",
    )
    live_keepalive_s: float = Field(
        default=15.0, gt=0.0, le=300.0, description="Comment sent on idle live streams so proxies keep them open."
    )
    live_view_audit_s: float = Field(
        default=300.0,
        ge=0.0,
        description="A user's live snapshot views of one camera are logged in the audit log at most this often.",
    )
    max_body_bytes: int = Field(
        default=1024 * 1024,
        ge=1024,
        le=1024 * 1024 * 1024,
        description="Largest request body accepted (413 beyond, answered before more is read). API bodies are small "
        "JSON (operator notes); the web app's forms are smaller still.",
    )

    session_secret: SecretStr | None = Field(
        default=None,
        description="Key that signs session ids and CSRF tokens (at least 32 characters; use ${ENV}). "
        "Default: a random key kept in <data_dir>/session-secret (mode 0600). Changing it logs everyone out.",
    )
    session_idle_minutes: float = Field(
        default=60.0, gt=0.0, le=24 * 60.0, description="A web session unused this long ends (log in again)."
    )
    session_max_hours: float = Field(
        default=12.0, gt=0.0, le=24 * 30.0, description="A web session ends this long after its login, used or not."
    )
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="Wrong passwords in a row that lock a user out for login_lockout_minutes."
    )
    login_lockout_minutes: float = Field(default=15.0, gt=0.0, le=24 * 60.0)
    login_attempts_per_minute: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Failed logins one client address may make per minute (429 beyond, even with the right "
        "password; successful logins are not counted).",
    )
    token_failures_per_minute: int = Field(
        default=10,
        ge=1,
        le=10_000,
        description="Wrong API tokens one client address may send per minute; beyond, every token from it is "
        "answered 429 with Retry-After until the minute has passed.",
    )

    @field_validator("session_secret")
    @classmethod
    def _long_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value()) < MIN_SESSION_SECRET_LENGTH:
            raise ValueError(
                f"the session secret must have at least {MIN_SESSION_SECRET_LENGTH} characters; "
                "generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
            )
        return value

    @model_validator(mode="after")
    def _unique_tokens(self) -> ApiConfig:
        names = [t.name for t in self.tokens]
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ValueError(
                f"api token names must be unique (they are what the audit log records); repeated: {sorted(dup)}"
            )
        secrets = [t.token.get_secret_value() for t in self.tokens]
        if len(set(secrets)) != len(secrets):
            raise ValueError("two api tokens have the same secret; give each user or integration its own")
        return self
