"""The camera's tracker takes its confident band from the detectors' own threshold (gwanje.track.camera)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pytest

from gwanje.config import parse_config
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.events import EventType
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.track.camera import camera_tracker, track_threshold
from tests.track.scenes import frame_at, person_box

FPS = 5.0


class ConstantPeople:
    """A person detector that reports the same people, at fixed scores, on every frame."""

    name: str = "person"
    produces = Produces({"person": LabelKind.OBJECT}, threshold=0.4)

    def __init__(self, boxes: list[list[float]], scores: list[float]) -> None:
        self.people = Detections.from_arrays(np.asarray(boxes, np.float32), scores, "person")

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        return [self.people for _ in frames]

    def close(self) -> None:
        pass


def _app(
    detectors: dict[str, Any], camera_detectors: list[str], rules: list[dict[str, Any]] | None = None
) -> AppConfig:
    return parse_config(
        {
            "detectors": detectors,
            "cameras": [
                {
                    "id": "cam",
                    "source": {"url": "unused"},
                    "analysis_fps": FPS,
                    "detectors": camera_detectors,
                    "motion": {"enabled": False},
                    "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}],
                    "rules": rules or [],
                }
            ],
        }
    )


def test_a_person_the_detector_reports_at_0_45_starts_a_track_and_is_seen_by_zone_rules() -> None:
    """Threshold 0.4: a 0.45 person is a reported person, so it is tracked and intrudes (it used to need 0.5)."""
    app = _app({"person": {"type": "person", "threshold": 0.4}}, ["person"], [{"type": "intrusion", "zone": "all"}])
    camera = app.cameras[0]
    detector = ConstantPeople([person_box(200, 300), person_box(400, 300)], [0.45, 0.9])
    pipeline = CameraPipeline(app, camera, {"person": detector})
    tracked: list[int] = []
    intrusions = []
    for i in range(int(2 * FPS)):
        result = pipeline.process(frame_at(i / FPS, seq=i))
        tracked.append(len(result.context.tracks))
        intrusions += [o for o in result.observations if o.event_type is EventType.INTRUSION]
    assert tracked[-1] == 2
    assert len(set(result.context.tracks.tracker_id.tolist())) == 2
    assert intrusions and len(intrusions[-1].boxes) == 2


def test_the_track_threshold_is_the_lowest_threshold_of_the_tracked_detectors() -> None:
    detectors = {
        "person": {"type": "person", "threshold": 0.4},
        "cars": {"type": "onnx", "model_path": "cars.onnx", "format": "yolo", "labels": ["car"], "threshold": 0.3},
        "fire_smoke": {"type": "fire_smoke"},
    }
    both = _app(detectors, ["person", "cars", "fire_smoke"])
    assert track_threshold(both, both.cameras[0]) == pytest.approx(0.3)
    person_only = _app(detectors, ["person", "fire_smoke"])
    tracker = camera_tracker(person_only, person_only.cameras[0])
    assert tracker.high_threshold == pytest.approx(0.4)
    assert tracker.new_track_threshold == pytest.approx(0.4)
    assert tracker.low_threshold == pytest.approx(0.1)


def test_a_detector_threshold_below_the_low_band_moves_the_low_band_down() -> None:
    app = _app({"person": {"type": "person", "threshold": 0.05}}, ["person"])
    tracker = camera_tracker(app, app.cameras[0])
    assert (tracker.low_threshold, tracker.high_threshold) == pytest.approx((0.05, 0.05))


def test_a_camera_without_tracked_detectors_keeps_the_default_tracker() -> None:
    app = _app({"fire_smoke": {"type": "fire_smoke"}}, ["fire_smoke"])
    assert track_threshold(app, app.cameras[0]) is None
    assert camera_tracker(app, app.cameras[0]).high_threshold == pytest.approx(0.5)
