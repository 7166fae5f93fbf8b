"""Outbox + webhook channel against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from gwanje.alerts import Outbox, OutboxWorker, WebhookChannel
from gwanje.config.alerts import AlertsConfig
from gwanje.core.events import EventState, EventType
from tests.alerts.support import Receiver, make_event, outbox_engine, wait_until

SECRET = "s3cret-hmac-key"


def _config(url: str, **webhook: Any) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "webhooks": [{"name": "ops", "url": url, "secret": SECRET, "timeout_s": 2.0, **webhook}],
            "retry_initial_s": 0.05,
            "retry_max_s": 0.2,
        }
    )


class Running:
    """An outbox with its worker running, stopped at the end of the test."""

    def __init__(self, engine: Engine, config: AlertsConfig) -> None:
        self.outbox = Outbox(engine, [WebhookChannel(w) for w in config.webhooks], config)
        self.worker = OutboxWorker(self.outbox, poll_interval_s=0.05)

    def __enter__(self) -> Outbox:
        self.worker.start()
        return self.outbox

    def __exit__(self, *_exc: object) -> None:
        self.worker.stop()
        self.outbox.close()


def _status(outbox: Outbox, event_id: str = "evt-1") -> list[dict[str, Any]]:
    return outbox.delivery_status(event_id)


def _delivered(outbox: Outbox, n: int = 1) -> bool:
    rows = _status(outbox)
    return len(rows) == n and all(r["status"] == "delivered" for r in rows)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def down_receiver() -> Iterator[Receiver]:
    server = Receiver(port=_closed_port())
    yield server
    server.stop()


def test_delivers_signed_json_with_event_fields(engine: Engine, receiver: Receiver) -> None:
    with Running(engine, _config(receiver.url)) as outbox:
        outbox.enqueue(make_event(EventState.START))
        wait_until(lambda: _delivered(outbox), "the message to be delivered")
        assert outbox.pending_count() == 0

    (request,) = receiver.requests
    expected = "sha256=" + hmac.new(SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    assert request.headers["X-Gwanje-Signature"] == expected
    assert request.headers["X-Gwanje-Event"] == "new"
    assert request.headers["X-Gwanje-Event-Id"] == "evt-1"
    message = request.json()
    assert message["type"] == "new"
    assert request.headers["X-Gwanje-Delivery"] == message["message_id"]
    event = message["event"]
    assert (event["id"], event["camera"], event["type"], event["severity"]) == ("evt-1", "gate-1", "fire", "critical")
    assert event["boxes"] == [[10.0, 20.0, 110.0, 220.0]]
    assert event["frame_size"] == [1280, 720]
    assert event["snapshot_url"] == "/api/events/evt-1/snapshot.jpg"
    assert event["clip_url"] is None
    (row,) = _status(outbox)
    assert row["attempts"] == 1
    assert row["delivered_at"] is not None
    assert row["channel"] == "webhook:ops"


def test_server_errors_are_retried_with_identical_bodies(engine: Engine, receiver: Receiver) -> None:
    receiver.statuses[:] = [500, 503]
    with Running(engine, _config(receiver.url)) as outbox:
        outbox.enqueue(make_event())
        wait_until(lambda: _delivered(outbox), "delivery after two server errors")
    (row,) = _status(outbox)
    assert row["attempts"] == 3
    assert row["last_error"] is None
    assert len({r.body for r in receiver.requests}) == 1
    assert [r.headers["X-Gwanje-Attempt"] for r in receiver.requests] == ["1", "2", "3"]


def test_unreachable_receiver_stays_pending_then_delivers(
    engine: Engine, down_receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = f"{down_receiver.url}?token=tok-in-url"
    with Running(engine, _config(url)) as outbox:
        outbox.enqueue(make_event())
        wait_until(lambda: _status(outbox)[0]["attempts"] >= 2, "two failed attempts")
        row = _status(outbox)[0]
        assert row["status"] == "pending"
        assert "cannot connect" in row["last_error"]
        assert row["next_attempt_at"] is not None
        assert outbox.pending_count() == 1
        down_receiver.start()
        wait_until(lambda: _delivered(outbox), "delivery once the receiver is up")
    assert len(down_receiver.requests) == 1
    for text in (caplog.text, str(_status(outbox))):
        assert SECRET not in text
        assert "tok-in-url" not in text


def test_client_error_fails_permanently_with_reason(engine: Engine, receiver: Receiver) -> None:
    receiver.statuses[:] = [400]
    with Running(engine, _config(receiver.url)) as outbox:
        outbox.enqueue(make_event())
        wait_until(lambda: _status(outbox)[0]["status"] == "failed", "the message to be marked failed")
        assert outbox.pending_count() == 0
    (row,) = _status(outbox)
    assert "HTTP 400" in row["last_error"]
    assert "rejected: bad payload" in row["last_error"]
    assert row["attempts"] == 1
    assert len(receiver.requests) == 1


def test_rate_limited_is_retried(engine: Engine, receiver: Receiver) -> None:
    receiver.statuses[:] = [429]
    with Running(engine, _config(receiver.url)) as outbox:
        outbox.enqueue(make_event())
        wait_until(lambda: _delivered(outbox), "delivery after 429")
    assert _status(outbox)[0]["attempts"] == 2


def test_timeouts_are_retried(engine: Engine, receiver: Receiver, caplog: pytest.LogCaptureFixture) -> None:
    receiver.delays_s[:] = [1.0]
    with Running(engine, _config(receiver.url, timeout_s=0.2)) as outbox:
        outbox.enqueue(make_event())
        wait_until(lambda: _delivered(outbox), "delivery after a timed-out attempt")
    assert _status(outbox)[0]["attempts"] == 2
    assert "no response within 0.2 s" in caplog.text


def test_end_is_not_sent_before_its_new(engine: Engine, receiver: Receiver) -> None:
    receiver.statuses[:] = [500, 500]
    with Running(engine, _config(receiver.url)) as outbox:
        outbox.enqueue(make_event(EventState.START))
        outbox.enqueue(make_event(EventState.UPDATE))
        outbox.enqueue(make_event(EventState.END))
        wait_until(lambda: _delivered(outbox, 3), "all three messages delivered")
    assert [r.json()["type"] for r in receiver.requests] == ["new", "new", "new", "update", "end"]


def test_pending_messages_survive_a_restart(tmp_path: Path, receiver: Receiver) -> None:
    config = _config(receiver.url)
    first = outbox_engine(tmp_path / "restart.db")
    Outbox(first, [WebhookChannel(config.webhooks[0])], config).enqueue(make_event(EventState.START))
    Outbox(first, [WebhookChannel(config.webhooks[0])], config).enqueue(make_event(EventState.END))
    first.dispose()
    assert receiver.requests == []

    second = outbox_engine(tmp_path / "restart.db")
    with Running(second, config) as outbox:
        assert outbox.pending_count() == 2
        wait_until(lambda: _delivered(outbox, 2), "messages stored before the restart to be delivered")
    second.dispose()
    assert [r.json()["type"] for r in receiver.requests] == ["new", "end"]


def test_filters_by_event_type_and_state(engine: Engine, receiver: Receiver) -> None:
    config = _config(receiver.url, event_types=["smoke"], states=["start"])
    outbox = Outbox(engine, [WebhookChannel(config.webhooks[0])], config)
    outbox.enqueue(make_event(EventState.START, event_id="fire-1"))
    outbox.enqueue(make_event(EventState.START, event_id="smoke-1", event_type=EventType.SMOKE))
    outbox.enqueue(make_event(EventState.END, event_id="smoke-1", event_type=EventType.SMOKE))
    assert outbox.delivery_status("fire-1") == []
    assert [r["type"] for r in outbox.delivery_status("smoke-1")] == ["new"]


def test_messages_of_removed_channels_are_marked_failed(engine: Engine, receiver: Receiver) -> None:
    old = _config(receiver.url)
    Outbox(engine, [WebhookChannel(old.webhooks[0])], old).enqueue(make_event())
    renamed = _config(receiver.url, name="ops-new")
    with Running(engine, renamed) as outbox:
        wait_until(lambda: _status(outbox)[0]["status"] == "failed", "the orphaned message to be failed")
        assert "no longer configured" in _status(outbox)[0]["last_error"]


def test_gives_up_after_the_configured_age(engine: Engine, down_receiver: Receiver) -> None:
    config = _config(down_receiver.url).model_copy(update={"give_up_after_s": 0.3})
    with Running(engine, config) as outbox:
        outbox.enqueue(make_event())
        wait_until(lambda: _status(outbox)[0]["status"] == "failed", "the message to be given up")
    row = _status(outbox)[0]
    assert "gave up" in row["last_error"]
    assert "cannot connect" in row["last_error"]
