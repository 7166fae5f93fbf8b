"""The pipeline tells the detectors where its motion gate saw motion (``Frame.motion``)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gwanje.config import parse_config
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.runtime.pipeline import CameraPipeline


class Recording:
    """A detector that finds nothing and keeps the frames it was given."""

    name = "recording"
    produces = Produces({"person": LabelKind.OBJECT}, threshold=0.5)

    def __init__(self) -> None:
        self.seen: list[Frame] = []

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        self.seen.extend(frames)
        return [Detections.empty() for _ in frames]

    def close(self) -> None:
        pass


def test_moving_frames_reach_the_detectors_with_where_it_moved() -> None:
    app = parse_config(
        {
            "detectors": {
                "recording": {"type": "onnx", "model_path": "unused.onnx", "format": "yolo", "labels": ["person"]}
            },
            "cameras": [
                {"id": "cam", "source": {"url": "unused"}, "detectors": ["recording"], "motion": {"keepalive_s": 1.0}}
            ],
        }
    )
    detector = Recording()
    pipeline = CameraPipeline(app, app.cameras[0], {"recording": detector})
    base = np.random.default_rng(0).integers(40, 120, size=(240, 320, 3), dtype=np.uint8)
    moved = base.copy()
    moved[100:140, 20:60] = 255
    for seq, image in enumerate([base, base, moved, base, moved, moved, moved, moved, moved]):
        pipeline.process(Frame("cam", seq, seq * 0.2, seq * 0.2, image))
    times = [round(f.pts_s, 1) for f in detector.seen]
    assert times == [0.0, 0.4, 0.8, 1.0, 1.2, 1.4, 1.6]  # at 0.2 and 0.6 s nothing moved: the last answer stands
    wholes = [round(f.pts_s, 1) for f in detector.seen if f.motion is None]
    assert wholes == [0.0, 1.0]  # the first frame and each keepalive: the whole picture
    assert all(x2 <= 80 for f in detector.seen if f.motion for _, _, x2, _ in f.motion)
