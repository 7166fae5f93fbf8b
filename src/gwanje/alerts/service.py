"""Builds the alert channels from configuration and runs them with the outbox, in the right order."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Engine

from gwanje.alerts.channels.base import AlertChannel
from gwanje.alerts.channels.mqtt import MqttChannel, MqttPublisher
from gwanje.alerts.channels.webhook import WebhookChannel
from gwanje.alerts.outbox import Outbox
from gwanje.alerts.worker import OutboxWorker
from gwanje.config.alerts import AlertsConfig
from gwanje.core.clock import Clock

_MQTT_CONNECT_GRACE_S = 2.0


class AlertService:
    """Outbox, delivery worker and (when enabled) the MQTT connection of one deployment.

    ``outbox.enqueue(event)`` is what the pipeline calls; ``mqtt`` (None when MQTT is disabled)
    publishes camera availability; ``outbox.delivery_status`` feeds the API.
    """

    def __init__(self, config: AlertsConfig, engine: Engine, clock: Clock | None = None) -> None:
        self.mqtt: MqttPublisher | None = MqttPublisher(config.mqtt) if config.mqtt.enabled else None
        self.mqtt_channel: MqttChannel | None = None if self.mqtt is None else MqttChannel(self.mqtt)
        channels: list[AlertChannel] = [WebhookChannel(w) for w in config.webhooks]
        if self.mqtt_channel is not None:
            channels.append(self.mqtt_channel)
        self.outbox = Outbox(engine, channels, config, clock)
        self.worker = OutboxWorker(self.outbox)

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

    def stop(self) -> None:
        """Stop delivering, close the channels and publish ``offline`` before disconnecting MQTT."""
        self.worker.stop()
        self.outbox.close()
        if self.mqtt is not None:
            self.mqtt.stop()
