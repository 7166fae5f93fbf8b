"""Fall (collapse) on constructed tracks: box-only, COCO-17 and BlazePose-33 keypoints."""

from __future__ import annotations

import numpy as np
import pytest

from gwanje.config import rules as rule_config
from gwanje.core.detections import Detections
from gwanje.core.events import EventType
from gwanje.events.context import FrameContext
from gwanje.events.rules.fall import FallRule
from gwanje.events.zones import PolygonZone
from tests.track.scenes import coco_keypoints, ctx_at, person_box, to_blazepose, tracks

FPS = 5
UPRIGHT = person_box(300, 400)  # 40 x 120, feet at y = 400
FALLING = [260.0, 320.0, 340.0, 400.0]  # 80 x 80: neither tall nor wide
LYING = [240.0, 360.0, 360.0, 400.0]  # 120 x 40 on the floor
SQUAT = [265.0, 320.0, 335.0, 400.0]  # 70 x 80: a box the shape alone cannot judge


def run(
    rule: FallRule,
    script: list[tuple[float, list[float], np.ndarray | None]],
    track_id: int = 1,
    start_s: float = 0.0,
    segment: int = 0,
) -> list[int]:
    """Feed (duration, box, keypoints) segments at 5 fps; return the number of observations per frame."""
    counts, t = [], start_s
    for seconds, box, kps in script:
        for _ in range(round(seconds * FPS)):
            rows = tracks([box], [track_id], keypoints=None if kps is None else kps[None])
            counts.append(len(rule.evaluate(ctx_at(round(t, 3), rows, segment=segment))))
            t += 1 / FPS
    return counts


def fall_rule(**kw: object) -> FallRule:
    return FallRule(rule_config.FallRuleConfig(**kw))  # type: ignore[arg-type]


def test_fall_from_the_box_alone_after_down_time() -> None:
    rule = fall_rule(down_time_s=5.0)
    counts = run(rule, [(2.0, UPRIGHT, None), (0.2, FALLING, None), (8.0, LYING, None)])
    first_down = 11  # t = 2.2 s
    assert sum(counts[: first_down + 24]) == 0  # down for 4.8 s
    assert counts[first_down + 25] == 1  # down for 5.0 s
    assert all(c == 1 for c in counts[first_down + 25 :])
    (obs,) = rule.evaluate(ctx_at(10.2, tracks([LYING], [1], confidence=0.7)))
    assert obs.event_type is EventType.FALL
    assert obs.key == "1"
    assert obs.details["down_s"] == 8.0
    assert obs.confidence == pytest.approx(0.9)  # the score of the last upright reading


def test_someone_lying_from_the_start_is_not_a_fall_before_found_lying_s() -> None:
    assert sum(run(fall_rule(), [(20.0, LYING, None)])) == 0


def test_someone_found_lying_still_is_a_collapse_after_found_lying_s() -> None:
    rule = fall_rule(found_lying_s=30.0)
    counts = run(rule, [(35.0, LYING, None)])  # already down when the camera starts
    first = counts.index(1)
    assert 150 <= first <= 152  # 30 s after the track's first sample (the tracker may need a frame to start)
    assert all(c == 1 for c in counts[first:])
    (obs,) = rule.evaluate(ctx_at(35.0, tracks([LYING], [1])))
    assert obs.details["seen_falling"] is False and 34.6 <= obs.details["down_s"] <= 35.0
    assert obs.confidence == pytest.approx(0.9)


def test_found_lying_needs_a_confident_box_and_can_be_turned_off() -> None:
    faint = fall_rule(found_lying_s=10.0, found_lying_threshold=0.4)
    counts = []
    for i in range(100):  # 20 s of a wide box at 0.2: clutter, not a person
        counts.append(len(faint.evaluate(ctx_at(i / FPS, tracks([LYING], [1], confidence=0.2)))))
    assert sum(counts) == 0
    assert sum(run(fall_rule(found_lying_s=None), [(60.0, LYING, None)])) == 0


def test_someone_moving_while_lying_is_not_found_collapsed() -> None:
    rule = fall_rule(found_lying_s=5.0)
    counts = []
    for i in range(60):  # rolls along the floor at 100 px/s (0.8 body lengths per second)
        box = [LYING[0] + 20 * i, LYING[1], LYING[2] + 20 * i, LYING[3]]
        counts.append(len(rule.evaluate(ctx_at(i / FPS, tracks([box], [1])))))
    assert sum(counts) == 0


def test_lying_down_slowly_is_not_a_fall() -> None:
    # sits for 6 s (a box neither tall nor wide), then lies down: no quick transition from upright
    assert sum(run(fall_rule(), [(2.0, UPRIGHT, None), (6.0, SQUAT, None), (10.0, LYING, None)])) == 0
    # ... until lying still for found_lying_s
    counts = run(fall_rule(found_lying_s=8.0), [(2.0, UPRIGHT, None), (6.0, SQUAT, None), (10.0, LYING, None)])
    assert counts.index(1) == 80  # lying from 8 s, found at 16 s


def test_getting_up_ends_the_fall_and_a_new_fall_waits_again() -> None:
    rule = fall_rule(down_time_s=3.0)
    counts = run(rule, [(2.0, UPRIGHT, None), (4.0, LYING, None), (2.0, UPRIGHT, None), (2.0, LYING, None)])
    assert sum(counts[:10]) == 0 and counts[25] == 1  # 3 s after going down at 2.0 s
    assert sum(counts[30:]) == 0  # up at 6 s, down again at 8 s: only 2 s down so far


def test_moving_while_down_holds_the_alarm() -> None:
    rule = fall_rule(down_time_s=2.0)
    run(rule, [(2.0, UPRIGHT, None)])
    counts = []
    for i in range(20):  # slides along the floor at 100 px/s (0.8 body heights per second)
        box = [LYING[0] + 20 * i, LYING[1], LYING[2] + 20 * i, LYING[3]]
        counts.append(len(rule.evaluate(ctx_at(2.0 + i / FPS, tracks([box], [1])))))
    assert sum(counts) == 0


def test_keypoints_tell_a_fall_the_box_cannot() -> None:
    script_boxes = [(2.0, UPRIGHT, False), (8.0, SQUAT, True)]
    with_kps = [(s, box, coco_keypoints(box, lying)) for s, box, lying in script_boxes]
    assert run(fall_rule(), with_kps)[-1] == 1
    assert sum(run(fall_rule(), [(s, box, None) for s, box, _ in script_boxes])) == 0
    blaze = [(s, box, to_blazepose(coco_keypoints(box, lying))) for s, box, lying in script_boxes]
    assert run(fall_rule(), blaze)[-1] == 1


def test_a_pose_read_upright_on_a_body_lying_across_the_view_does_not_undo_the_fall() -> None:
    # Seen on real side-view falls (UP-Fall, docs/research/fall.md): once on the floor, the pose model now and then
    # puts the shoulders straight above the hips inside a box three times wider than tall.
    lying, misread = coco_keypoints(LYING, True), coco_keypoints(LYING, False)
    script = [(2.0, UPRIGHT, coco_keypoints(UPRIGHT, False)), (0.2, FALLING, None)]
    for _ in range(4):  # 4 s on the floor, one misread sample in every five
        script += [(0.8, LYING, lying), (0.2, LYING, misread)]
    counts = run(fall_rule(down_time_s=3.0), script)
    assert counts[-1] == 1
    assert sum(counts[: 11 + 14]) == 0  # not before 3 s down (first down sample at frame 11)


def test_bending_over_is_not_a_fall() -> None:
    # torso horizontal but hips high above the floor: picking something up, tying shoes
    script = [(2.0, UPRIGHT, coco_keypoints(UPRIGHT, False)), (8.0, SQUAT, coco_keypoints(SQUAT, True, hips_high=True))]
    assert sum(run(fall_rule(), script)) == 0


def test_unknown_keypoint_layouts_fall_back_to_the_box() -> None:
    odd = np.full((5, 3), 0.9, np.float32)
    assert run(fall_rule(), [(2.0, UPRIGHT, odd), (8.0, LYING, odd)])[-1] == 1


def test_a_tracker_id_switch_during_the_fall_keeps_it() -> None:
    rule = fall_rule(down_time_s=5.0)
    run(rule, [(2.0, UPRIGHT, None)], track_id=1)
    away = [LYING[0] + 80, LYING[1], LYING[2] + 80, LYING[3]]  # too far from the standing box to keep its track
    counts = []
    for i in range(30):  # the lying person gets a new track, confirmed on its second frame (2.4 s)
        counts.append(len(rule.evaluate(ctx_at(2.2 + i / FPS, tracks([away], [2])))))
    assert counts[25] == 0 and counts[26] == 1  # 5 s after 2.4 s: the new track took over the fall
    (obs,) = rule.evaluate(ctx_at(8.4, tracks([away], [2])))
    assert obs.key == "2"  # reported under the new track


def test_a_fall_after_an_id_switch_keeps_the_upright_score() -> None:
    """A person lying flat scores far lower than standing; when the lying body got a new track id, the fall's
    confidence is still the upright person's score, so the fall event's 0.5 threshold does not drop it."""
    rule = fall_rule()
    run(rule, [(2.0, UPRIGHT, None)], track_id=1)
    away = [LYING[0] + 80, LYING[1], LYING[2] + 80, LYING[3]]
    observations = []
    for i in range(30):
        observations += rule.evaluate(ctx_at(2.2 + i / FPS, tracks([away], [2], confidence=0.25)))
    assert observations
    assert all(obs.confidence == pytest.approx(0.9) for obs in observations)


def test_the_fall_is_as_confident_as_the_person_was_seen_standing() -> None:
    # Measured on a greyscale camera looking straight down (docs/models/fall.md, "Limits"): a faint box of light and
    # shadow read upright at 0.2, then "lying" at 0.5 and up, raised falls. Only the upright reading says "a person".
    rule = fall_rule(down_time_s=3.0)
    for i in range(10):
        rule.evaluate(ctx_at(i / FPS, tracks([UPRIGHT], [1], confidence=0.2)))
    observed = []
    for i in range(30):
        observed += rule.evaluate(ctx_at(2.0 + i / FPS, tracks([LYING], [1], confidence=0.6)))
    assert observed and all(obs.confidence == pytest.approx(0.2) for obs in observed)  # under the event's 0.5


def test_the_fall_is_as_confident_as_the_last_second_standing_not_its_last_frame() -> None:
    # Measured on the raised camera of the UP-Fall clips (docs/models/fall.md): the person scores about 0.55 while
    # standing, but the last upright frame is the moment the fall starts (blurred, turning) and scores 0.41-0.46,
    # under the fall event's 0.5, so real falls raised nothing. The score of the last second standing counts.
    rule = fall_rule(down_time_s=3.0)
    for i in range(10):  # 2 s standing at 0.56, the last frame (the fall starting) at 0.42
        rule.evaluate(ctx_at(i / FPS, tracks([UPRIGHT], [1], confidence=0.42 if i == 9 else 0.56)))
    observed = []
    for i in range(30):
        observed += rule.evaluate(ctx_at(2.0 + i / FPS, tracks([LYING], [1], confidence=0.3)))
    # mean of the upright frames of the last second: 0.56 x 5 and 0.42 (within 1 s of the last one)
    assert observed and all(obs.confidence == pytest.approx((5 * 0.56 + 0.42) / 6) for obs in observed)


def test_faint_people_are_tracked_for_the_fall_only_from_the_rule_threshold() -> None:
    """People the detector scores below its threshold come as ``faint`` boxes; the rule tracks them from its
    ``person_threshold`` (default 0.15), so a person lying flat at 0.17 is still followed."""

    def feed(rule: FallRule, lying_score: float) -> int:
        alerts, t = 0, 0.0
        for box, score, seconds in ((UPRIGHT, 0.8, 2.0), (LYING, lying_score, 8.0)):
            for _ in range(round(seconds * FPS)):
                rows = tracks([box], [1], confidence=score)
                faint = score <= 0.4  # what the pipeline splits off for a detector threshold of 0.4
                ctx = FrameContext(
                    frame=ctx_at(t).frame,
                    detections=Detections.empty() if faint else rows,
                    tracks=Detections.empty() if faint else rows,
                    faint=rows if faint else Detections.empty(),
                )
                alerts += len(rule.evaluate(ctx))
                t = round(t + 1 / FPS, 3)
        return alerts

    assert feed(fall_rule(), 0.17) > 0
    assert feed(fall_rule(), 0.12) == 0  # below the rule's threshold: the person is lost as they go down
    assert feed(fall_rule(person_threshold=0.1), 0.12) > 0


def test_only_in_the_zone_and_only_people() -> None:
    elsewhere = PolygonZone("stairs", [(0.0, 0.0), (0.3, 0.0), (0.3, 0.3), (0.0, 0.3)])
    rule = FallRule(rule_config.FallRuleConfig(zone="stairs"), elsewhere)
    assert sum(run(rule, [(2.0, UPRIGHT, None), (8.0, LYING, None)])) == 0
    assert rule.name == "fall:stairs"

    not_a_person = fall_rule()
    for i, box in enumerate([UPRIGHT] * 10 + [LYING] * 40):
        rows = Detections.from_arrays([box], [0.9], "dog", [1])
        assert not_a_person.evaluate(ctx_at(i / FPS, rows)) == []


def test_boxes_cut_by_the_frame_edge_do_not_count() -> None:
    # walking out of the bottom of the view: the box gets short and wide because it is cut off
    leaving = [270.0, 440.0, 330.0, 480.0]  # wide, and its top is 90 px lower: a fall if it were not cut
    bottom_walk = [(2.0, person_box(300, 470), None), (8.0, leaving, None)]
    assert sum(run(fall_rule(), bottom_walk)) == 0


def test_a_standing_person_cut_at_the_bottom_edge_is_still_upright() -> None:
    """A side camera at hip height cuts the feet of someone standing close: the cut only shortens the box, so a box
    that still looks upright is the upright reference, and the fall that follows is found."""
    feet_cut = [280.0, 330.0, 320.0, 480.0]  # 40 x 150, bottom on the frame edge
    lying = [220.0, 400.0, 360.0, 450.0]  # 140 x 50, inside the frame
    counts = run(fall_rule(down_time_s=3.0), [(2.0, feet_cut, None), (0.2, FALLING, None), (6.0, lying, None)])
    assert sum(counts) > 0


def test_a_box_cut_at_a_side_is_no_upright_reference() -> None:
    """Half a lying body at the left edge can look tall and narrow: it is not taken for someone standing."""
    half_lying = [0.0, 340.0, 30.0, 400.0]  # 30 x 60 at the left edge
    counts = run(fall_rule(down_time_s=3.0), [(2.0, half_lying, None), (6.0, [0.0, 360.0, 120.0, 400.0], None)])
    assert sum(counts) == 0


def test_a_fall_along_the_line_of_sight_shrinks_the_box() -> None:
    """From a raised camera, someone falling away from it lands with the head near where it was: the box top
    barely drops, but the box is half the upright height or less."""
    away = [260.0, 300.0, 340.0, 355.0]  # 80 x 55: top 20 px lower (< 0.3 x 120), height 55 (< 0.5 x 120)
    assert sum(run(fall_rule(down_time_s=3.0), [(2.0, UPRIGHT, None), (6.0, away, None)])) > 0
    slumped = [260.0, 300.0, 340.0, 365.0]  # 80 x 65: more than half the height, top barely lower: not a fall
    assert sum(run(fall_rule(down_time_s=3.0), [(2.0, UPRIGHT, None), (6.0, slumped, None)])) == 0


def test_the_scene_under_a_person_who_walks_away_does_not_fall() -> None:
    """A table's cross foot is boxed faintly as a person, before anyone comes and after they leave. The person who
    stood in front of it and walked off must not hand their upright score to it: it would 'fall' at their feet."""
    rule = fall_rule(down_time_s=3.0)
    foot = [240.0, 360.0, 360.0, 400.0]  # wide, where the person's legs will be
    standing = [330.0, 240.0, 370.0, 360.0]  # just behind it, one body height away at most
    script = [(12.0, [foot], 0.25), (8.0, [standing], 0.9), (8.0, [foot], 0.25)]
    observations, t = [], 0.0
    for seconds, boxes, score in script:
        for _ in range(round(seconds * FPS)):
            observations += rule.evaluate(ctx_at(round(t, 3), tracks(boxes, [1], confidence=score)))
            t += 1 / FPS
    assert observations == []


def test_clutter_beside_someone_who_walked_out_does_not_inherit_them() -> None:
    """A person walks out at the left edge; a faint flat box of clutter (a mattress, a desk) a body's length from their
    last step, never touching it, is tracked next. It is within the hand-over radius but did not take their place."""
    rule = fall_rule(down_time_s=3.0)
    walker = [60.0, 280.0, 100.0, 400.0]  # 40 x 120, centre (80, 340)
    clutter = [140.0, 380.0, 220.0, 400.0]  # 80 x 20 on the floor, centre 112 px away, 40 px from the walker's box
    script = [(3.0, [walker], 1, 0.9), (8.0, [clutter], 2, 0.2)]
    observations, t = [], 0.0
    for seconds, boxes, track_id, score in script:
        for _ in range(round(seconds * FPS)):
            observations += rule.evaluate(ctx_at(round(t, 3), tracks(boxes, [track_id], confidence=score)))
            t += 1 / FPS
    assert observations == []
    # the same box where the walker stood (touching their last box) does take the fall over
    rule = fall_rule(down_time_s=3.0)
    landed = [90.0, 380.0, 170.0, 400.0]
    observations, t = [], 0.0
    for seconds, boxes, track_id, score in [(3.0, [walker], 1, 0.9), (8.0, [landed], 2, 0.2)]:
        for _ in range(round(seconds * FPS)):
            observations += rule.evaluate(ctx_at(round(t, 3), tracks(boxes, [track_id], confidence=score)))
            t += 1 / FPS
    assert observations


def test_a_reconnect_forgets_who_was_upright() -> None:
    rule = fall_rule()
    run(rule, [(2.0, UPRIGHT, None)])
    assert sum(run(rule, [(8.0, LYING, None)], start_s=2.2, segment=1)) == 0  # a new segment: no transition seen
    control = fall_rule()
    run(control, [(2.0, UPRIGHT, None)])
    assert sum(run(control, [(8.0, LYING, None)], start_s=2.2)) > 0  # the same, without the break: a fall
