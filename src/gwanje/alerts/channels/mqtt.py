"""MQTT: event messages on ``<prefix>/events`` plus retained availability and per-camera state.

Topics (``<prefix>`` is ``alerts.mqtt.topic_prefix``):

- ``<prefix>/events``: every event message (new/update/end), QoS from config, not retained.
- ``<prefix>/available``: ``online`` while the service runs, ``offline`` on stop or (last will)
  when the connection drops; retained.
- ``<prefix>/<camera>/available``: ``online``/``offline`` from stream health; retained.
- ``<prefix>/<camera>/state``: JSON with the camera's active events; retained.

Event messages count as delivered only once the broker acknowledged them. Retained topics are
remembered and published again after every reconnect, so a broker restart never leaves stale
availability behind.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Mapping
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from gwanje.alerts.channels.base import OutboundMessage
from gwanje.config.alerts import MqttConfig
from gwanje.core.errors import AlertDeliveryError
from gwanje.core.events import Event

log = logging.getLogger(__name__)

ONLINE = "online"
OFFLINE = "offline"
_STOP_FLUSH_S = 2.0


def _topic_part(camera_id: str) -> str:
    if not camera_id or any(c in camera_id for c in "/+#") or camera_id != camera_id.strip():
        raise ValueError(f"camera id {camera_id!r} cannot be used in an MQTT topic (no /, +, # or outer spaces)")
    return camera_id


class MqttPublisher:
    """One connection to the broker, shared by the event channel and the availability publisher.

    Connecting happens in the background and is retried by paho forever; ``start`` never blocks.
    Thread-safe: the outbox worker and the camera health code may publish concurrently.
    """

    def __init__(self, config: MqttConfig) -> None:
        self._config = config
        self.prefix = config.topic_prefix.rstrip("/")
        self._endpoint = f"{config.host}:{config.port}"
        self._lock = threading.Lock()
        self._retained: dict[str, str] = {}
        self._connected = threading.Event()
        self._problem = "not connected yet"
        self._problem_logged = False
        self._started = False
        client_id = config.client_id or f"gwanje-{uuid.uuid4().hex[:12]}"
        self._client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id)
        if config.username is not None:
            password = None if config.password is None else config.password.get_secret_value()
            self._client.username_pw_set(config.username, password)
        self._client.will_set(self.topic("available"), OFFLINE, qos=1, retain=True)
        self._client.reconnect_delay_set(min_delay=1, max_delay=30)
        self._client.on_connect = self._on_connect
        self._client.on_disconnect = self._on_disconnect
        self._client.on_connect_fail = self._on_connect_fail

    def topic(self, *parts: str) -> str:
        return "/".join((self.prefix, *parts))

    def start(self) -> None:
        """Connect in the background; safe to call when the broker is down."""
        if self._started:
            return
        self._started = True
        with self._lock:
            self._retained[self.topic("available")] = ONLINE
        self._client.connect_async(self._config.host, self._config.port, keepalive=self._config.keepalive_s)
        self._client.loop_start()

    def stop(self) -> None:
        """Publish ``offline`` for the service and every camera reported online, then disconnect."""
        if not self._started:
            return
        self._started = False
        if self._connected.is_set():
            with self._lock:
                offline = [t for t, v in self._retained.items() if t.endswith("/available") and v == ONLINE]
                self._retained.update(dict.fromkeys(offline, OFFLINE))
            infos = [self._client.publish(t, OFFLINE, qos=1, retain=True) for t in offline]
            for info in infos:
                try:
                    info.wait_for_publish(_STOP_FLUSH_S)
                except (RuntimeError, ValueError):
                    break
        self._client.disconnect()
        self._client.loop_stop()

    def is_connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout_s: float) -> bool:
        return self._connected.wait(timeout_s)

    @property
    def problem(self) -> str:
        """Why the publisher is not connected (for errors and status)."""
        return self._problem

    def publish_event(self, body: str) -> None:
        """Publish one event message and wait for the broker's acknowledgement (PUBACK/PUBCOMP for QoS >= 1)."""
        if not self._connected.is_set():
            raise AlertDeliveryError(f"MQTT broker {self._endpoint}: {self._problem}")
        info = self._client.publish(self.topic("events"), body, qos=self._config.qos, retain=False)
        try:
            info.wait_for_publish(self._config.publish_timeout_s)
        except (RuntimeError, ValueError) as exc:
            raise AlertDeliveryError(f"MQTT broker {self._endpoint}: publish failed ({exc})") from None
        if not info.is_published():
            raise AlertDeliveryError(
                f"MQTT broker {self._endpoint}: no acknowledgement within {self._config.publish_timeout_s} s"
            )

    def publish_availability(self, camera_id: str, online: bool) -> None:
        """Retained ``online``/``offline`` on ``<prefix>/<camera>/available``; sent now or on reconnect."""
        self._publish_retained(self.topic(_topic_part(camera_id), "available"), ONLINE if online else OFFLINE)

    def publish_camera_state(self, camera_id: str, state: Mapping[str, Any]) -> None:
        """Retained JSON on ``<prefix>/<camera>/state``; sent now or on reconnect."""
        text = json.dumps(dict(state), separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        self._publish_retained(self.topic(_topic_part(camera_id), "state"), text)

    def _publish_retained(self, topic: str, payload: str) -> None:
        with self._lock:
            self._retained[topic] = payload
            connected = self._connected.is_set()
        # Published outside the lock: paho's publish may take its callback mutex, which the loop
        # thread holds while it runs _on_connect (that takes this lock): holding both would deadlock.
        if connected:
            self._client.publish(topic, payload, qos=self._config.qos, retain=True)

    def _on_connect(self, client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any) -> None:
        if reason.is_failure:
            self._set_problem(f"broker refused the connection: {reason}")
            return
        with self._lock:
            self._connected.set()
        self._republish_retained(client)
        if self._problem_logged:
            log.info("MQTT broker %s connected again", self._endpoint)
        else:
            log.info("MQTT broker %s connected", self._endpoint)
        self._problem_logged = False

    def _republish_retained(self, client: mqtt.Client) -> None:
        """Send every remembered retained value after a (re)connect.

        Repeats until nothing changed meanwhile, so a value set concurrently by another thread is
        never overwritten by an older one published here.
        """
        sent: dict[str, str] = {}
        while True:
            with self._lock:
                changed = {t: p for t, p in self._retained.items() if sent.get(t) != p}
            if not changed:
                return
            for topic, payload in changed.items():
                client.publish(topic, payload, qos=self._config.qos, retain=True)
            sent.update(changed)

    def _on_disconnect(
        self, _client: mqtt.Client, _userdata: Any, _flags: Any, reason: ReasonCode, _props: Any
    ) -> None:
        self._connected.clear()
        if self._started:
            self._set_problem(f"connection lost ({reason}); reconnecting")

    def _on_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        self._set_problem("cannot connect (broker down or unreachable); retrying in the background")

    def _set_problem(self, problem: str) -> None:
        self._problem = problem
        if not self._problem_logged:
            log.warning("MQTT broker %s: %s", self._endpoint, problem)
            self._problem_logged = True


class MqttChannel:
    """Alert channel publishing event messages on ``<prefix>/events``; keeps ``<camera>/state`` current."""

    name = "mqtt"

    def __init__(self, publisher: MqttPublisher) -> None:
        self._publisher = publisher
        self._lock = threading.Lock()
        self._active: dict[str, dict[str, str]] = {}
        """camera id -> {event id: event type} of events started and not yet ended."""

    def accepts(self, event: Event) -> bool:
        return True

    def send(self, message: OutboundMessage) -> None:
        self._publisher.publish_event(message.body)
        with self._lock:
            active = self._active.setdefault(message.camera_id, {})
            if message.kind == "end":
                active.pop(message.event_id, None)
            else:
                active[message.event_id] = message.event_type
            self._publish_state(message.camera_id)

    def reset_camera_state(self, camera_id: str) -> None:
        """Publish "no active events" for a camera, e.g. at start-up to clear a state left by a crash."""
        with self._lock:
            self._active[camera_id] = {}
            self._publish_state(camera_id)

    def _publish_state(self, camera_id: str) -> None:
        active = self._active[camera_id]
        self._publisher.publish_camera_state(
            camera_id,
            {
                "active_event_types": sorted(set(active.values())),
                "active_events": [{"id": i, "type": t} for i, t in sorted(active.items())],
            },
        )

    def close(self) -> None:
        """Nothing to release: the publisher's owner stops it."""
