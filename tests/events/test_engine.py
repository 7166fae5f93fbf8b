"""EventEngine on constructed observation sequences (10 analysed frames per second unless said)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from gwanje.config.events import EventTuning
from gwanje.core.detections import Detections
from gwanje.core.events import Event, EventState, EventType, Observation, Severity
from gwanje.core.frame import Frame
from gwanje.events.engine import EventEngine

IMAGE = np.zeros((48, 64, 3), np.uint8)
WALL0 = 1_700_000_000.0
FIRE = EventType.FIRE

Step = float | None | dict[str, float]
"""One frame: a fire confidence, None for no observation, or confidences per key."""


def _tuning(**kw: Any) -> EventTuning:
    base: dict[str, Any] = {
        "threshold": 0.5,
        "confirm_frames": 1,
        "window_frames": 1,
        "end_after_s": 0.5,
        "cooldown_s": 0.0,
        "merge_gap_s": 0.0,
        "update_interval_s": 100.0,
        "max_duration_s": 1000.0,
    }
    base.update(kw)
    return EventTuning(**base)


def _engine(**kw: Any) -> EventEngine:
    tuning = _tuning(**kw)
    return EventEngine("cam1", tuning=lambda _t: tuning)


def _frame(i: int, fps: float = 10.0, pts0: float = 0.0, segment: int = 0) -> Frame:
    return Frame("cam1", i, pts0 + i / fps, WALL0 + i / fps, IMAGE, segment)


def _obs(conf: float, key: str = "", box: Sequence[float] = (1, 2, 3, 4)) -> Observation:
    return Observation(FIRE, conf, Detections.from_arrays([box], [conf], "fire"), key=key, zone="z", label="fire")


def _run(engine: EventEngine, steps: Sequence[Step], first: int = 0) -> list[tuple[int, Event]]:
    out: list[tuple[int, Event]] = []
    for offset, step in enumerate(steps):
        i = first + offset
        if step is None:
            observations = []
        elif isinstance(step, dict):
            observations = [_obs(c, key=k) for k, c in step.items()]
        else:
            observations = [_obs(step)]
        out.extend((i, e) for e in engine.update(_frame(i), observations))
    return out


def _states(events: list[tuple[int, Event]]) -> list[tuple[int, str]]:
    return [(i, e.state.value) for i, e in events]


P, N = 0.9, 0.1


@pytest.mark.parametrize(
    ("steps", "start_frame", "first_positive"),
    [
        ([P, P, P], 2, 0),  # exactly N of N
        ([P, P, N, N, P], 4, 0),  # 3 of 5 with the first positive still in the window
        ([P, P, N, N, N, P], None, None),  # the first positive left the window: only 2 of 5
        ([P, N, N, N, N, P, P, P], 7, 5),  # an old positive left the window; the run starts at frame 5
        ([P, P, N, N, N, P, N, P], None, None),  # frames 3-7 hold only 2 positives
    ],
)
def test_n_of_m_boundaries(steps: list[float], start_frame: int | None, first_positive: int | None) -> None:
    events = _run(_engine(confirm_frames=3, window_frames=5, end_after_s=100), steps)
    if start_frame is None:
        assert events == []
        return
    assert _states(events) == [(start_frame, "start")]
    assert events[0][1].start_pts_s == pytest.approx(first_positive / 10)
    assert events[0][1].start_time == pytest.approx(WALL0 + first_positive / 10)


def test_threshold_is_inclusive() -> None:
    assert _states(_run(_engine(), [0.5])) == [(0, "start")]
    assert _run(_engine(), [0.4999, 0.2]) == []


def test_min_duration_waits_from_the_first_positive() -> None:
    events = _run(_engine(min_duration_s=1.0, end_after_s=5), [P] * 12)
    assert _states(events) == [(10, "start")]
    assert events[0][1].start_pts_s == 0.0


def test_min_duration_restarts_when_the_run_breaks() -> None:
    # 2 of 2 frames: the negative frame 5 breaks the run; frames 6-7 confirm again, so it starts at 0.6 s
    steps = [P] * 5 + [N] + [P] * 12
    events = _run(_engine(confirm_frames=2, window_frames=2, min_duration_s=1.0, end_after_s=5), steps)
    assert _states(events) == [(16, "start")]
    assert events[0][1].start_pts_s == pytest.approx(0.6)


def test_end_after_quiet_time_at_the_last_positive() -> None:
    events = _run(_engine(end_after_s=0.5), [P] * 10 + [N] * 10)
    assert _states(events) == [(0, "start"), (14, "end")]
    end = events[1][1]
    assert end.end_pts_s == pytest.approx(0.9)
    assert end.duration_s == pytest.approx(0.9)
    assert end.details["end_reason"] == "quiet"
    assert end.id == events[0][1].id


def test_missing_observations_count_as_negative() -> None:
    events = _run(_engine(end_after_s=0.3), [P, None, None, None, None])
    assert _states(events) == [(0, "start"), (3, "end")]


def test_cooldown_suppresses_then_allows_a_new_event() -> None:
    eng = _engine(end_after_s=0.2, cooldown_s=2.0, merge_gap_s=0.5)
    # event at frame 0, last positive frame 0, ends at frame 2; positives again from frame 10 (1.0 s after)
    events = _run(eng, [P, N, N] + [N] * 7 + [P] * 15)
    assert _states(events) == [(0, "start"), (2, "end"), (20, "start")]
    first, second = events[0][1], events[2][1]
    assert second.id != first.id
    assert second.start_pts_s == pytest.approx(1.0)  # its evidence started during the cooldown


def test_restart_within_merge_gap_reopens_the_same_event() -> None:
    eng = _engine(end_after_s=0.2, cooldown_s=30.0, merge_gap_s=1.0)
    events = _run(eng, [P, N, N, N, N, N, N, N, 0.95, P])
    assert _states(events) == [(0, "start"), (2, "end"), (8, "update")]
    reopened = events[2][1]
    assert reopened.id == events[0][1].id
    assert reopened.end_pts_s is None and reopened.end_time is None
    assert reopened.start_pts_s == 0.0
    assert reopened.details["reopened"] == 1
    assert "end_reason" not in reopened.details
    assert reopened.peak_confidence == pytest.approx(0.95)
    later = _run(eng, [N, N, N], first=10)
    assert _states(later) == [(11, "end")]
    assert later[0][1].id == reopened.id and later[0][1].end_pts_s == pytest.approx(0.9)


def test_merge_gap_boundary() -> None:
    # last positive at 0.0; a restart at exactly merge_gap_s (1.0 s) merges, at 1.1 s it is a new event
    for gap_frames, same in [(10, True), (11, False)]:
        eng = _engine(end_after_s=0.2, merge_gap_s=1.0)
        events = _run(eng, [P] + [N] * (gap_frames - 1) + [P])
        assert [e.state for _, e in events][-1] == (EventState.UPDATE if same else EventState.START)
        assert (events[-1][1].id == events[0][1].id) is same


def test_max_duration_splits_into_a_new_event() -> None:
    events = _run(_engine(max_duration_s=1.0, end_after_s=5), [P] * 25)
    assert _states(events) == [(0, "start"), (10, "end"), (10, "start"), (20, "end"), (20, "start")]
    assert events[1][1].details["end_reason"] == "max_duration"
    assert events[1][1].end_pts_s == pytest.approx(1.0)
    assert events[2][1].start_pts_s == pytest.approx(1.0)
    assert len({e.id for _, e in events}) == 3


def test_keys_are_independent() -> None:
    eng = _engine(confirm_frames=2, window_frames=2, end_after_s=0.3)
    steps: list[Step] = [{"a": P}, {"a": P, "b": P}, {"b": P}, {"b": P}, None, None, None, None]
    events = _run(eng, steps)
    assert [(i, e.state.value, e.key) for i, e in events] == [
        (1, "start", "a"),
        (2, "start", "b"),
        (4, "end", "a"),
        (6, "end", "b"),
    ]
    assert events[0][1].id != events[1][1].id


def test_updates_are_rate_limited_but_a_peak_rise_is_published_at_once() -> None:
    eng = _engine(update_interval_s=1.0, update_peak_rise=0.1, end_after_s=5)
    steps = [0.6] * 25 + [0.65, 0.75] + [0.6] * 3
    events = _run(eng, steps)
    assert _states(events) == [(0, "start"), (10, "update"), (20, "update"), (26, "update")]
    assert events[-1][1].peak_confidence == pytest.approx(0.75)


def test_no_periodic_update_without_new_positives() -> None:
    eng = _engine(update_interval_s=0.5, end_after_s=5)
    events = _run(eng, [P] + [N] * 20)
    assert _states(events) == [(0, "start")]


def test_peak_boxes_and_frame_size_come_from_the_peak_frame() -> None:
    eng = _engine(end_after_s=0.2)
    for i, (conf, box) in enumerate([(0.6, (0, 0, 5, 5)), (0.9, (10, 10, 20, 20)), (0.7, (1, 1, 2, 2))]):
        eng.update(_frame(i), [_obs(conf, box=box)])
    (end,) = eng.update(_frame(5), [])
    assert end.peak_confidence == pytest.approx(0.9)
    assert end.boxes == [(10.0, 10.0, 20.0, 20.0)]
    assert end.peak_time == pytest.approx(WALL0 + 0.1)
    assert end.frame_size == (64, 48)
    assert (end.zone, end.label, end.camera_id, end.event_type) == ("z", "fire", "cam1", FIRE)
    assert end.severity == Severity.CRITICAL


def test_emitted_events_are_snapshots() -> None:
    eng = _engine(end_after_s=0.2)
    (start,) = eng.update(_frame(0), [_obs(0.6)])
    eng.update(_frame(1), [_obs(0.9)])
    assert start.state == EventState.START and start.peak_confidence == pytest.approx(0.6)


def test_flush_ends_open_events_at_the_given_frame() -> None:
    eng = _engine(end_after_s=5)
    _run(eng, [P, P, N])
    (ended,) = eng.flush(_frame(30))
    assert ended.state == EventState.END
    assert ended.end_pts_s == pytest.approx(3.0)
    assert ended.details["end_reason"] == "flush"
    assert eng.flush(_frame(31)) == []
    assert EventEngine("x", tuning=lambda _t: _tuning()).flush() == []


def test_flush_without_argument_ends_at_the_last_frame() -> None:
    eng = _engine(end_after_s=5)
    _run(eng, [P, P, N])
    (ended,) = eng.flush()
    assert ended.end_pts_s == pytest.approx(0.2)


def test_stream_time_going_back_does_not_end_or_break_events() -> None:
    eng = _engine(end_after_s=0.5)
    assert _states(_run(eng, [P] * 5)) == [(0, "start")]
    # the source reconnects (a new segment): pts restart at 0 but the engine's timeline continues
    events = [e for i in range(3) for e in eng.update(_frame(i, segment=1), [_obs(P)])]
    assert events == []
    ends = [e for i in range(3, 12) for e in eng.update(_frame(i, segment=1), [])]
    assert [e.state for e in ends] == [EventState.END]


def test_disabled_type_and_custom_severity_and_wall_time() -> None:
    off = EventEngine("c", tuning=lambda _t: _tuning(enabled=False))
    assert _run(off, [P] * 5) == []
    eng = EventEngine(
        "c", tuning=lambda _t: _tuning(), severity=lambda _t: Severity.LOW, wall_time=lambda f: 5.0 + f.pts_s
    )
    ((_, start),) = _run(eng, [P])
    assert start.severity == Severity.LOW
    assert start.start_time == 5.0


def test_tuning_is_looked_up_per_type() -> None:
    asked: list[str] = []

    def tuning(event_type: str) -> EventTuning:
        asked.append(event_type)
        return _tuning(confirm_frames=2, window_frames=2) if event_type == "smoke" else _tuning()

    eng = EventEngine("c", tuning=tuning)
    smoke = Observation(EventType.SMOKE, 0.9, Detections.empty())
    first = eng.update(_frame(0), [_obs(P), smoke])
    second = eng.update(_frame(1), [_obs(P), smoke])
    assert [e.event_type for e in first] == [FIRE]
    assert [e.event_type for e in second] == [EventType.SMOKE]
    assert sorted(asked) == ["fire", "smoke"]


def test_a_quiet_near_type_silences_another_while_it_counts_and_quiet_near_s_after() -> None:
    """The default fight tuning is quiet near fire and smoke: a fire's flicker reads as a fight."""
    fight_tuning = _tuning(quiet_near=["fire", "smoke"], quiet_near_s=2.0)
    fire_tuning = _tuning()
    engine = EventEngine("cam1", tuning=lambda t: fight_tuning if t == "fight" else fire_tuning)

    def fight(conf: float) -> Observation:
        return Observation(EventType.FIGHT, conf, Detections.from_arrays([(1, 2, 3, 4)], [conf], "fight"))

    started: list[tuple[str, float]] = []
    for i in range(60):  # 6 s of fight observations; fire counts from 0.0 to 1.9 s, a faint fire at 2.0-2.9 s
        obs = [fight(0.9)]
        if i < 20:
            obs.append(_obs(0.9))
        elif i < 30:
            obs.append(_obs(0.3))  # below the fire threshold: does not count, does not silence
        for ev in engine.update(_frame(i), obs):
            if ev.state is EventState.START:
                started.append((ev.event_type.value, round(ev.start_pts_s, 1)))
    assert started == [("fire", 0.0), ("fight", 4.0)]  # the last counting fire at 1.9 s, quiet until 3.9 s


def test_quiet_near_defaults_only_fights_near_fire_and_smoke() -> None:
    from gwanje.config.events import default_tuning

    tunings = default_tuning()
    assert tunings["fight"].quiet_near == ["fire", "smoke"]
    assert all(not t.quiet_near for name, t in tunings.items() if name != "fight")
    with pytest.raises(ValueError):
        EventTuning(quiet_near=["no-such-type"])  # type: ignore[list-item]
