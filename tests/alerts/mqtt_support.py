"""A real MQTT subscriber for the tests, and the broker check."""

from __future__ import annotations

import socket
import threading
import uuid
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

BROKER = ("127.0.0.1", 1883)


def broker_reachable() -> bool:
    try:
        with socket.create_connection(BROKER, timeout=1.0):
            return True
    except OSError:
        return False


@dataclass(frozen=True)
class Received:
    topic: str
    payload: str
    retain: bool


class Subscriber:
    """Subscribes to a topic filter and records every message (with its retain flag)."""

    def __init__(self, topic_filter: str) -> None:
        self.messages: list[Received] = []
        self._lock = threading.Lock()
        self._subscribed = threading.Event()
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-sub-{uuid.uuid4().hex[:8]}")
        self._client.on_message = self._on_message
        self._client.on_subscribe = lambda *_args: self._subscribed.set()
        self._client.on_connect = lambda client, *_args: client.subscribe(topic_filter, qos=1)

    def __enter__(self) -> Subscriber:
        self._client.connect(*BROKER)
        self._client.loop_start()
        if not self._subscribed.wait(5.0):
            raise AssertionError("test subscriber could not subscribe to the broker")
        return self

    def __exit__(self, *_exc: object) -> None:
        self._client.disconnect()
        self._client.loop_stop()

    def _on_message(self, _client: Any, _userdata: Any, message: mqtt.MQTTMessage) -> None:
        with self._lock:
            self.messages.append(Received(message.topic, message.payload.decode(), bool(message.retain)))

    def on(self, topic: str) -> list[Received]:
        with self._lock:
            return [m for m in self.messages if m.topic == topic]


def clear_retained(prefix: str, topics: list[str]) -> None:
    """Remove retained messages a test left on the broker (empty retained payload)."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=f"test-clean-{uuid.uuid4().hex[:8]}")
    client.connect(*BROKER)
    client.loop_start()
    infos = [client.publish(f"{prefix}/{t}", b"", qos=1, retain=True) for t in topics]
    for info in infos:
        info.wait_for_publish(5.0)
    client.disconnect()
    client.loop_stop()
