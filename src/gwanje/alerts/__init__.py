"""Alert channels (webhook, MQTT) behind a durable outbox.

Wiring: ``AlertService(config.alerts, engine)``, ``start()``, then ``service.outbox.enqueue(event)``
for every event start/update/end. See docs/alerts.md for the message format and topics.
"""

from gwanje.alerts.channels.base import AlertChannel, OutboundMessage, PermanentDeliveryError
from gwanje.alerts.channels.mqtt import MqttChannel, MqttPublisher
from gwanje.alerts.channels.webhook import WebhookChannel
from gwanje.alerts.outbox import Outbox
from gwanje.alerts.service import AlertService
from gwanje.alerts.worker import OutboxWorker

__all__ = [
    "AlertChannel",
    "AlertService",
    "MqttChannel",
    "MqttPublisher",
    "OutboundMessage",
    "Outbox",
    "OutboxWorker",
    "PermanentDeliveryError",
    "WebhookChannel",
]
