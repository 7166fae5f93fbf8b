"""Intrusion, loitering and crowding on constructed track sequences."""

from __future__ import annotations

import datetime as dt

import pytest

from gwanje.config import rules as rule_config
from gwanje.config.schedule import Schedule, ScheduleWindow
from gwanje.core.events import EventType
from gwanje.events.rules.crowding import CrowdingRule
from gwanje.events.rules.intrusion import IntrusionRule
from gwanje.events.rules.loitering import LoiteringRule
from gwanje.events.zones import PolygonZone
from tests.track.scenes import WALL_START, ctx_at, person_box, tracks

YARD = PolygonZone("yard", [(0.5, 0.5), (1.0, 0.5), (1.0, 1.0), (0.5, 1.0)])  # x >= 320, y >= 240
INSIDE = person_box(450, 400)
OUTSIDE = person_box(100, 400)
OFFICE_HOURS = Schedule(
    windows=[ScheduleWindow(start=dt.time(8, 0), end=dt.time(18, 0))], timezone="UTC"
)  # WALL_START is 22:13 UTC: off hours
TEN_AM = dt.datetime(2023, 11, 14, 10, 0, tzinfo=dt.UTC).timestamp()


def test_intrusion_after_min_dwell() -> None:
    rule = IntrusionRule(rule_config.IntrusionRuleConfig(zone="yard", min_dwell_s=0.5), YARD)
    for i in range(5):
        assert rule.evaluate(ctx_at(i / 5, tracks([OUTSIDE], [1]))) == []
    got = [rule.evaluate(ctx_at(1 + i / 5, tracks([INSIDE, OUTSIDE], [1, 2], [0.8, 0.9]))) for i in range(5)]
    assert [len(o) for o in got] == [0, 0, 0, 1, 1]  # 1.0, 1.2, 1.4 (0.4 s inside), 1.6 (0.6 s)
    obs = got[3][0]
    assert obs.event_type is EventType.INTRUSION
    assert (obs.key, obs.zone, obs.label) == ("yard", "yard", "person")
    assert obs.confidence == pytest.approx(0.8)
    assert obs.boxes.tracker_id.tolist() == [1]
    assert obs.details["track_ids"] == [1]


def test_intrusion_ignores_other_labels_and_respects_the_schedule() -> None:
    rule = IntrusionRule(rule_config.IntrusionRuleConfig(zone="yard", min_dwell_s=0.0), YARD)
    assert rule.evaluate(ctx_at(0.0, tracks([INSIDE], [1], label="car"))) == []

    armed_by_day = IntrusionRule(
        rule_config.IntrusionRuleConfig(zone="yard", min_dwell_s=0.0, schedule=OFFICE_HOURS), YARD
    )
    assert armed_by_day.evaluate(ctx_at(0.0, tracks([INSIDE], [1]))) == []  # night: off hours
    assert len(armed_by_day.evaluate(ctx_at(0.2, tracks([INSIDE], [1]), wall_start=TEN_AM))) == 1


def test_someone_inside_when_the_schedule_arms_counts_from_entry() -> None:
    evening = Schedule(windows=[ScheduleWindow(start=dt.time(22, 14), end=dt.time(23, 0))], timezone="UTC")
    rule = IntrusionRule(rule_config.IntrusionRuleConfig(zone="yard", min_dwell_s=30.0, schedule=evening), YARD)
    got = [len(rule.evaluate(ctx_at(i / 2, tracks([INSIDE], [1])))) for i in range(84)]
    assert sum(got[:80]) == 0  # disarmed until 22:14:00 (t = 40 s)
    assert got[80:] == [1, 1, 1, 1]  # inside since t = 0, so 30 s passed long ago


def loiter(
    rule: LoiteringRule, times: list[float], box: list[float] | None = None, track_id: int = 1, segment: int = 0
) -> list[int]:
    return [len(rule.evaluate(ctx_at(t, tracks([box or INSIDE], [track_id]), segment=segment))) for t in times]


def test_loitering_at_ten_seconds_not_before() -> None:
    rule = LoiteringRule(rule_config.LoiteringRuleConfig(zone="yard"), YARD)
    got = loiter(rule, [i / 10 for i in range(101)])
    assert got[99] == 0  # 9.9 s
    assert got[100] == 1  # 10.0 s
    obs = rule.evaluate(ctx_at(10.1, tracks([INSIDE], [1])))[0]
    assert obs.event_type is EventType.LOITERING
    assert obs.details == {"track_ids": [1], "dwell_s": pytest.approx(10.1)}


def test_loitering_forgives_short_exits_only() -> None:
    short = LoiteringRule(rule_config.LoiteringRuleConfig(zone="yard", max_gap_s=2.0), YARD)
    loiter(short, [i / 5 for i in range(31)])  # 0-6 s inside
    loiter(short, [6.2 + i / 5 for i in range(7)], box=OUTSIDE)  # out 6.2-7.4 s (gap 1.6 s)
    assert loiter(short, [7.6 + i / 5 for i in range(13)])[-1] == 1  # 10.0 s since the first entry

    long = LoiteringRule(rule_config.LoiteringRuleConfig(zone="yard", max_gap_s=2.0), YARD)
    loiter(long, [i / 5 for i in range(31)])
    loiter(long, [6.2 + i / 5 for i in range(15)], box=OUTSIDE)  # out 6.2-9.0 s (gap 3 s)
    assert loiter(long, [9.2 + i / 5 for i in range(5)]) == [0] * 5


def test_loitering_survives_a_tracker_id_switch_on_the_same_spot() -> None:
    rule = LoiteringRule(rule_config.LoiteringRuleConfig(zone="yard"), YARD)
    loiter(rule, [i / 5 for i in range(26)], track_id=1)  # 0-5 s
    near = person_box(470, 405)
    assert loiter(rule, [5.4 + i / 5 for i in range(24)], box=near, track_id=2)[-1] == 1  # 10.0 s
    assert rule.evaluate(ctx_at(10.2, tracks([near], [2])))[0].details["track_ids"] == [2]

    far = LoiteringRule(rule_config.LoiteringRuleConfig(zone="yard"), YARD)
    loiter(far, [i / 5 for i in range(26)], track_id=1)
    assert loiter(far, [5.4 + i / 5 for i in range(24)], box=person_box(620, 260), track_id=3)[-1] == 0


def test_crowding_counts_people_in_the_zone() -> None:
    rule = CrowdingRule(rule_config.CrowdingRuleConfig(zone="yard", max_people=2), YARD)
    people = [person_box(400, 300), person_box(500, 350), person_box(600, 450), OUTSIDE]
    two = tracks(people[1:], [2, 3, 4], [0.9, 0.7, 0.9])
    assert rule.evaluate(ctx_at(0.0, two)) == []
    three = tracks(people, [1, 2, 3, 4], [0.9, 0.6, 0.8, 0.95])
    (obs,) = rule.evaluate(ctx_at(0.2, three))
    assert obs.event_type is EventType.CROWDING
    assert obs.details == {"count": 3, "max_people": 2}
    assert obs.confidence == pytest.approx(0.6)  # the third most confident person in the zone
    assert sorted(obs.boxes.tracker_id.tolist()) == [1, 2, 3]


def test_wall_start_is_off_hours() -> None:
    assert not OFFICE_HOURS.is_active(WALL_START)
    assert OFFICE_HOURS.is_active(TEN_AM)


def test_a_new_stream_segment_restarts_the_timers() -> None:
    rule = LoiteringRule(rule_config.LoiteringRuleConfig(zone="yard"), YARD)
    loiter(rule, [i / 5 for i in range(41)])  # 8 s inside
    assert loiter(rule, [8.2 + i / 5 for i in range(16)], segment=1) == [0] * 16  # reconnected: 3 s, not 11 s
    assert loiter(rule, [11.4 + i / 5 for i in range(40)], segment=1)[-1] == 1  # 10 s into the new segment
