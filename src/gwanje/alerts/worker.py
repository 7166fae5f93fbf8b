"""Delivery worker: one thread per channel claims due messages, sends them and records the outcome.

Per channel, messages go out one at a time, oldest due first, and an event's messages in the order
they were stored. After a retryable failure the channel pauses until that message's next attempt,
so a dead receiver is probed once per backoff step instead of once per queued message. A thread
per channel keeps a slow webhook from delaying MQTT. Delivery is at least once: a crash after the
receiver acknowledged but before the outcome was stored sends the message again after the lease.
An outcome the database refused (it is restarting) is kept in memory and stored before anything
else is claimed, so a database outage alone never sends a message twice; per camera, messages go
out in the order they were stored.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable

from sqlalchemy.exc import SQLAlchemyError

from gwanje.alerts.channels.base import AlertChannel, OutboundMessage, PermanentDeliveryError, RetryAfterError
from gwanje.alerts.outbox import Outbox
from gwanje.core.errors import AlertDeliveryError
from gwanje.store import outbox as store

log = logging.getLogger(__name__)

LEASE_S = 300.0
"""A claimed message is due again this long after the claim if its outcome was never stored (crash)."""
_MIN_WAIT_S = 0.01


class OutboxWorker:
    """Delivers an ``Outbox``'s messages in background threads; ``start`` resumes what a previous run left."""

    def __init__(self, outbox: Outbox, poll_interval_s: float = 1.0) -> None:
        if poll_interval_s <= 0:
            raise ValueError(f"poll_interval_s must be positive, got {poll_interval_s}")
        self._outbox = outbox
        self._poll_s = poll_interval_s
        self._running = False
        self._threads: dict[str, tuple[threading.Thread, threading.Event]] = {}
        """Per channel name: its delivery thread and what stops it."""
        self._lock = threading.Lock()

    def start(self) -> None:
        """Give up on messages of channels no longer configured, then start one thread per channel."""
        if self._running:
            return
        known = [c.name for c in self._outbox.channels]
        dropped = store.fail_unknown_channels(
            self._outbox.engine, known, "channel no longer configured; message not sent"
        )
        if dropped:
            log.warning("%d pending alert messages belong to channels no longer configured; marked failed", dropped)
        released = store.release_leases(self._outbox.engine, self._outbox.clock.time())
        if released:
            log.warning("%d alert message(s) were being sent when the last run died; sending them again now", released)
        with self._lock:
            self._running = True
            for channel in self._outbox.channels:
                self._spawn(channel)

    def _spawn(self, channel: AlertChannel) -> None:
        stop = threading.Event()
        thread = threading.Thread(target=self._run, args=(channel, stop), name=f"outbox-{channel.name}", daemon=True)
        self._threads[channel.name] = (thread, stop)
        thread.start()

    def restart_channel(self, name: str, timeout_s: float = 10.0) -> None:
        """Apply a channel changed in the outbox: stop its thread after the attempt in progress and, unless the
        channel was removed, start one for the new channel. The other channels' threads are not touched."""
        with self._lock:
            self._join([self._threads.pop(name)] if name in self._threads else [], timeout_s)
            channel = self._outbox.channel(name)
            if self._running and channel is not None:
                self._spawn(channel)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Stop after the attempts in progress; undelivered messages stay stored for the next start."""
        with self._lock:
            self._running = False
            self._join(list(self._threads.values()), timeout_s)
            self._threads = {}

    def _join(self, threads: list[tuple[threading.Thread, threading.Event]], timeout_s: float) -> None:
        for thread, stop in threads:
            stop.set()
            self._outbox.wake_event(thread.name.removeprefix("outbox-")).set()
        for thread, _stop in threads:
            thread.join(timeout_s)
            if thread.is_alive():
                log.warning("alert delivery thread %s did not stop within %.1f s", thread.name, timeout_s)

    def _run(self, channel: AlertChannel, stop: threading.Event) -> None:
        delivery = _ChannelDelivery(self._outbox, channel)
        wake = self._outbox.wake_event(channel.name)
        db_failing = False
        while not stop.is_set():
            wake.clear()
            try:
                wait_s = delivery.step()
            except SQLAlchemyError as exc:
                if not db_failing:
                    log.error("alert delivery for %s cannot use the database: %s", channel.name, exc)
                    db_failing = True
                stop.wait(self._poll_s)
                continue
            except Exception:  # a bug must not silently end delivery for this channel
                log.exception("alert delivery for %s failed unexpectedly; continuing", channel.name)
                stop.wait(self._poll_s)
                continue
            if db_failing:
                log.info("alert delivery for %s can use the database again", channel.name)
                db_failing = False
            if wait_s is None:
                continue
            wait_s = max(_MIN_WAIT_S, min(wait_s, self._poll_s))
            if delivery.paused:
                stop.wait(wait_s)
            else:
                wake.wait(wait_s)


class _ChannelDelivery:
    """The delivery state of one channel: claim, send, record; logs a failure once and the recovery once."""

    def __init__(self, outbox: Outbox, channel: AlertChannel) -> None:
        self._outbox = outbox
        self._channel = channel
        self._paused_until = 0.0
        self._failing = False
        self._unrecorded: Callable[[], None] | None = None
        """The outcome of the last attempt, when the database refused to store it."""

    @property
    def paused(self) -> bool:
        return self._outbox.clock.time() < self._paused_until

    def step(self) -> float | None:
        """Deliver at most one message; returns how long to wait before the next step (None: go on)."""
        engine, clock, policy = self._outbox.engine, self._outbox.clock, self._outbox.policy
        if self._unrecorded is not None:
            self._unrecorded()  # raises SQLAlchemyError while the database is still away
            self._unrecorded = None
        now = clock.time()
        expired = store.expire_overdue(
            engine,
            self._channel.name,
            now - policy.give_up_after_s,
            f"gave up: not delivered within {policy.give_up_after_s:g} s",
        )
        if expired:
            log.error("%d alert messages for %s expired undelivered", expired, self._channel.name)
        if now < self._paused_until:
            return self._paused_until - now
        claimed = store.claim_next(engine, self._channel.name, now, LEASE_S)
        if claimed is None:
            due = store.next_due_at(engine, self._channel.name)
            return math.inf if due is None else due - now
        self._attempt(claimed)
        return None

    def _attempt(self, claimed: store.ClaimedMessage) -> None:
        message = OutboundMessage(
            message_id=claimed.message_id,
            event_id=claimed.event_id,
            camera_id=claimed.camera_id,
            event_type=claimed.event_type,
            kind=claimed.kind,
            body=claimed.payload,
            attempt=claimed.attempts,
        )
        try:
            self._channel.send(message)
        except PermanentDeliveryError as exc:
            store.mark_failed(self._outbox.engine, claimed.id, str(exc))
            log.error("alert %s of event %s refused by %s: %s", claimed.kind, claimed.event_id, self._channel.name, exc)
            return
        except AlertDeliveryError as exc:
            self._retry(claimed, str(exc), exc.retry_after_s if isinstance(exc, RetryAfterError) else None)
            return
        except Exception as exc:  # a channel bug must not kill the delivery thread
            log.exception("alert channel %s raised unexpectedly", self._channel.name)
            self._retry(claimed, f"unexpected error in channel {self._channel.name}: {type(exc).__name__}: {exc}", None)
            return
        delivered_at = self._outbox.clock.time()
        self._record(lambda: store.mark_delivered(self._outbox.engine, claimed.id, delivered_at))
        if self._failing:
            log.info("alert channel %s delivers again", self._channel.name)
            self._failing = False

    def _record(self, outcome: Callable[[], None]) -> None:
        """Store an attempt's outcome; if the database refuses, keep it for the next step."""
        try:
            outcome()
        except SQLAlchemyError:
            self._unrecorded = outcome
            raise

    def _retry(self, claimed: store.ClaimedMessage, error: str, retry_after_s: float | None) -> None:
        engine, clock, policy = self._outbox.engine, self._outbox.clock, self._outbox.policy
        now = clock.time()
        if now - claimed.created_at >= policy.give_up_after_s:
            store.mark_failed(engine, claimed.id, f"gave up after {claimed.attempts} attempts: {error}")
            log.error(
                "alert %s of event %s to %s given up: %s", claimed.kind, claimed.event_id, self._channel.name, error
            )
            return
        next_at = now + policy.delay(claimed.attempts, retry_after_s)
        store.mark_retry(engine, claimed.id, next_at, error)
        self._paused_until = next_at
        if not self._failing:
            log.warning("alert channel %s failing, will retry: %s", self._channel.name, error)
            self._failing = True
