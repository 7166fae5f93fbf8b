from __future__ import annotations

import datetime as dt
from typing import Literal

import pytest

from gwanje.config import rules as rule_config
from gwanje.config.schedule import Schedule, ScheduleWindow
from gwanje.core.events import EventType, Observation
from gwanje.events.rules.line_crossing import LineCrossingRule
from tests.track.scenes import ctx_at, person_box, tracks

# A vertical door line drawn top to bottom at x = 320 px, from y = 96 to y = 432 px.
# Walking along it (down the screen) the walker's left is the screen's right, so a_to_b is right -> left.
DOOR = [(0.5, 0.2), (0.5, 0.9)]


def door(direction: Literal["any", "a_to_b", "b_to_a"] = "any", **kw: object) -> LineCrossingRule:
    return LineCrossingRule(rule_config.LineCrossingRuleConfig(name="door", line=DOOR, direction=direction, **kw))  # type: ignore[arg-type]


def walk(
    rule: LineCrossingRule, xs: list[float], foot_y: float = 300, track_id: int = 1, start_s: float = 0.0
) -> list[Observation]:
    out: list[Observation] = []
    for i, x in enumerate(xs):
        out += rule.evaluate(ctx_at(start_s + i / 5, tracks([person_box(x, foot_y)], [track_id])))
    return out


LEFT_TO_RIGHT = [200 + 20 * i for i in range(13)]  # 200 -> 440 px
RIGHT_TO_LEFT = LEFT_TO_RIGHT[::-1]


@pytest.mark.parametrize(
    ("direction", "xs", "expected"),
    [
        ("a_to_b", RIGHT_TO_LEFT, 1),
        ("a_to_b", LEFT_TO_RIGHT, 0),
        ("b_to_a", LEFT_TO_RIGHT, 1),
        ("b_to_a", RIGHT_TO_LEFT, 0),
        ("any", LEFT_TO_RIGHT, 1),
        ("any", RIGHT_TO_LEFT, 1),
    ],
)
def test_direction(direction: Literal["any", "a_to_b", "b_to_a"], xs: list[float], expected: int) -> None:
    assert len(walk(door(direction), xs)) == expected


def test_one_observation_on_the_crossing_frame_keyed_by_track() -> None:
    rule = door()
    frames = [rule.evaluate(ctx_at(i / 5, tracks([person_box(x, 300)], [7]))) for i, x in enumerate(LEFT_TO_RIGHT)]
    crossing = [i for i, obs in enumerate(frames) if obs]
    assert crossing == [7]  # x goes 300 -> 340 between frames 6 and 7
    obs = frames[7][0]
    assert obs.event_type is EventType.LINE_CROSSING
    assert obs.key == "door:7"
    assert obs.details == {"line": "door", "direction": "b_to_a", "track_id": 7}
    assert obs.boxes.tracker_id.tolist() == [7]


def test_passing_beyond_the_end_of_the_segment_is_no_crossing() -> None:
    assert walk(door(), LEFT_TO_RIGHT, foot_y=60) == []  # above the door's top end at y = 96


def test_jitter_on_the_line_is_no_crossing_but_stepping_over_is() -> None:
    rule = door()
    assert walk(rule, [300, 318, 321, 319, 322, 318, 321, 319]) == []  # within the dead band around x = 320
    assert len(walk(rule, [330], start_s=2.0)) == 1  # now really on the other side


def test_every_object_gets_its_own_crossing() -> None:
    rule = door()
    observations = []
    for i, x in enumerate(LEFT_TO_RIGHT):
        rows = tracks([person_box(x, 300), person_box(x, 420)], [1, 2])
        observations += rule.evaluate(ctx_at(i / 5, rows))
    assert sorted(o.key for o in observations) == ["door:1", "door:2"]


def test_off_hours_crossings_are_not_reported() -> None:
    office = Schedule(windows=[ScheduleWindow(start=dt.time(8, 0), end=dt.time(18, 0))], timezone="UTC")
    assert walk(door(schedule=office), LEFT_TO_RIGHT) == []  # the scene's wall clock says 22:13 UTC


def test_labels_filter() -> None:
    assert walk(door(labels=["car"]), LEFT_TO_RIGHT) == []
