"""A detector shared by several cameras gives each the same boxes; faint people reach the fall rule only."""

from __future__ import annotations

import numpy as np

from gwanje.config import parse_config
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.detect.person import PersonDetector
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline, FrameDetect
from tests.support.collapse import CollapseScene

APP = parse_config(
    {
        "cameras": [
            {"id": "fall", "source": {"url": "file"}, "detectors": ["person"], "rules": [{"type": "fall"}]},
            {
                "id": "zone",
                "source": {"url": "file"},
                "detectors": ["person"],
                "motion": {"enabled": False},
                "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}],
                "rules": [{"type": "intrusion", "zone": "all"}],
            },
        ]
    }
)
FALL, ZONE = APP.cameras


def _recording(detector: Detector, seen: list[Detections]) -> FrameDetect:
    def detect(_name: str, frame: Frame) -> Detections:
        seen.append(detector.detect([frame])[0])
        return seen[-1]

    return detect


def test_a_shared_detector_gives_every_camera_the_same_boxes_and_only_the_fall_camera_faint_ones() -> None:
    scene = CollapseScene(fps=5.0)
    frames = scene.frames(scene.down_s() + 1.0)
    standing, lying = frames[0], frames[-1]  # the drawn figure lying flat, plus faint boxes around it
    shared = build_detectors(APP, APP.cameras)
    plain = build_detectors(APP, [ZONE])  # what the zone camera's detector would be without the fall camera
    try:
        person, alone = shared["person"], plain["person"]
        assert isinstance(person, PersonDetector) and isinstance(alone, PersonDetector)
        assert person.floor == 0.15 and alone.floor == 0.4  # fixed at build, from every camera's rules
        for order in ((ZONE, FALL), (FALL, ZONE)):  # which camera is built or asks first changes nothing
            seen: dict[str, list[Detections]] = {cam.id: [] for cam in order}
            pipelines = {cam.id: CameraPipeline(APP, cam, shared, _recording(person, seen[cam.id])) for cam in order}
            for seq, image in enumerate((standing, lying)):
                frame = Frame("cam", seq, seq / 5.0, 1e9 + seq / 5.0, image)
                on = {cam_id: pipeline.process(frame).context for cam_id, pipeline in pipelines.items()}
                got_zone, got_fall = seen["zone"][-1], seen["fall"][-1]
                np.testing.assert_array_equal(got_zone.xyxy, got_fall.xyxy)
                np.testing.assert_array_equal(got_zone.confidence, got_fall.confidence)
                # above the threshold, the shared detector's boxes are those of a detector without a floor
                reference = alone.detect([frame])[0]
                for ctx in on.values():
                    np.testing.assert_array_equal(ctx.detections.with_label("person").xyxy, reference.xyxy)
                    np.testing.assert_array_equal(ctx.detections.with_label("person").confidence, reference.confidence)
                assert len(on["zone"].faint) == 0  # a camera without a fall rule never sees faint people
            assert len(on["fall"].faint) >= 1
            assert on["fall"].faint.confidence.min() >= 0.15 and on["fall"].faint.confidence.max() <= 0.4
    finally:
        close_all(shared)
        close_all(plain)
