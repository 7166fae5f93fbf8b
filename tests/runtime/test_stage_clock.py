"""The pipeline's stage clock: each stage's CPU per analysed frame, on the camera's own thread."""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import pytest

from gwanje.config import parse_config
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.runtime.stage_clock import StageClock

BURN_S = 0.02


def _burn(seconds: float) -> None:
    """Keep this thread's CPU busy for ``seconds`` of its own CPU time."""
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        pass


class Burning:
    """A detector that costs BURN_S of CPU per frame and boxes one person."""

    name = "burning"
    produces = Produces({"person": LabelKind.OBJECT}, threshold=0.5)

    def __init__(self) -> None:
        self.calls = 0

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        out = []
        for _ in frames:
            self.calls += 1
            _burn(BURN_S)
            out.append(Detections.from_arrays([[10, 10, 50, 90]], [0.9], "person"))
        return out

    def close(self) -> None:
        pass


def test_a_stage_counts_its_own_cpu_not_the_wall_time_it_waited() -> None:
    clock = StageClock()
    with clock.stage("waiting"):
        time.sleep(0.05)  # a camera waiting for another thread's inference costs itself nothing
    with clock.stage("working"):
        _burn(0.03)
    clock.frame_done()
    clock.frame_done()
    per_frame = clock.ms_per_frame()
    assert list(per_frame) == ["waiting", "working"]
    assert per_frame["waiting"] < 5.0
    assert per_frame["working"] == pytest.approx(15.0, abs=3.0)


def test_the_pipeline_splits_each_analysed_frame_into_its_stages() -> None:
    app = parse_config(
        {
            "detectors": {
                "burning": {"type": "onnx", "model_path": "unused.onnx", "format": "yolo", "labels": ["person"]}
            },
            "cameras": [
                {
                    "id": "cam",
                    "source": {"url": "unused"},
                    "detectors": ["burning"],
                    "zones": [{"name": "all", "polygon": [[0, 0], [1, 0], [1, 1], [0, 1]]}],
                    "rules": [{"type": "intrusion", "zone": "all"}],
                }
            ],
        }
    )
    detector = Burning()
    pipeline = CameraPipeline(app, app.cameras[0], {"burning": detector})
    for seq in range(6):
        image = np.full((120, 160, 3), 60 + 40 * (seq % 2), np.uint8)  # every frame differs: the gate lets it through
        pipeline.process(Frame("cam", seq, seq * 0.2, seq * 0.2, image, 0))
    per_frame = pipeline.clock.ms_per_frame()
    assert pipeline.clock.frames == 6
    assert {"motion gate", "detector burning", "tracker", "event engine"} <= set(per_frame)
    assert any(stage.startswith("rule intrusion") for stage in per_frame)
    # the detector's 20 ms per call, over every analysed frame (the motion gate holds some calls back)
    expected_ms = 1000 * BURN_S * detector.calls / 6
    assert detector.calls >= 1
    assert per_frame["detector burning"] == pytest.approx(expected_ms, abs=2.0)
    assert per_frame["tracker"] < per_frame["detector burning"]
