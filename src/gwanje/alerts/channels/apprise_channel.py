"""Apprise channel: each message as a short notification to one or more Apprise URLs (e-mail, Slack, Telegram,
ntfy, Discord, Teams, JSON over HTTP, ...).

Apprise says only whether a service took the notification, not why not in a way a program can sort into
"retry" and "give up", so every failure is retried by the outbox until ``give_up_after_s``. The URLs carry
tokens: they are never logged, and the errors stored with a message are Apprise's own log lines with every
part of every URL removed.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import threading
from typing import Any

import apprise

from gwanje.alerts.channels.base import OutboundMessage
from gwanje.alerts.filters import EventFilter
from gwanje.config.alerts import AppriseConfig
from gwanje.config.apprise_urls import url_scheme
from gwanje.core.errors import AlertDeliveryError
from gwanje.core.events import Event
from gwanje.core.secrets import MASK

# Apprise logs through "apprise"; its lines may quote a URL's parts. Errors reach the outbox (redacted) instead.
logging.getLogger("apprise").propagate = False

_MAX_ERROR = 300
_URL_PARTS = re.compile(r"[^/:@?&=#\s]+")
_KIND_TITLE = {"new": "started", "update": "update", "end": "ended"}


def _notify_type(kind: str, severity: str) -> apprise.NotifyType:
    if kind == "end":
        return apprise.NotifyType.SUCCESS
    if kind == "new" and severity in ("critical", "high"):
        return apprise.NotifyType.FAILURE
    return apprise.NotifyType.WARNING if kind == "new" else apprise.NotifyType.INFO


def notification_text(body: str, title_prefix: str) -> tuple[str, str, str]:
    """(title, body, severity) of a stored JSON message, in plain text."""
    message: dict[str, Any] = json.loads(body)
    event: dict[str, Any] = message.get("event", {})
    kind = str(message.get("type", ""))
    what = str(event.get("type", "event"))
    camera = str(event.get("camera", ""))
    title = f"{title_prefix}: {what} {_KIND_TITLE.get(kind, kind)} at {camera}"
    if message.get("test"):
        title = f"{title_prefix}: test notification"
    start = event.get("start_time")
    lines = [
        f"Type: {what} ({event.get('severity', '')})",
        f"Camera: {camera}" + (f", zone {event['zone']}" if event.get("zone") else ""),
    ]
    if isinstance(start, int | float):
        lines.append("Started: " + dt.datetime.fromtimestamp(start, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC"))
    if isinstance(event.get("duration_s"), int | float):
        lines.append(f"Duration: {event['duration_s']:.0f} s")
    if isinstance(event.get("peak_confidence"), int | float):
        lines.append(f"Confidence: {100 * event['peak_confidence']:.0f} %")
    for key, label in (("snapshot_url", "Snapshot"), ("clip_url", "Clip")):
        if event.get(key):
            lines.append(f"{label}: {event[key]}")
    lines.append(f"Event id: {event.get('id', '')}")
    return title, "\n".join(lines), str(event.get("severity", ""))


class AppriseChannel:
    """Sends each message to every URL of one ``alerts.apprise`` entry; named ``apprise:<name>``."""

    def __init__(self, config: AppriseConfig) -> None:
        self.name = f"apprise:{config.name}"
        self.filter = EventFilter.of(config)
        self._config = config
        self._urls = [u.get_secret_value().strip() for u in config.urls]
        self._secrets = sorted(
            {p for url in self._urls for p in [url, *_URL_PARTS.findall(url.split("://", 1)[-1])] if len(p) >= 3},
            key=len,
            reverse=True,
        )
        self._lock = threading.Lock()
        self._apprise = apprise.Apprise()
        for i, url in enumerate(self._urls):
            if not self._apprise.add(url):
                raise ValueError(
                    f"alert channel {self.name}: urls[{i}] ({url_scheme(url)}) is not understood by Apprise"
                )

    @property
    def targets(self) -> list[str]:
        """What may be shown of the URLs: their schemes."""
        return [url_scheme(u) for u in self._urls]

    def accepts(self, event: Event) -> bool:
        return self.filter.accepts(event)

    def send(self, message: OutboundMessage) -> None:
        title, body, severity = notification_text(message.body, self._config.title_prefix)
        with self._lock:
            result = self._apprise.notify(
                body=body,
                title=title,
                notify_type=_notify_type(message.kind, severity),
                body_format=apprise.NotifyFormat.TEXT,
            )
        if bool(result):
            return
        lines = [e.message for e in result.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]
        reason = "; ".join(dict.fromkeys(lines)) or f"Apprise reported {result.status.name}"
        raise AlertDeliveryError(f"apprise {self._config.name!r}: not delivered: {self.redact(reason)[:_MAX_ERROR]}")

    def redact(self, text: str) -> str:
        """``text`` with every URL of this channel, and every part of them (hosts, users, tokens), masked."""
        for secret in self._secrets:
            text = text.replace(secret, MASK)
        return text

    def close(self) -> None:
        """Nothing held open between messages."""
