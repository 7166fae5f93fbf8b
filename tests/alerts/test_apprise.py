"""Apprise channel through the outbox, against a real HTTP receiver (Apprise's json:// service), no mocks."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from gwanje.alerts import AlertService
from gwanje.alerts.channels.apprise_channel import AppriseChannel
from gwanje.config.alerts import AlertsConfig
from gwanje.core.events import EventState, EventType
from tests.alerts.support import Receiver, make_event, wait_until

TOKEN = "tok3n-9f8e7d6c5b"


def _config(receiver: Receiver, **channel: Any) -> AlertsConfig:
    url = f"json://127.0.0.1:{receiver.port}/hook?token={TOKEN}"
    return AlertsConfig.model_validate(
        {
            "apprise": [{"name": "ops", "urls": [url], **channel}],
            "retry_initial_s": 0.05,
            "retry_max_s": 0.2,
        }
    )


@pytest.fixture
def service(engine: Engine, receiver: Receiver) -> Iterator[AlertService]:
    svc = AlertService(_config(receiver), engine)
    svc.worker = type(svc.worker)(svc.outbox, poll_interval_s=0.05)
    svc.start()
    yield svc
    svc.stop()


def _rows(service: AlertService, event_id: str = "evt-1") -> list[dict[str, Any]]:
    return service.outbox.delivery_status(event_id)


def test_event_reports_arrive_as_apprise_notifications(service: AlertService, receiver: Receiver) -> None:
    service.outbox.enqueue(make_event(EventState.START))
    service.outbox.enqueue(make_event(EventState.END))
    wait_until(lambda: [r["status"] for r in _rows(service)] == ["delivered", "delivered"], "both delivered")
    bodies = [r.json() for r in receiver.requests]
    assert [b["title"] for b in bodies] == ["Gwanje: fire started at gate-1", "Gwanje: fire ended at gate-1"]
    assert "Confidence: 91 %" in bodies[0]["message"] and "Event id: evt-1" in bodies[0]["message"]
    assert [b["type"] for b in bodies] == ["failure", "success"]  # critical start, then the end
    assert {r["channel"] for r in _rows(service)} == {"apprise:ops"}


def test_a_failing_receiver_is_retried_with_backoff_until_it_takes_the_message(
    service: AlertService, receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [500, 503]
    with caplog.at_level(logging.DEBUG):
        service.outbox.enqueue(make_event(EventState.START))
        wait_until(lambda: [r["status"] for r in _rows(service)] == ["delivered"], "delivered after retries")
    row = _rows(service)[0]
    assert row["attempts"] == 3 and len(receiver.requests) == 3
    assert TOKEN not in caplog.text  # neither Gwanje's log nor Apprise's says the URL's token


def test_errors_stored_and_shown_never_contain_the_url(engine: Engine) -> None:
    config = AlertsConfig.model_validate(
        {"apprise": [{"name": "ops", "urls": [f"json://user:{TOKEN}@127.0.0.1:1/hook?token={TOKEN}"]}]}
    )
    svc = AlertService(config, engine)
    outcome = svc.send_test("apprise:ops")
    assert not outcome.ok and outcome.error
    assert TOKEN not in outcome.error and "127.0.0.1" not in outcome.error
    status = svc.channel_status()[0]
    assert status["targets"] == ["json://…"] and TOKEN not in repr(status)
    svc.stop()


def test_send_test_reaches_the_receiver_and_is_remembered(engine: Engine, receiver: Receiver) -> None:
    svc = AlertService(_config(receiver, event_types=["smoke"]), engine)  # filters do not apply to a test
    outcome = svc.send_test("apprise:ops")
    assert outcome.ok, outcome.error
    assert receiver.requests[0].json()["title"] == "Gwanje: test notification"
    assert svc.channel_status()[0]["last_test"]["ok"] is True
    with pytest.raises(KeyError):
        svc.send_test("apprise:nope")
    svc.stop()


def test_filters_by_type_camera_and_hours_of_the_event_start(engine: Engine, receiver: Receiver) -> None:
    start = dt.datetime.fromtimestamp(1_700_000_000.0)  # make_event's start, in the machine's time zone
    window = {
        "start": (start - dt.timedelta(hours=1)).strftime("%H:%M"),
        "end": (start + dt.timedelta(hours=1)).strftime("%H:%M"),
    }
    outside = {
        "start": (start + dt.timedelta(hours=2)).strftime("%H:%M"),
        "end": (start + dt.timedelta(hours=3)).strftime("%H:%M"),
    }
    armed = AppriseChannel(_config(receiver, cameras=["gate-1"], schedule={"windows": [window]}).apprise[0])
    assert armed.accepts(make_event())
    assert not armed.accepts(make_event(camera_id="lobby"))
    off_hours = AppriseChannel(_config(receiver, schedule={"windows": [outside]}).apprise[0])
    assert not off_hours.accepts(make_event()) and not off_hours.accepts(make_event(EventState.END))
    typed = AppriseChannel(_config(receiver, event_types=["smoke"], states=["start"]).apprise[0])
    assert typed.accepts(make_event(event_type=EventType.SMOKE))
    assert not typed.accepts(make_event(event_type=EventType.FIRE))
    assert not typed.accepts(make_event(EventState.END, event_type=EventType.SMOKE))


def test_webhooks_have_the_same_camera_filter(engine: Engine, receiver: Receiver) -> None:
    from gwanje.alerts import WebhookChannel

    config = AlertsConfig.model_validate({"webhooks": [{"name": "ops", "url": receiver.url, "cameras": ["gate-1"]}]})
    channel = WebhookChannel(config.webhooks[0])
    assert channel.accepts(make_event()) and not channel.accepts(make_event(camera_id="lobby"))


def test_config_refuses_unknown_urls_without_repeating_them() -> None:
    with pytest.raises(ValidationError) as error:
        AlertsConfig.model_validate({"apprise": [{"name": "ops", "urls": [f"nosuchservice://{TOKEN}"]}]})
    assert "urls[0] (nosuchservice://…) is not a URL Apprise understands" in str(error.value)
    with pytest.raises(ValidationError, match="apprise names must be unique"):
        AlertsConfig.model_validate(
            {"apprise": [{"name": "a", "urls": ["json://localhost/"]}, {"name": "a", "urls": ["json://localhost/"]}]}
        )
