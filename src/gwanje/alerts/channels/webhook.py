"""Webhook channel: HTTP POST of the JSON message, optionally signed with HMAC-SHA256.

Status handling: 2xx delivered; 408, 425, 429 and 5xx retried (honouring Retry-After); any other
status (4xx, and 3xx since redirects are not followed) is a permanent failure stored with the
reason. Connection errors and timeouts are retried.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from email.utils import parsedate_to_datetime

import httpx

from gwanje import __version__
from gwanje.alerts.channels.base import OutboundMessage, PermanentDeliveryError, RetryAfterError
from gwanje.alerts.filters import EventFilter
from gwanje.config.alerts import WebhookConfig
from gwanje.core.errors import AlertDeliveryError
from gwanje.core.events import Event

# httpx logs every request's full URL at INFO; webhook URLs may carry tokens, so keep it to warnings.
logging.getLogger("httpx").setLevel(logging.WARNING)

SIGNATURE_HEADER = "X-Gwanje-Signature"
RETRYABLE_4XX = frozenset({408, 425, 429})
_MAX_BODY_IN_ERROR = 200


def sign(secret: str, body: bytes) -> str:
    """The signature header value for a body: ``sha256=<hex HMAC-SHA256 of the exact bytes>``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _retry_after_s(response: httpx.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


class WebhookChannel:
    """POSTs each message to one URL; one instance per configured webhook."""

    def __init__(self, config: WebhookConfig, client: httpx.Client | None = None) -> None:
        self.name = f"webhook:{config.name}"
        self._config = config
        self.filter = EventFilter.of(config)
        self._client = client or httpx.Client(timeout=config.timeout_s, follow_redirects=False)

    def accepts(self, event: Event) -> bool:
        return self.filter.accepts(event)

    def headers(self, message: OutboundMessage, body: bytes) -> dict[str, str]:
        """Configured headers plus Gwanje's own (which win on a clash)."""
        headers = dict(self._config.headers)
        headers.update(
            {
                "Content-Type": "application/json; charset=utf-8",
                "User-Agent": f"gwanje/{__version__}",
                "X-Gwanje-Event": message.kind,
                "X-Gwanje-Event-Id": message.event_id,
                "X-Gwanje-Delivery": message.message_id,
                "X-Gwanje-Attempt": str(message.attempt),
                "X-Gwanje-Timestamp": str(int(time.time())),
            }
        )
        if self._config.secret is not None:
            headers[SIGNATURE_HEADER] = sign(self._config.secret.get_secret_value(), body)
        return headers

    def send(self, message: OutboundMessage) -> None:
        body = message.body.encode()
        try:
            response = self._client.post(self._config.url, content=body, headers=self.headers(message, body))
        except httpx.TimeoutException:
            raise AlertDeliveryError(
                f"webhook {self._config.name!r}: no response within {self._config.timeout_s} s"
            ) from None
        except httpx.TransportError as exc:
            # The exception text can carry the URL, which may hold a token: report the kind and errno only.
            reason = exc.__cause__ or exc
            raise AlertDeliveryError(
                f"webhook {self._config.name!r}: cannot connect ({type(exc).__name__}: {_strip_url(str(reason), self._config.url)})"
            ) from None
        status = response.status_code
        if 200 <= status < 300:
            return
        detail = f"webhook {self._config.name!r}: HTTP {status} {response.reason_phrase}"
        text = response.text.strip()[:_MAX_BODY_IN_ERROR]
        if text:
            detail += f": {text}"
        if status >= 500 or status in RETRYABLE_4XX:
            raise RetryAfterError(detail, _retry_after_s(response))
        raise PermanentDeliveryError(detail + " (not retried; fix the receiver or the webhook config)")

    def close(self) -> None:
        self._client.close()


def _strip_url(text: str, url: str) -> str:
    return text.replace(url, "<url>")
