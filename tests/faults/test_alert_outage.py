"""Fault: the MQTT broker is stopped and the webhook receiver is down while events happen.

The outbox keeps every message, retries with growing pauses (not once per poll), and once both are back
delivers everything exactly once and, per camera, in the order it happened.
"""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from gwanje.alerts.service import AlertService
from gwanje.config.alerts import AlertsConfig, MqttConfig, WebhookConfig
from gwanje.config.store import StoreConfig
from gwanje.runtime.sink import EventSink
from gwanje.store.media import MediaStore
from gwanje.store.repo import Store
from tests.alerts.support import Receiver, wait_until
from tests.faults.events_load import Load, assert_in_camera_order, decode, outbox_rows
from tests.faults.services import PrivateMosquitto, free_port

pytestmark = pytest.mark.mqtt

CAMERAS = ["cam-a", "cam-b"]


class Collector:
    """A durable subscriber to ``<prefix>/events`` (persistent session, QoS 1): it subscribes before the outage,
    so a message the outbox publishes the moment the broker is back is queued for it, not lost to a race with a
    subscriber that has yet to connect. paho reconnects it on its own after the broker restarts."""

    def __init__(self, port: int, prefix: str) -> None:
        self.bodies: list[bytes] = []
        self._subscribed = threading.Event()
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2, client_id=f"fault-sub-{uuid.uuid4().hex[:8]}", clean_session=False
        )
        self._client.reconnect_delay_set(min_delay=0.1, max_delay=0.5)
        self._client.on_connect = lambda c, *_a: c.subscribe(f"{prefix}/events", qos=1)
        self._client.on_subscribe = lambda *_a: self._subscribed.set()
        self._client.on_message = self._on_message
        self._client.connect("127.0.0.1", port)
        self._client.loop_start()
        assert self._subscribed.wait(5.0), "test subscriber could not subscribe"

    def _on_message(self, _c: Any, _u: Any, message: mqtt.MQTTMessage) -> None:
        self.bodies.append(bytes(message.payload))

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()


def test_broker_and_webhook_outage_retries_with_backoff_then_delivers_in_order_once(
    private_mosquitto: PrivateMosquitto, tmp_path: Path
) -> None:
    hook_port = free_port()
    receiver = Receiver(port=hook_port)  # not started: the webhook receiver is down
    prefix = f"fault-{uuid.uuid4().hex[:6]}"
    store = Store.open(StoreConfig(data_dir=tmp_path / "data"))
    config = AlertsConfig(
        webhooks=[WebhookConfig(name="ops", url=f"http://127.0.0.1:{hook_port}/hook", timeout_s=1.0)],
        mqtt=MqttConfig(enabled=True, port=private_mosquitto.port, topic_prefix=prefix, publish_timeout_s=1.0),
        retry_initial_s=0.2,
        retry_max_s=1.6,
    )
    collector = Collector(private_mosquitto.port, prefix)
    private_mosquitto.stop()
    alerts = AlertService(config, store.engine)
    alerts.start(CAMERAS)
    sink = EventSink(store, MediaStore(tmp_path / "media"), alerts)
    try:
        load = Load(sink, CAMERAS, per_camera=10, pause_s=0.01).start()
        load.join()
        outage_s = 5.0
        time.sleep(outage_s)
        rows = outbox_rows(store.engine)
        assert len(rows) == 2 * 3 * load.expected_events, "every message stored while nothing could take it"
        assert all(r.delivered_at is None for r in rows)
        head = {r.channel: r for r in rows}  # the last row per channel; look at the first instead
        for channel in head:
            first = next(r for r in rows if r.channel == channel)
            assert first.last_error, f"{channel}: the failure is recorded"
            # 0.2 s doubling to 1.6 s: about 5 tries in 5 s; a fixed 1 s poll would make 5, no backoff 25+.
            assert 2 <= first.attempts <= 7, f"{channel}: {first.attempts} attempts in {outage_s} s"

        private_mosquitto.start()
        receiver.start()
        wait_until(lambda: alerts.outbox.pending_count() == 0, "every alert delivered after recovery", timeout_s=40)
        # The broker acknowledged every publish; its forwarding to the subscriber may still be under way.
        mqtt_ids = {r.message_id for r in outbox_rows(store.engine) if r.channel == "mqtt"}
        wait_until(
            lambda: mqtt_ids <= {m["message_id"] for m in decode(list(collector.bodies))},
            "the broker forwarded every acknowledged message",
            timeout_s=15,
        )

        for channel, bodies in (("webhook:ops", [r.body for r in receiver.requests]), ("mqtt", collector.bodies)):
            stored = {r.message_id for r in outbox_rows(store.engine) if r.channel == channel}
            messages = decode(bodies)
            ids = [m["message_id"] for m in messages]
            assert len(ids) == len(set(ids)), f"{channel}: a message arrived twice"
            assert set(ids) == stored, f"{channel}: {len(stored - set(ids))} message(s) never arrived"
            assert_in_camera_order(messages)
    finally:
        collector.close()
        receiver.stop()
        sink.close(1.0)
        alerts.stop()
        store.close()
