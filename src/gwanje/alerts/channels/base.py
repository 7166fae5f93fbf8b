"""What every alert channel implements, and the errors that tell the outbox whether to retry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from gwanje.core.errors import AlertDeliveryError
from gwanje.core.events import Event


class PermanentDeliveryError(AlertDeliveryError):
    """The receiver refused the message for good (for example HTTP 400); retrying will not help."""


class RetryAfterError(AlertDeliveryError):
    """The receiver asked to be retried later (HTTP 429/503 with Retry-After)."""

    def __init__(self, message: str, retry_after_s: float | None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


@dataclass(frozen=True)
class OutboundMessage:
    """One stored message, as handed to a channel for one delivery attempt."""

    message_id: str
    event_id: str
    camera_id: str
    event_type: str
    kind: str
    """new, update or end."""
    body: str
    """The exact JSON text to send."""
    attempt: int


class AlertChannel(Protocol):
    """A destination for event messages. ``send`` returns only once the receiver acknowledged.

    ``send`` raises ``PermanentDeliveryError`` when retrying cannot help and any other
    ``AlertDeliveryError`` when it may; error messages are stored and shown, so they must name
    the problem and never contain secrets.

    Example:
        >>> class Printer:
        ...     name = "print"
        ...     def accepts(self, event: Event) -> bool:
        ...         return True
        ...     def send(self, message: OutboundMessage) -> None:
        ...         print(message.kind, message.event_id)
        ...     def close(self) -> None:
        ...         pass
        >>> Printer().send(OutboundMessage("m1", "e1", "cam1", "fire", "new", "{}", 1))
        new e1
    """

    name: str
    """Unique and stable across restarts: stored messages are matched to their channel by it."""

    def accepts(self, event: Event) -> bool:
        """Whether this channel wants this event report (its type, state, camera, start time)."""
        ...

    def send(self, message: OutboundMessage) -> None:
        """Deliver one message or raise ``AlertDeliveryError``."""
        ...

    def close(self) -> None:
        """Release connections; called once when the service stops."""
        ...
