from __future__ import annotations

import math

import numpy as np
import pytest

from gwanje.track.history import TrackHistory
from tests.track.scenes import person_box, tracks


def walk(history: TrackHistory, track_id: int, start_s: float, seconds: float, vx: float, vy: float) -> None:
    """A person walking at (vx, vy) px/s, seen 5 times a second."""
    for i in range(round(seconds * 5) + 1):
        t = start_s + i / 5
        history.update(tracks([person_box(100 + vx * (t - start_s), 300 + vy * (t - start_s))], [track_id]), t)


def test_dwell_speed_and_direction_of_a_walking_person() -> None:
    history = TrackHistory()
    walk(history, 4, start_s=2.0, seconds=3.0, vx=60.0, vy=-30.0)
    record = history[4]
    assert record.first_seen_s == 2.0
    assert record.dwell_s == pytest.approx(3.0)
    assert record.speed_px_s() == pytest.approx(math.hypot(60, 30), rel=1e-4)
    assert record.speed_heights_s() == pytest.approx(math.hypot(60, 30) / 120, rel=1e-4)
    dx, dy = record.direction()  # type: ignore[misc]
    assert (dx, dy) == pytest.approx((2 / math.sqrt(5), -1 / math.sqrt(5)))
    assert record.heading_deg() == pytest.approx(math.degrees(math.atan2(-30, 60)))


def test_jitter_averages_out_over_the_window() -> None:
    history = TrackHistory()
    rng = np.random.default_rng(1)
    for i in range(11):
        x = 200 + rng.uniform(-3, 3)
        history.update(tracks([person_box(x, 300)], [1]), i / 5)
    assert history[1].speed_px_s(window_s=2.0) < 5.0
    assert history[1].direction(min_speed_px_s=20.0) is None


def test_standing_still_has_no_direction_and_one_sample_has_no_speed() -> None:
    history = TrackHistory()
    history.update(tracks([person_box(100, 300)], [1]), 0.0)
    assert history[1].speed_px_s() == 0.0
    history.update(tracks([person_box(100, 300)], [1]), 0.2)
    assert history[1].direction() is None
    assert history[1].heading_deg() is None


def test_tracks_are_forgotten_when_gone_and_the_buffer_is_bounded() -> None:
    history = TrackHistory(max_samples=8, forget_after_s=3.0)
    walk(history, 1, 0.0, 4.0, 10.0, 0.0)
    assert len(history[1].samples) == 8
    assert history.update(tracks([person_box(100, 300)], [2]), 6.0) == []
    assert 1 in history
    assert history.update(tracks([person_box(100, 300)], [2]), 7.5) == [1]
    assert 1 not in history and history.get(1) is None
    with pytest.raises(KeyError, match="no live track 1"):
        history[1]
    assert [r.track_id for r in history] == [2]


def test_keypoints_are_kept_per_sample() -> None:
    history = TrackHistory()
    kps = np.ones((1, 17, 3), np.float32)
    history.update(tracks([person_box(100, 300)], [3], keypoints=kps), 0.0)
    assert history[3].last.keypoints is not None and history[3].last.keypoints.shape == (17, 3)
    assert history[3].last.foot == (100.0, 300.0)


def test_a_new_stream_segment_forgets_everything() -> None:
    history = TrackHistory()
    history.update(tracks([person_box(100, 300)], [1]), 50.0)
    assert history.update(tracks([person_box(100, 300)], [1]), 50.2) == []
    assert history.update(tracks([person_box(100, 300)], [2]), 1.0, segment=1) == [1]
    assert len(history) == 1 and history[2].first_seen_s == 1.0


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="max_samples"):
        TrackHistory(max_samples=1)
    with pytest.raises(ValueError, match="forget_after_s"):
        TrackHistory(forget_after_s=0)
