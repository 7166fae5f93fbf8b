"""Builds the alert channels from configuration and runs them with the outbox, in the right order."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Engine

from gwanje.alerts.channels.apprise_channel import AppriseChannel
from gwanje.alerts.channels.base import AlertChannel, OutboundMessage
from gwanje.alerts.channels.mqtt import MqttChannel, MqttPublisher
from gwanje.alerts.channels.webhook import WebhookChannel
from gwanje.alerts.outbox import Outbox
from gwanje.alerts.payload import build_message, encode
from gwanje.alerts.worker import OutboxWorker
from gwanje.config.alerts import AlertsConfig, AppriseConfig, WebhookConfig
from gwanje.config.managed_channels import ChannelConfig, ManagedChannels
from gwanje.core.clock import Clock
from gwanje.core.errors import AlertDeliveryError
from gwanje.core.events import Event, EventState, EventType, Severity
from gwanje.store import outbox as store

_MQTT_CONNECT_GRACE_S = 2.0
TEST_CAMERA = "gwanje-test"
"""The camera id of test messages (no real camera has it, so receivers can tell)."""


@dataclass(frozen=True)
class TestOutcome:
    """What "send test" to one channel gave."""

    channel: str
    ok: bool
    at: float
    error: str | None = None


def test_event(now: float) -> Event:
    """The event a test message describes: a fire on camera ``gwanje-test``, started now."""
    return Event(
        id=f"test-{uuid.uuid4().hex[:12]}",
        camera_id=TEST_CAMERA,
        event_type=EventType.FIRE,
        state=EventState.START,
        start_time=now,
        start_pts_s=0.0,
        peak_confidence=1.0,
        peak_time=now,
        severity=Severity.CRITICAL,
        label="test",
    )


class AlertService:
    """Outbox, delivery worker and (when enabled) the MQTT connection of one deployment.

    ``outbox.enqueue(event)`` is what the pipeline calls; ``mqtt`` (None when MQTT is disabled)
    publishes camera availability; ``outbox.delivery_status`` feeds the API; ``send_test`` and
    ``channel_status`` feed the admin's channels page; ``save_channel`` and ``delete_channel`` change a webhook or
    Apprise channel while the others go on (stored by ``managed``, the file's channels with the run-time changes).
    """

    def __init__(
        self, config: AlertsConfig, engine: Engine, clock: Clock | None = None, managed: ManagedChannels | None = None
    ) -> None:
        self.managed = managed or ManagedChannels(config, None)
        self.config = config = self.managed.config
        self._change_lock = threading.Lock()
        self.mqtt: MqttPublisher | None = MqttPublisher(config.mqtt) if config.mqtt.enabled else None
        self.mqtt_channel: MqttChannel | None = None if self.mqtt is None else MqttChannel(self.mqtt)
        configured: list[ChannelConfig] = [*config.webhooks, *config.apprise]
        channels = [_channel_of(c) for c in configured]
        if self.mqtt_channel is not None:
            channels.append(self.mqtt_channel)
        self.outbox = Outbox(engine, channels, config, clock)
        self.worker = OutboxWorker(self.outbox)
        self._tests: dict[str, TestOutcome] = {}
        self._tests_lock = threading.Lock()

    def start(self, camera_ids: Sequence[str] = ()) -> None:
        """Connect MQTT in the background and start delivering (including messages left by the last run).

        ``camera_ids``: cameras whose retained MQTT state is reset to "no active events", clearing
        what a crashed previous run may have left.
        """
        if self.mqtt_channel is not None:
            for camera_id in camera_ids:
                self.mqtt_channel.reset_camera_state(camera_id)
        if self.mqtt is not None:
            self.mqtt.start()
            # A short grace so the first messages do not fail with "not connected yet"; a broker that is
            # down does not block start-up for longer, its messages wait in the outbox.
            self.mqtt.wait_connected(_MQTT_CONNECT_GRACE_S)
        self.worker.start()

    def camera_available(self, camera_id: str, online: bool) -> None:
        """Report a camera's stream health on ``<prefix>/<camera>/available`` (no-op without MQTT)."""
        if self.mqtt is not None:
            self.mqtt.publish_availability(camera_id, online)

    def channel(self, name: str) -> AlertChannel | None:
        return self.outbox.channel(name)

    def save_channel(self, config: ChannelConfig, new: bool) -> None:
        """Add (``new``) or change a webhook or Apprise channel, store the change and apply it at once: the next
        event goes through its new filters, its queued messages go to its new target. Raises ``ChannelExists``,
        ``UnknownChannel``, or ``ValueError`` when Apprise does not understand a URL (nothing is stored then)."""
        channel = _channel_of(config)  # before storing: Apprise may refuse a URL
        with self._change_lock:
            try:
                if new:
                    self.managed.add(config)
                else:
                    self.managed.update(config)
            except Exception:
                channel.close()
                raise
            self.config = self.managed.config
            old = self.outbox.put_channel(channel)
            self.worker.restart_channel(channel.name)
        if old is not None:
            old.close()

    def delete_channel(self, name: str) -> int:
        """Delete a webhook or Apprise channel (``UnknownChannel`` if there is none): no new message is stored for it,
        its delivery thread stops after the attempt in progress, and its undelivered messages are marked failed
        ("channel deleted") as they would be at the next start. Returns how many were."""
        with self._change_lock:
            self.managed.delete(name)
            self.config = self.managed.config
            old = self.outbox.remove_channel(name)
            self.worker.restart_channel(name)
            dropped = store.fail_unknown_channels(
                self.outbox.engine, [c.name for c in self.outbox.channels], "channel deleted; message not sent"
            )
        if old is not None:
            old.close()
        return dropped

    def send_test(self, name: str) -> TestOutcome:
        """Send one test message to channel ``name`` now, on this thread, bypassing filters and the outbox.

        The message is the usual JSON (``"test": true``, camera ``gwanje-test``), so receivers can check their
        parsing; its outcome is returned and remembered for ``channel_status``. Raises KeyError for an unknown
        channel.
        """
        channel = self.channel(name)
        if channel is None:
            raise KeyError(name)
        now = self.outbox.clock.time()
        event = test_event(now)
        body = build_message(event, uuid.uuid4().hex, now, self.config.public_base_url)
        body["test"] = True
        message = OutboundMessage(body["message_id"], event.id, event.camera_id, "fire", "new", encode(body), 1)
        try:
            if isinstance(channel, MqttChannel) and self.mqtt is not None:
                self.mqtt.publish_event(message.body)  # not channel.send: no retained state for the test camera
            else:
                channel.send(message)
            outcome = TestOutcome(name, True, time.time())
        except AlertDeliveryError as exc:
            outcome = TestOutcome(name, False, time.time(), str(exc))
        with self._tests_lock:
            self._tests[name] = outcome
        return outcome

    def channel_status(self) -> list[dict[str, Any]]:
        """Every channel: kind, what may be shown of its target, its filters, pending count, last message, last test."""
        last = store.last_messages(self.outbox.engine)
        with self._tests_lock:
            tests = dict(self._tests)
        rows = []
        for channel in self.outbox.channels:
            kind, _, short = channel.name.partition(":")
            test = tests.get(channel.name)
            entry = self.managed.get(channel.name)  # None for MQTT (and for a channel deleted meanwhile)
            rows.append(
                {
                    "name": channel.name,
                    "kind": kind,
                    "label": short or channel.name,
                    "targets": _targets(self.config, channel, entry),
                    "filters": _filters(entry),
                    "settings": _settings(entry),
                    "pending": self.outbox.pending_count(channel.name),
                    "last_message": last.get(channel.name),
                    "last_test": None if test is None else {"ok": test.ok, "at": test.at, "error": test.error},
                }
            )
        return rows

    def stop(self) -> None:
        """Stop delivering, close the channels and publish ``offline`` before disconnecting MQTT."""
        self.worker.stop()
        self.outbox.close()
        if self.mqtt is not None:
            self.mqtt.stop()


def _channel_of(config: ChannelConfig) -> AlertChannel:
    return AppriseChannel(config) if isinstance(config, AppriseConfig) else WebhookChannel(config)


def _targets(config: AlertsConfig, channel: AlertChannel, entry: ChannelConfig | None) -> list[str]:
    """Where a channel sends, without secrets: Apprise URL schemes, webhook URLs masked, the MQTT broker."""
    if isinstance(channel, AppriseChannel):
        return channel.targets
    if isinstance(channel, WebhookChannel):
        if not isinstance(entry, WebhookConfig):
            return []  # deleted while the list was being made
        parts = urlsplit(entry.url)  # path and query may hold a token (Slack-style hook URLs): host only
        return [f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}/…"]
    return [f"mqtt://{config.mqtt.host}:{config.mqtt.port}/{config.mqtt.topic_prefix}/events"]


def _settings(config: ChannelConfig | None) -> dict[str, Any]:
    """What the edit form may show of a webhook or Apprise channel (no token: header names only); MQTT: {}."""
    if isinstance(config, AppriseConfig):
        return {"urls": len(config.urls), "title_prefix": config.title_prefix}
    if config is not None:
        return {"signed": config.secret is not None, "headers": sorted(config.headers), "timeout_s": config.timeout_s}
    return {}


def _filters(entry: ChannelConfig | None) -> dict[str, Any]:
    if entry is None:
        return {}
    return {
        "event_types": list(entry.event_types),
        "states": list(entry.states),
        "cameras": list(entry.cameras),
        "schedule": entry.schedule.model_dump(mode="json") if entry.schedule.windows else None,
    }
