"""Re-checks the real-clip figures of docs/rules.md ("Evaluation on real clips"), only when the datasets exist.

The person detector, tracker, rules and event engine run on one-by-one-person-detection.mp4 through
`gwanje study zones`, and on hand-counted fight-surv-akti clips through `gwanje study crowding`; the hand labels
are beside the studies, in gwanje/eval/studies/labels/rules/.
"""

from __future__ import annotations

import pytest

from gwanje.eval.studies import crowding, fall_probes, falls, zones
from gwanje.events.rules.posture import Posture

DOCUMENTED = {
    # rule: (matched, missed, extra, mean alert - labelled in s or None)
    "intrusion": (1, 5, 0, 0.25),
    "loitering": (3, 1, 0, -0.18),
    "crowding": (0, 0, 0, None),
    "intrusion *": (6, 0, 0, 0.30),
    "loitering *": (4, 0, 0, -0.15),
    "entrance in": (6, 0, 0, 0.44),
    "entrance out": (0, 0, 0, None),
    "exit out": (6, 0, 0, -0.03),
    "exit in": (0, 0, 0, None),
}
"""As published; another model build or decoder may move one event or a frame of timing."""
COUNT_TOLERANCE = 1
TIMING_TOLERANCE_S = 0.4


@pytest.mark.datasets
@pytest.mark.slow
@pytest.mark.usefixtures("datasets_dir")
def test_zone_and_line_rules_on_a_real_video_match_the_published_figures() -> None:
    scores = {s.rule: s for s in zones.evaluate_zones()}
    assert set(scores) == set(DOCUMENTED)
    for rule, (matched, missed, extra, mean_error) in DOCUMENTED.items():
        score = scores[rule]
        assert abs(score.matched - matched) <= COUNT_TOLERANCE, (rule, score)
        assert abs(score.missed - missed) <= COUNT_TOLERANCE, (rule, score)
        assert score.extra <= extra + COUNT_TOLERANCE, (rule, score)
        if mean_error is not None and score.errors_s:
            assert sum(score.errors_s) / len(score.errors_s) == pytest.approx(mean_error, abs=TIMING_TOLERANCE_S), rule

    # With one event per stay, each visitor raises an intrusion within a second of stepping in.
    assert all(abs(e) <= 1.0 for e in scores["intrusion *"].errors_s)


@pytest.mark.datasets
@pytest.mark.slow
@pytest.mark.usefixtures("datasets_dir")
def test_fall_rule_figures_on_knock_down_clips_hold() -> None:
    """docs/models/fall.md: 0 of 9 real falls found (the person on the ground is never tracked), no false fall.

    Re-checked on the 9 fall clips and the first 10 no-fall clips (the full run takes minutes). A better person
    detector should move these numbers: then update the model card.
    """
    short, _ = falls.evaluate_fall(no_fall_limit=10, normal=False)
    assert short.falls == 9
    assert short.clips_without_fall == 10
    assert short.hits <= 1
    assert len(short.false_clips) <= 1


def test_fall_rule_on_hand_drawn_boxes_of_real_falls_matches_the_model_card() -> None:
    """docs/models/fall.md: with perfect boxes (no video needed), box posture calls 17 of 21 on-ground boxes down;
    the rule finds 1 of 9 falls with down_time_s 0.5 (most clips end sooner) and 5 of 9 with almost no stay."""
    short = fall_probes.oracle_falls(fall_probes.FALL_DOWN_TIME_S)
    instant = fall_probes.oracle_falls(fall_probes.ORACLE_INSTANT_S)
    assert sum(r.down_posture for r in short) == 17
    assert sum(r.down_boxes for r in short) == 21
    assert sum(r.alert_s is not None for r in short) == 1
    assert sum(r.alert_s is not None for r in instant) == 5
    # A fall is never reported before the labelled moment the person is on the ground.
    labels = fall_probes.fall_labels()
    down_s = {fall["path"]: fall["down_s"] for fall in labels["falls"]}
    assert all(r.alert_s is None or r.alert_s >= down_s[r.path] for r in instant)


@pytest.mark.datasets
@pytest.mark.usefixtures("datasets_dir")
def test_people_on_the_ground_are_boxed_lying_below_the_detector_threshold_as_the_model_card_says() -> None:
    """docs/research/fall.md ("What the detector gives the rule"): at the 21 hand-drawn on-ground boxes the
    fine-tuned person detector has a box scored >= 0.4 at 4, 0.1-0.4 at 14 and none above 0.1 at 3; 13 of those 18
    boxes are down-shaped (the hand-drawn ones: 17). The COCO model: 2, 13 and 6, and only 3 of its 15 boxes
    down-shaped. Runs the detector on the labelled frames only (seconds)."""
    results = fall_probes.person_scores_at_labels()
    down = [r for r in results if r.on_ground]
    assert len(down) == 21
    scored = [r.score for r in down if r.score is not None]
    high = sum(s >= 0.4 for s in scored)
    band = sum(0.1 <= s < 0.4 for s in scored)
    assert abs(high - 4) <= COUNT_TOLERANCE
    assert abs(band - 14) <= 2 * COUNT_TOLERANCE
    found = [r for r in down if r.score is not None and r.score >= 0.1]
    assert sum(r.posture is Posture.DOWN for r in found) >= 13 - COUNT_TOLERANCE


@pytest.mark.datasets
@pytest.mark.usefixtures("datasets_dir")
def test_a_zoomed_or_turned_look_at_people_on_the_ground_does_not_lift_them_over_the_threshold() -> None:
    """docs/research/fall.md (tried and not shipped, 4): shown a 2x crop centred on each hand-drawn on-ground box,
    upright or turned a quarter either way, the detector scores 1 of 21 at >= 0.4; turned crops give down-shaped
    boxes (14 of the boxes scored >= 0.1) but at low scores."""
    for turns in (0, 1, 3):
        results = fall_probes.person_scores_at_labels(look=fall_probes.zoomed(turns), tiles="none")
        down = [r for r in results if r.on_ground]
        assert len(down) == 21
        assert sum(r.score is not None and r.score >= 0.4 for r in down) <= 1 + COUNT_TOLERANCE, turns


@pytest.mark.datasets
@pytest.mark.usefixtures("datasets_dir")
def test_crowding_counts_on_hand_counted_clips_match_the_published_figures() -> None:
    """docs/rules.md ("Crowding on real clips"): at 16 labelled times the tracked count is within the hand-counted
    range 10 times and under it 6 times (never over); 52 people tracked for 58 surely there; the crowding event
    comes when due in 4 of 8 clips and falsely in 1 (a fourth, false person track in nofi007 with the fine-tuned
    person detector; none with the COCO one). Runs 8 two-second clips (seconds)."""
    clips = crowding.evaluate_crowding()
    counts = [c for clip in clips for c in clip.counts]
    assert len(clips) == 8
    assert len(counts) == 16
    assert abs(sum(c.verdict == "ok" for c in counts) - 10) <= COUNT_TOLERANCE
    assert sum(c.verdict == "over" for c in counts) <= COUNT_TOLERANCE
    assert sum(c.count_min for c in counts) == 58
    assert abs(sum(c.tracked for c in counts) - 52) <= 2 * COUNT_TOLERANCE
    assert abs(sum(c.fired for c in clips) - 4) <= COUNT_TOLERANCE
    assert sum(c.quiet_fired for c in clips) <= 1
