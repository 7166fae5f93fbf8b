"""Message format, retry delays and alert configuration errors."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np
import pytest
from pydantic import ValidationError

from gwanje.alerts.payload import build_message, encode
from gwanje.alerts.retry import RetryPolicy
from gwanje.config import parse_config
from gwanje.core.errors import ConfigError
from gwanje.core.events import EventState
from tests.alerts.support import make_event


@pytest.mark.parametrize(
    ("state", "kind"), [(EventState.START, "new"), (EventState.UPDATE, "update"), (EventState.END, "end")]
)
def test_message_type_follows_the_event_state(state: EventState, kind: str) -> None:
    message = build_message(make_event(state), "m1", 1.0)
    assert message["type"] == kind
    assert message["event"]["state"] == state.value


def test_end_message_has_duration_and_absolute_media_urls_when_a_base_url_is_set() -> None:
    event = make_event(EventState.END, event_id="a/b c")
    message = build_message(event, "m1", 1.0, base_url="https://ops.example:8000/")
    assert message["event"]["duration_s"] == 30.0
    assert message["event"]["snapshot_url"] == "https://ops.example:8000/api/events/a%2Fb%20c/snapshot.jpg"
    assert message["event"]["clip_url"] == "https://ops.example:8000/api/events/a%2Fb%20c/clip.mp4"


def test_body_is_strict_json_even_with_numpy_and_nan_details() -> None:
    event = make_event()
    event.details = {"score": np.float32(0.5), "hist": np.arange(3), "bad": float("nan"), "when": object}
    body = encode(build_message(event, "m1", 1.0))
    details = json.loads(body)["event"]["details"]
    assert details["score"] == 0.5
    assert details["hist"] == [0, 1, 2]
    assert details["bad"] is None
    assert isinstance(details["when"], str)


def test_retry_delays_grow_and_stay_within_bounds() -> None:
    policy = RetryPolicy(initial_s=1.0, max_s=60.0, give_up_after_s=3600.0, rng=random.Random(7))
    delays = [policy.delay(n) for n in range(1, 30)]
    assert all(1.0 <= d <= 60.0 for d in delays)
    assert delays[0] == 1.0
    assert max(delays[:3]) < min(delays[8:])  # exponential growth, jitter notwithstanding
    assert len(set(delays[10:])) > 1  # jitter spreads retries at the cap


def test_retry_after_is_honoured_up_to_the_maximum() -> None:
    policy = RetryPolicy(initial_s=1.0, max_s=60.0, give_up_after_s=3600.0)
    assert policy.delay(1, retry_after_s=30.0) == 30.0
    assert policy.delay(1, retry_after_s=1e6) == 60.0


def _alerts(**alerts: Any) -> None:
    parse_config({"alerts": alerts})


@pytest.mark.parametrize(
    ("alerts", "expected"),
    [
        (
            {"webhooks": [{"name": "a", "url": "http://x"}, {"name": "a", "url": "http://y"}]},
            "webhook names must be unique",
        ),
        ({"retry_initial_s": 10, "retry_max_s": 5}, "retry_max_s (5.0) must be at least retry_initial_s"),
        ({"mqtt": {"topic_prefix": "site/#"}}, "alerts.mqtt.topic_prefix"),
        ({"webhooks": [{"name": "a", "url": "ftp://x"}]}, "alerts.webhooks[0].url"),
    ],
)
def test_config_errors_name_the_problem(alerts: dict[str, Any], expected: str) -> None:
    with pytest.raises((ConfigError, ValidationError)) as info:
        _alerts(**alerts)
    assert expected in str(info.value)


def test_secrets_are_not_shown_in_config_repr() -> None:
    cfg = parse_config(
        {
            "alerts": {
                "webhooks": [{"name": "a", "url": "http://x", "secret": "hook-secret"}],
                "mqtt": {"username": "u", "password": "mqtt-secret"},
            }
        }
    )
    assert "hook-secret" not in repr(cfg.alerts)
    assert "mqtt-secret" not in repr(cfg.alerts)
