"""Alert channels, fed by the durable outbox."""

from __future__ import annotations

import re
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator, model_validator

from gwanje.config.base import GwanjeModel
from gwanje.config.events import EventTypeName
from gwanje.config.schedule import Schedule

_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_HEADER_VALUE_BAD = re.compile(r"[^\t\x20-\x7e]")
"""What the HTTP client cannot send in a header value: line breaks, control and non-ASCII characters."""
StateName = Literal["start", "update", "end"]
_ALL_STATES: tuple[StateName, ...] = ("start", "update", "end")


class ChannelFilters(GwanjeModel):
    """Which event reports a channel is sent: every filter left empty lets everything through."""

    event_types: list[EventTypeName] = Field(default_factory=list, description="Only these types; empty: all.")
    states: list[StateName] = Field(default_factory=lambda: list(_ALL_STATES))
    cameras: list[str] = Field(default_factory=list, description="Only events of these camera ids; empty: all.")
    schedule: Schedule = Field(
        default_factory=Schedule,
        description="Only events that started inside these windows (hours and days); every report of such an "
        "event follows it, so an end is never sent without its start. Empty: always.",
    )


class WebhookConfig(ChannelFilters):
    """HTTP POST of every event message to a URL, optionally signed with HMAC-SHA256."""

    name: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://", description="http:// or https:// URL.")
    secret: SecretStr | None = Field(
        default=None,
        description="HMAC key; the signature is sent as X-Gwanje-Signature: sha256=<hex>. Use ${ENV}.",
    )
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=5.0, gt=0.0, le=60.0)

    @field_validator("url")
    @classmethod
    def _url_usable(cls, url: str) -> str:
        """A URL the HTTP client can send to; the message never repeats it (it may hold a token)."""
        if not _host_of(url):
            raise ValueError("not a URL the webhook can be sent to (a host, a port from 0 to 65535)")
        return url

    @field_validator("headers")
    @classmethod
    def _headers_sendable(cls, headers: dict[str, str]) -> dict[str, str]:
        """HTTP header names and ASCII values; the message names the header, never its value (it may be a token)."""
        for name, value in headers.items():
            if not _HEADER_NAME.fullmatch(name):
                raise ValueError(f"header name {name[:40]!r} is not an HTTP header name")
            if _HEADER_VALUE_BAD.search(value):
                raise ValueError(f"the value of header {name!r} has a line break, a control or a non-ASCII character")
        return headers


def _host_of(url: str) -> str:
    """The URL's host as the HTTP client reads it; "" when it has none or a port that is not a number."""
    import httpx

    try:
        urlsplit(url).port  # noqa: B018 - raises ValueError for a port that is not a number from 0 to 65535
        return httpx.URL(url).host
    except (httpx.InvalidURL, ValueError):
        return ""


class AppriseConfig(ChannelFilters):
    """Notifications through Apprise (e-mail, Slack, Telegram, ntfy, Discord, Teams, ... see its URL list)."""

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    urls: list[SecretStr] = Field(
        min_length=1,
        description="Apprise URLs (mailtos://, slack://, tgram://, ntfy://, json://, ...); each receives every "
        "message. They carry tokens: use ${ENV}. Never logged nor shown (the API shows the scheme only).",
    )
    title_prefix: str = Field(default="Gwanje", max_length=60, description="Start of every notification's title.")

    @model_validator(mode="after")
    def _urls_known(self) -> AppriseConfig:
        from gwanje.config.apprise_urls import unknown_url_problems

        problems = unknown_url_problems([u.get_secret_value() for u in self.urls])
        if problems:
            raise ValueError("; ".join(f"alerts.apprise {self.name!r}: {p}" for p in problems))
        return self


class MqttConfig(GwanjeModel):
    """MQTT publishing: events on <topic_prefix>/events, availability and retained per-camera state."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(default=1883, ge=1, le=65535)
    username: str | None = None
    password: SecretStr | None = None
    topic_prefix: str = Field(
        default="gwanje",
        min_length=1,
        pattern=r"^[^#+\s]+$",
        description="Topic root; no MQTT wildcards (+, #) or spaces.",
    )
    client_id: str | None = Field(default=None, description="Default: gwanje-<random>, unique per process.")
    qos: Literal[0, 1, 2] = 1
    keepalive_s: int = Field(default=30, ge=5)
    publish_timeout_s: float = Field(
        default=10.0, gt=0.0, le=120.0, description="Wait this long for the broker to acknowledge an event message."
    )


class AlertsConfig(GwanjeModel):
    """Where event messages go. Every message is stored before it is sent and retried until delivered."""

    webhooks: list[WebhookConfig] = Field(default_factory=list)
    apprise: list[AppriseConfig] = Field(
        default_factory=list, description="Notification channels through Apprise; each named apprise:<name>."
    )
    mqtt: MqttConfig = Field(default_factory=MqttConfig)
    retry_initial_s: float = Field(default=2.0, gt=0.0)
    retry_max_s: float = Field(default=300.0, gt=0.0)
    give_up_after_s: float = Field(
        default=7 * 24 * 3600.0, gt=0.0, description="Mark a delivery failed after trying this long."
    )
    public_base_url: str | None = Field(
        default=None,
        pattern=r"^https?://",
        description="Prefix for snapshot and clip links in messages, e.g. https://gwanje.example:8000; "
        "default: paths only (/api/events/<id>/snapshot).",
    )

    @model_validator(mode="after")
    def _consistent(self) -> AlertsConfig:
        for kind, names in (("webhook", [w.name for w in self.webhooks]), ("apprise", [a.name for a in self.apprise])):
            repeated = sorted({n for n in names if names.count(n) > 1})
            if repeated:
                raise ValueError(f"{kind} names must be unique (they name the delivery channel); repeated: {repeated}")
        if self.retry_max_s < self.retry_initial_s:
            raise ValueError(
                f"alerts.retry_max_s ({self.retry_max_s}) must be at least retry_initial_s ({self.retry_initial_s})"
            )
        return self
