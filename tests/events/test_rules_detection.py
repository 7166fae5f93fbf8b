"""Detection-label rules (fight, watched objects) and building a camera's rules from its config."""

from __future__ import annotations

from typing import Any

import pytest

from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import (
    FightDetectorConfig,
    FireSmokeDetectorConfig,
    OnnxObjectDetectorConfig,
    PersonDetectorConfig,
    PoseDetectorConfig,
)
from gwanje.core.detections import Detections
from gwanje.core.events import EventType
from gwanje.events.rule import Rule, RuleNeeds
from gwanje.events.rules.detection import DetectionRule
from gwanje.events.rules.factory import build_rules, rule_needs, rules_for_events
from gwanje.events.rules.fall import FallRule
from gwanje.events.rules.fire_smoke import FireSmokeRule
from gwanje.events.rules.intrusion import IntrusionRule
from gwanje.events.rules.line_crossing import LineCrossingRule
from tests.track.scenes import ctx_at

FRAME_ROWS = Detections.from_arrays(
    [[0, 0, 100, 100], [10, 10, 50, 50], [60, 60, 90, 90], [5, 5, 9, 9]],
    [0.6, 0.5, 0.3, 0.8],
    ["fight", "knife", "knife", "person"],
)


def test_fight_confidence_is_scaled_by_sensitivity_and_capped() -> None:
    (obs,) = DetectionRule("fight", EventType.FIGHT, ["fight"], sensitivity=1.5).evaluate(ctx_at(0.0, FRAME_ROWS))
    assert obs.event_type is EventType.FIGHT
    assert obs.confidence == pytest.approx(0.9)
    assert obs.key == ""
    (capped,) = DetectionRule("fight", EventType.FIGHT, ["fight"], sensitivity=2.0).evaluate(ctx_at(0.0, FRAME_ROWS))
    assert capped.confidence == 1.0
    assert DetectionRule("fight", EventType.FIGHT, ["fight"]).evaluate(ctx_at(0.0)) == []


def test_watched_objects_are_one_observation_per_label() -> None:
    rule = DetectionRule("object:mine", EventType.OBJECT, ["knife", "gun"], sensitivity=0.5, per_label=True)
    (obs,) = rule.evaluate(ctx_at(0.0, FRAME_ROWS))
    assert (obs.event_type, obs.label, obs.key) == (EventType.OBJECT, "knife", "knife")
    assert obs.confidence == pytest.approx(0.25)
    assert len(obs.boxes) == 2


def test_bad_detection_rules() -> None:
    with pytest.raises(ValueError, match="at least one detector label"):
        DetectionRule("x", EventType.OBJECT, [])
    with pytest.raises(ValueError, match="sensitivity"):
        DetectionRule("x", EventType.OBJECT, ["a"], sensitivity=0)


def camera(**kw: Any) -> CameraConfig:
    return CameraConfig.model_validate({"id": "cam", "source": {"url": "demo:"}, **kw})


DETECTORS = {
    "fire_smoke": FireSmokeDetectorConfig(),
    "person": PersonDetectorConfig(),
    "pose": PoseDetectorConfig(),
    "fight": FightDetectorConfig(),
    "mine": OnnxObjectDetectorConfig(model_path="m.onnx", format="yolo", labels=["knife", "cat"], watch=["knife"]),
}


def test_build_rules_from_config_and_detectors() -> None:
    cam = camera(
        detectors=["fire_smoke", "person", "pose", "fight", "mine"],
        sensitivity=1.2,
        zones=[{"name": "yard", "polygon": [[0.5, 0.5], [1, 0.5], [1, 1]]}],
        rules=[
            {"type": "intrusion", "zone": "yard"},
            {"type": "loitering", "zone": "yard"},
            {"type": "crowding", "zone": "yard", "max_people": 3},
            {"type": "line_crossing", "name": "door", "line": [[0.5, 0], [0.5, 1]], "direction": "a_to_b"},
            {"type": "fall"},
        ],
    )
    rules = build_rules(cam, DETECTORS)
    assert all(isinstance(r, Rule) for r in rules)
    assert [r.name for r in rules] == [
        "intrusion:yard",
        "loitering:yard",
        "crowding:yard",
        "line_crossing:door",
        "fall",
        "fire_smoke",
        "fight",
        "object:mine",
    ]
    assert isinstance(rules[0], IntrusionRule) and rules[0].zone.name == "yard"
    assert isinstance(rules[3], LineCrossingRule) and rules[3].config.direction == "a_to_b"
    assert isinstance(rules[4], FallRule) and rules[4].zone is None
    assert isinstance(rules[5], FireSmokeRule)
    fight = rules[6]
    assert isinstance(fight, DetectionRule) and fight.sensitivity == 1.2
    assert isinstance(rules[7], DetectionRule) and rules[7].labels == ("knife",)
    assert [r.needs for r in rules] == rule_needs(cam, DETECTORS)
    person = frozenset({"person"})
    assert rule_needs(cam, DETECTORS) == [
        RuleNeeds(person, tracks=True),
        RuleNeeds(person, tracks=True),
        RuleNeeds(person, tracks=True),
        RuleNeeds(person, tracks=True),
        RuleNeeds(person, tracks=True, pose=True, score_floor=0.15),  # the fall rule: pose and faint people
        RuleNeeds(frozenset({"fire", "smoke"})),
        RuleNeeds(frozenset({"fight"})),
        RuleNeeds(frozenset({"knife"})),
    ]


def test_a_score_floor_must_be_a_score() -> None:
    with pytest.raises(ValueError, match="score floor"):
        RuleNeeds(frozenset({"person"}), score_floor=0.0)


def test_event_types_name_the_labels_and_rules_a_file_analysis_needs() -> None:
    labels, rules = rules_for_events(["fall", "fire", "nonsense"])
    assert labels == {"person", "fire"}
    assert [r.type for r in rules] == ["fall"]
    assert rules_for_events(["smoke"]) == (frozenset({"smoke"}), [])


def test_unknown_detector_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="uses detector 'nope', which is not declared"):
        build_rules(camera(detectors=["nope"]), DETECTORS)
