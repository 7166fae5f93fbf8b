"""The durable outbox: an event report becomes stored messages first, delivered by ``OutboxWorker``.

``enqueue`` writes one message per channel that wants the event (by type and state) in one
transaction and returns; nothing is sent on the caller's thread, so a slow or dead receiver never
delays the pipeline, and messages survive a restart.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from gwanje.alerts.channels.base import AlertChannel
from gwanje.alerts.payload import MESSAGE_TYPE, build_message, encode
from gwanje.alerts.retry import RetryPolicy
from gwanje.config.alerts import AlertsConfig
from gwanje.core.clock import Clock, RealClock
from gwanje.core.errors import StorageError
from gwanje.core.events import Event
from gwanje.store import outbox as store


def new_message_id() -> str:
    """A fresh message id (32 hex digits), the key receivers and the outbox de-duplicate on."""
    return uuid.uuid4().hex


class Outbox:
    """Stores event messages per channel and answers delivery-status questions.

    Example:
        >>> outbox = Outbox(engine, [WebhookChannel(cfg.alerts.webhooks[0])], cfg.alerts)  # doctest: +SKIP
        >>> outbox.enqueue(event)  # doctest: +SKIP
    """

    def __init__(
        self,
        engine: Engine,
        channels: Sequence[AlertChannel],
        config: AlertsConfig | None = None,
        clock: Clock | None = None,
    ) -> None:
        names = [c.name for c in channels]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"alert channel names must be unique; repeated: {repeated}")
        self.engine = engine
        self.channels: tuple[AlertChannel, ...] = tuple(channels)
        self.config = config or AlertsConfig()
        self.policy = RetryPolicy.from_config(self.config)
        self.clock: Clock = clock or RealClock()
        self._wake = {c.name: threading.Event() for c in self.channels}
        self._lock = threading.RLock()

    def channel(self, name: str) -> AlertChannel | None:
        return next((c for c in self.channels if c.name == name), None)

    def put_channel(self, channel: AlertChannel) -> AlertChannel | None:
        """Add ``channel`` or put it in the place of the one with its name (returned); the next ``enqueue`` uses it.
        Messages already stored for that name stay and go to the new one."""
        with self._lock:
            old = self.channel(channel.name)
            kept = [channel if c.name == channel.name else c for c in self.channels]
            self.channels = tuple(kept if old is not None else [*kept, channel])
            self._wake.setdefault(channel.name, threading.Event())
            return old

    def remove_channel(self, name: str) -> AlertChannel | None:
        """Stop storing messages for ``name``; returns the channel removed (None: there was none)."""
        with self._lock:
            old = self.channel(name)
            self.channels = tuple(c for c in self.channels if c.name != name)
            return old

    def enqueue(self, event: Event, message_id: str | None = None) -> None:
        """Store the event's message for every channel that accepts it; raises ``StorageError`` if it cannot.

        ``message_id`` is the idempotency key: enqueueing the same report again with the same id (a write
        retried after a database outage) stores nothing twice. Without one, a new id is drawn.
        """
        with self._lock:  # a channel removed at run time gets no message stored after ``remove_channel`` returns
            self._enqueue(event, message_id)

    def _enqueue(self, event: Event, message_id: str | None) -> None:
        targets = [c.name for c in self.channels if c.accepts(event)]
        if not targets:
            return
        now = self.clock.time()
        message_id = message_id or new_message_id()
        body = encode(build_message(event, message_id, now, self.config.public_base_url))
        kind = MESSAGE_TYPE[event.state]
        rows = [
            store.NewMessage(
                channel=name,
                message_id=message_id,
                event_id=event.id,
                camera_id=event.camera_id,
                event_type=event.event_type.value,
                kind=kind,
                payload=body,
            )
            for name in targets
        ]
        try:
            store.add_messages(self.engine, rows, now)
        except SQLAlchemyError as exc:
            detail = getattr(exc, "orig", None) or exc
            raise StorageError(f"cannot store the {kind} alert of event {event.id}: {detail}") from None
        for name in targets:
            self.wake_event(name).set()

    def delivery_status(self, event_id: str) -> list[dict[str, Any]]:
        """Every message of an event with channel, status, attempts, times and last error, oldest first."""
        return store.delivery_status(self.engine, event_id)

    def pending_count(self, channel: str | None = None) -> int:
        """Messages still to be delivered (including those waiting for a retry)."""
        return store.pending_count(self.engine, channel)

    def wake_event(self, channel: str) -> threading.Event:
        """Set whenever a message for ``channel`` is stored; the worker waits on it when idle."""
        with self._lock:
            return self._wake.setdefault(channel, threading.Event())

    def close(self) -> None:
        """Close every channel (stop the worker first)."""
        for channel in self.channels:
            channel.close()
