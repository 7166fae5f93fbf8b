"""Onset -> alert timing of `gwanje bench --out`: generated events at known times, alerts arriving later."""

from __future__ import annotations

import json
import urllib.request

import pytest

from gwanje.alerts.payload import build_message
from gwanje.core.events import Event, EventState, EventType
from gwanje.eval.bench_cameras import AlertCatcher, onset_to_alert, percentile

ONSET_PTS = 4.0  # where the generated fire starts in the clip


def message(event_type: EventType, state: EventState, start_time: float, start_pts_s: float) -> dict[str, object]:
    event = Event("e1", "cam", event_type, state, start_time=start_time, start_pts_s=start_pts_s)
    return build_message(event, "m1", created_at=start_time)


def test_latency_runs_from_the_known_onset_to_the_alert() -> None:
    # the camera showed pts 4.0 at wall 1000.0; the rule confirmed the fire from the frame at pts 4.6
    # (wall 1000.6) and the alert arrived at 1001.8: 1.8 s after the onset
    fire = message(EventType.FIRE, EventState.START, start_time=1000.6, start_pts_s=4.6)
    smoke = message(EventType.SMOKE, EventState.START, start_time=1001.0, start_pts_s=5.0)
    assert onset_to_alert([(1001.8, fire), (1002.5, smoke)], ONSET_PTS) == pytest.approx([1.8, 2.5])


def test_false_alarms_before_the_onset_and_other_messages_are_left_out() -> None:
    early = message(EventType.FIRE, EventState.START, start_time=998.0, start_pts_s=2.0)
    end = message(EventType.FIRE, EventState.END, start_time=1000.6, start_pts_s=4.6)
    fall = message(EventType.FALL, EventState.START, start_time=1000.6, start_pts_s=4.6)
    assert onset_to_alert([(999.0, early), (1003.0, end), (1003.0, fall)], ONSET_PTS) == []


def test_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) in (50.0, 51.0)
    assert percentile(values, 0.95) == pytest.approx(95.0, abs=1.0)
    assert percentile([2.0], 0.95) == 2.0


def test_the_alert_catcher_records_each_posted_message_with_its_arrival_time() -> None:
    body = message(EventType.FIRE, EventState.START, start_time=1000.6, start_pts_s=4.6)
    with AlertCatcher() as catcher:
        request = urllib.request.Request(catcher.url, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 200
    assert len(catcher.received) == 1
    arrived, got = catcher.received[0]
    assert got == body
    assert arrived > 1e9
