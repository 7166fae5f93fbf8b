"""The pipeline plans each camera from declarations: what rules need and what detectors produce."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from gwanje.config import parse_config
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector, LabelKind, Produces, TrackAnalyzer
from gwanje.events.rule import RuleNeeds
from gwanje.runtime.detectors import needed_detectors
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.runtime.plan import faint_floor, track_enricher
from tests.track.scenes import frame_at, person_box

ONNX = {"type": "onnx", "model_path": "unused.onnx", "format": "yolo"}


class Constant:
    """A detector that reports the same boxes on every frame."""

    def __init__(self, name: str, produces: Produces, boxes: Detections) -> None:
        self.name, self.produces, self.boxes = name, produces, boxes

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        return [self.boxes for _ in frames]

    def close(self) -> None:
        pass


class Counting:
    """A track analyser that records its calls; an enricher returns the tracks, an adder one box."""

    def __init__(self, name: str, produces: Produces) -> None:
        self.name, self.produces, self.calls = name, produces, 0

    def analyze(self, frame: Frame, tracks: Detections, regions: Detections | None = None) -> Detections:
        self.calls += 1
        if self.produces.enriches_tracks:
            return tracks
        return Detections.from_arrays([[0, 0, 10, 10]], [0.9], "brawl")

    def close(self) -> None:
        pass


def _app(camera: dict[str, Any], detectors: dict[str, Any]) -> AppConfig:
    base = {"id": "cam", "source": {"url": "unused"}, "motion": {"enabled": False}}
    zone = [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}]
    return parse_config({"detectors": detectors, "cameras": [{**base, "zones": zone, **camera}]})


def _run(pipeline: CameraPipeline, frames: int = 4) -> Any:
    for i in range(frames):
        result = pipeline.process(frame_at(i / 5, seq=i))
    return result


def test_labels_declared_as_regions_are_never_tracked_and_objects_are() -> None:
    app = _app(
        {"detectors": ["spills", "cars"]},
        {"spills": {**ONNX, "labels": ["spill"]}, "cars": {**ONNX, "labels": ["car"]}},
    )
    spill = Detections.from_arrays([[10, 10, 90, 90]], [0.9], "spill")
    car = Detections.from_arrays([person_box(300, 300)], [0.9], "car")
    detectors: dict[str, Detector | TrackAnalyzer] = {
        "spills": Constant("spills", Produces({"spill": LabelKind.REGION}), spill),
        "cars": Constant("cars", Produces({"car": LabelKind.OBJECT}, threshold=0.4), car),
    }
    ctx = _run(CameraPipeline(app, app.cameras[0], detectors)).context
    assert sorted(ctx.detections.label.tolist()) == ["car", "spill"]
    assert ctx.tracks.label.tolist() == ["car"]


def test_a_track_enricher_runs_only_for_a_rule_that_needs_pose_and_adders_whenever_listed() -> None:
    detectors_cfg = {"people": {**ONNX, "labels": ["person"]}, "pose": {"type": "pose"}, "brawl": {"type": "fight"}}
    people = Detections.from_arrays([person_box(300, 300)], [0.9], "person")

    def built() -> tuple[dict[str, Detector | TrackAnalyzer], Counting, Counting]:
        pose = Counting("pose", Produces(enriches_tracks=True, keypoints=True))
        brawl = Counting("brawl", Produces({"brawl": LabelKind.REGION}))
        found = Constant("people", Produces({"person": LabelKind.OBJECT}, threshold=0.4), people)
        return {"people": found, "pose": pose, "brawl": brawl}, pose, brawl

    with_fall = _app({"detectors": ["people", "brawl"], "rules": [{"type": "fall"}]}, detectors_cfg)
    detectors, pose, brawl = built()
    ctx = _run(CameraPipeline(with_fall, with_fall.cameras[0], detectors)).context
    assert pose.calls > 0 and brawl.calls == 4  # pose comes with the rule that needs it, unlisted
    assert "brawl" in ctx.detections.label.tolist() and "brawl" not in ctx.tracks.label.tolist()

    listed_only = _app(
        {"detectors": ["people", "pose"], "rules": [{"type": "intrusion", "zone": "all"}]}, detectors_cfg
    )
    detectors, pose, brawl = built()
    _run(CameraPipeline(listed_only, listed_only.cameras[0], detectors))
    assert pose.calls == 0 and brawl.calls == 0  # listed, but no rule needs pose; the adder is not listed


def test_needed_detectors_bring_the_keypoint_analyser_for_rules_that_need_pose() -> None:
    detectors_cfg = {"people": {"type": "person"}, "body": {"type": "pose"}, "fire_smoke": {"type": "fire_smoke"}}
    fall = _app({"detectors": ["people"], "rules": [{"type": "fall"}]}, detectors_cfg)
    zone = _app({"detectors": ["people", "fire_smoke"], "rules": [{"type": "intrusion", "zone": "all"}]}, detectors_cfg)
    assert needed_detectors(fall, fall.cameras) == ["people", "body"]
    assert needed_detectors(zone, zone.cameras) == ["people", "fire_smoke"]


def test_the_planning_rules_for_enrichers_and_floors() -> None:
    pose = RuleNeeds(frozenset({"person"}), tracks=True, pose=True, score_floor=0.15)
    plain = RuleNeeds(frozenset({"person"}), tracks=True)
    available = {
        "a": Produces(enriches_tracks=True, keypoints=True),
        "b": Produces(enriches_tracks=True, keypoints=True),
    }
    assert track_enricher(["b"], available, [plain, pose]) == "b"  # the camera's own first
    assert track_enricher([], available, [pose]) == "a"
    assert track_enricher(["b"], available, [plain]) is None
    person = Produces({"person": LabelKind.OBJECT}, threshold=0.4, faint=True)
    assert faint_floor(person, [plain, pose, RuleNeeds(frozenset({"person"}), score_floor=0.2)]) == 0.15
    assert faint_floor(person, [plain]) is None
    assert faint_floor(person, [RuleNeeds(frozenset({"car"}), score_floor=0.1)]) is None  # not its label
    assert faint_floor(person, [RuleNeeds(frozenset({"person"}), score_floor=0.5)]) is None  # above its threshold
    assert (
        faint_floor(
            Produces({"car": LabelKind.OBJECT}, threshold=0.4), [RuleNeeds(frozenset({"car"}), score_floor=0.1)]
        )
        is None
    )


def test_rules_their_detectors_cannot_feed_are_reported(caplog: pytest.LogCaptureFixture) -> None:
    detectors_cfg = {"fire_smoke": {"type": "fire_smoke"}, "people": {**ONNX, "labels": ["person"]}}
    fire = Constant("fire_smoke", Produces({"fire": LabelKind.REGION, "smoke": LabelKind.REGION}), Detections.empty())
    people = Constant("people", Produces({"person": LabelKind.OBJECT}), Detections.empty())
    detectors: dict[str, Detector | TrackAnalyzer] = {"fire_smoke": fire, "people": people}
    unfed = _app({"detectors": ["fire_smoke"], "rules": [{"type": "fall"}]}, detectors_cfg)
    with caplog.at_level(logging.WARNING, logger="gwanje.runtime.pipeline"):
        CameraPipeline(unfed, unfed.cameras[0], detectors)
    assert "the fall rule watches ['person'], but none of the camera's detectors outputs them" in caplog.text
    assert "will never fire" in caplog.text
    caplog.clear()
    regions = _app(
        {"detectors": ["fire_smoke"], "rules": [{"type": "intrusion", "zone": "all", "labels": ["fire"]}]},
        detectors_cfg,
    )
    with caplog.at_level(logging.WARNING, logger="gwanje.runtime.pipeline"):
        CameraPipeline(regions, regions.cameras[0], detectors)
    assert "as regions, which are never tracked" in caplog.text
    caplog.clear()
    fed = _app({"detectors": ["people"], "rules": [{"type": "fall"}]}, detectors_cfg)
    with caplog.at_level(logging.WARNING, logger="gwanje.runtime.pipeline"):
        CameraPipeline(fed, fed.cameras[0], detectors)
    assert caplog.text == ""


def test_a_new_stream_segment_restarts_the_camera_tracks() -> None:
    app = _app({"detectors": ["people"]}, {"people": {**ONNX, "labels": ["person"]}})
    people = Constant(
        "people",
        Produces({"person": LabelKind.OBJECT}, threshold=0.4),
        Detections.from_arrays([person_box(300, 300)], [0.9], "person"),
    )
    pipeline = CameraPipeline(app, app.cameras[0], {"people": people})
    ids = [pipeline.process(frame_at(i / 5, seq=i)).context.tracks.tracker_id.tolist() for i in range(3)]
    after = [
        pipeline.process(frame_at(0.6 + i / 5, seq=3 + i, segment=1)).context.tracks.tracker_id.tolist()
        for i in range(3)
    ]
    assert ids[-1] == [1] and after[0] == [] and after[-1] == [2]  # a new track, confirmed again
    assert np.all(np.asarray(after[-1]) != 1)


def test_a_file_without_a_configured_camera_gets_the_detectors_whose_labels_its_event_types_need() -> None:
    from gwanje.runtime.analyze import analysis_camera

    app = parse_config({})  # the default detectors: fire_smoke, person, fight, pose
    everything = analysis_camera(app, None)
    assert everything.detectors == ["fire_smoke", "person", "fight"]
    assert [r.type for r in everything.rules] == ["fall"]  # pose comes with the fall rule's needs
    fire = analysis_camera(app, None, ["fire"])
    assert fire.detectors == ["fire_smoke"] and fire.rules == []
    falls = analysis_camera(app, None, ["fall"])
    assert falls.detectors == ["person"] and needed_detectors(app, [falls]) == ["person", "pose"]


def test_a_detector_built_without_the_camera_that_needs_its_faint_boxes_is_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = _app({"detectors": ["people"], "rules": [{"type": "fall"}]}, {"people": {**ONNX, "labels": ["person"]}})

    def people(floor: float) -> dict[str, Detector | TrackAnalyzer]:
        produces = Produces({"person": LabelKind.OBJECT}, threshold=0.4, faint=True, floor=floor)
        return {"people": Constant("people", produces, Detections.empty())}

    with caplog.at_level(logging.WARNING, logger="gwanje.runtime.pipeline"):
        CameraPipeline(app, app.cameras[0], people(0.15))
    assert caplog.text == ""
    with caplog.at_level(logging.WARNING, logger="gwanje.runtime.pipeline"):
        CameraPipeline(app, app.cameras[0], people(0.4))
    assert "wants boxes from 0.15, but its detector reports only down to 0.40" in caplog.text
