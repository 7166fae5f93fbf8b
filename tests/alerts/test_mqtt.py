"""MQTT channel and availability publisher against the real Mosquitto broker at 127.0.0.1:1883."""

from __future__ import annotations

import json
import logging
import socket
import uuid
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine

from gwanje.alerts import AlertService, MqttChannel, MqttPublisher, Outbox, OutboxWorker
from gwanje.config.alerts import AlertsConfig, MqttConfig
from gwanje.core.events import EventState
from tests.alerts.mqtt_support import BROKER, Subscriber, broker_reachable, clear_retained
from tests.alerts.support import Receiver, make_event, wait_until

pytestmark = pytest.mark.mqtt

FAST = {"retry_initial_s": 0.05, "retry_max_s": 0.2}


@pytest.fixture
def prefix() -> Iterator[str]:
    if not broker_reachable():
        pytest.skip(f"no MQTT broker at {BROKER[0]}:{BROKER[1]}")
    name = f"gwanje-test-{uuid.uuid4().hex[:10]}"
    yield name
    clear_retained(name, ["available", "gate-1/available", "gate-1/state"])


def _mqtt(prefix: str, port: int = BROKER[1]) -> MqttConfig:
    return MqttConfig(enabled=True, host=BROKER[0], port=port, topic_prefix=prefix, qos=1, publish_timeout_s=5.0)


class Delivering:
    """Publisher + MQTT channel + outbox + worker, all stopped at the end."""

    def __init__(self, engine: Engine, mqtt: MqttConfig) -> None:
        self.publisher = MqttPublisher(mqtt)
        self.channel = MqttChannel(self.publisher)
        config = AlertsConfig.model_validate({"mqtt": mqtt.model_dump(), **FAST})
        self.outbox = Outbox(engine, [self.channel], config)
        self.worker = OutboxWorker(self.outbox, poll_interval_s=0.05)

    def __enter__(self) -> Delivering:
        self.publisher.start()
        self.worker.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.worker.stop()
        self.outbox.close()
        self.publisher.stop()


def _all_delivered(outbox: Outbox, n: int) -> bool:
    rows = outbox.delivery_status("evt-1")
    return len(rows) == n and all(r["status"] == "delivered" for r in rows)


def _state(received: list[object]) -> dict[str, object]:
    return dict(json.loads(received[-1].payload))  # type: ignore[attr-defined]


def test_event_messages_and_camera_state(engine: Engine, prefix: str) -> None:
    with Delivering(engine, _mqtt(prefix)) as d, Subscriber(f"{prefix}/events") as events:
        d.outbox.enqueue(make_event(EventState.START))
        wait_until(lambda: _all_delivered(d.outbox, 1), "the new message to be acknowledged")
        with Subscriber(f"{prefix}/gate-1/state") as late:
            wait_until(lambda: bool(late.on(f"{prefix}/gate-1/state")), "the retained camera state")
            assert late.on(f"{prefix}/gate-1/state")[-1].retain
            assert _state(late.on(f"{prefix}/gate-1/state"))["active_event_types"] == ["fire"]

        d.outbox.enqueue(make_event(EventState.UPDATE))
        d.outbox.enqueue(make_event(EventState.END))
        wait_until(lambda: len(events.on(f"{prefix}/events")) == 3, "three event messages")
        wait_until(lambda: _all_delivered(d.outbox, 3), "all three messages marked delivered")
        with Subscriber(f"{prefix}/gate-1/state") as late:
            wait_until(lambda: bool(late.on(f"{prefix}/gate-1/state")), "the retained camera state after the end")
            assert _state(late.on(f"{prefix}/gate-1/state"))["active_event_types"] == []

    messages = [json.loads(m.payload) for m in events.on(f"{prefix}/events")]
    assert [m["type"] for m in messages] == ["new", "update", "end"]
    assert {m["event"]["id"] for m in messages} == {"evt-1"}
    assert messages[-1]["event"]["end_pts_s"] == 42.5


def test_retained_availability_reaches_late_subscribers_and_goes_offline_on_stop(prefix: str) -> None:
    publisher = MqttPublisher(_mqtt(prefix))
    publisher.start()
    try:
        assert publisher.wait_connected(5.0), publisher.problem
        with Subscriber(f"{prefix}/#") as early:
            publisher.publish_availability("gate-1", online=True)
            wait_until(lambda: bool(early.on(f"{prefix}/gate-1/available")), "the camera availability")
        with Subscriber(f"{prefix}/#") as late:
            wait_until(
                lambda: bool(late.on(f"{prefix}/gate-1/available")) and bool(late.on(f"{prefix}/available")),
                "retained service and camera availability",
            )
            assert [(m.payload, m.retain) for m in late.on(f"{prefix}/available")] == [("online", True)]
            assert [(m.payload, m.retain) for m in late.on(f"{prefix}/gate-1/available")] == [("online", True)]
            publisher.stop()
            wait_until(
                lambda: (
                    [m.payload for m in late.on(f"{prefix}/available")][-1] == "offline"
                    and [m.payload for m in late.on(f"{prefix}/gate-1/available")][-1] == "offline"
                ),
                "offline availability after stop",
            )
    finally:
        publisher.stop()


def test_last_will_marks_the_service_offline_and_reconnect_restores_it(prefix: str) -> None:
    publisher = MqttPublisher(_mqtt(prefix))
    publisher.start()
    try:
        assert publisher.wait_connected(5.0), publisher.problem
        with Subscriber(f"{prefix}/available") as sub:
            wait_until(lambda: bool(sub.on(f"{prefix}/available")), "online availability")
            sock = publisher._client.socket()  # simulate a crash: the TCP connection drops without DISCONNECT
            assert sock is not None
            sock.shutdown(socket.SHUT_RDWR)
            wait_until(lambda: "offline" in [m.payload for m in sub.on(f"{prefix}/available")], "the last will")
            wait_until(
                lambda: [m.payload for m in sub.on(f"{prefix}/available")][-1] == "online",
                "online again after the automatic reconnect",
            )
    finally:
        publisher.stop()


def test_unreachable_broker_keeps_messages_pending_until_a_broker_is_reachable(
    engine: Engine, prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed_port = int(s.getsockname()[1])
    unreachable = _mqtt(prefix, port=closed_port).model_copy(
        update={"username": "gwanje", "password": SecretStr("mqtt-pass-secret")}
    )
    with Delivering(engine, unreachable) as d:
        d.outbox.enqueue(make_event(EventState.START))
        wait_until(lambda: d.outbox.delivery_status("evt-1")[0]["attempts"] >= 2, "failed attempts")
        (row,) = d.outbox.delivery_status("evt-1")
        assert row["status"] == "pending"
        assert f"MQTT broker 127.0.0.1:{closed_port}" in row["last_error"]
        assert d.outbox.pending_count() == 1

    with Subscriber(f"{prefix}/events") as events, Delivering(engine, _mqtt(prefix)) as d:
        wait_until(lambda: _all_delivered(d.outbox, 1), "delivery once the broker is reachable")
        wait_until(lambda: bool(events.on(f"{prefix}/events")), "the message at the subscriber")
    assert json.loads(events.on(f"{prefix}/events")[0].payload)["type"] == "new"
    assert "mqtt-pass-secret" not in caplog.text
    assert "mqtt-pass-secret" not in str(d.outbox.delivery_status("evt-1"))


def test_alert_service_wires_webhook_and_mqtt(engine: Engine, prefix: str, receiver: Receiver) -> None:
    config = AlertsConfig.model_validate(
        {"webhooks": [{"name": "ops", "url": receiver.url}], "mqtt": _mqtt(prefix).model_dump(), **FAST}
    )
    service = AlertService(config, engine)
    with Subscriber(f"{prefix}/#") as sub:
        service.start(camera_ids=["gate-1"])
        try:
            service.camera_available("gate-1", online=True)
            service.outbox.enqueue(make_event(EventState.START))
            wait_until(lambda: _all_delivered(service.outbox, 2), "delivery to both channels")
            wait_until(lambda: bool(sub.on(f"{prefix}/events")), "the event at the subscriber")
        finally:
            service.stop()
        wait_until(
            lambda: [m.payload for m in sub.on(f"{prefix}/gate-1/available")][-1:] == ["offline"],
            "the camera reported offline when the service stops",
        )
    assert {r["channel"] for r in service.outbox.delivery_status("evt-1")} == {"webhook:ops", "mqtt"}
    assert len(receiver.requests) == 1
    assert len(sub.on(f"{prefix}/events")) == 1
    states = [json.loads(m.payload)["active_event_types"] for m in sub.on(f"{prefix}/gate-1/state")]
    assert states[0] == [] and states[-1] == ["fire"]
    assert "online" in [m.payload for m in sub.on(f"{prefix}/gate-1/available")]
