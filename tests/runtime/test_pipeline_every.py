"""A frame detector with ``every: N`` runs on every Nth analysed frame; the camera reuses its answer in between."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from gwanje.config import parse_config
from gwanje.core.detections import Detections
from gwanje.core.errors import ConfigError
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.runtime.pipeline import CameraPipeline


class Counting:
    """A detector that boxes one person, numbered by its call, and keeps the times it ran."""

    name = "counting"

    produces = Produces({"person": LabelKind.OBJECT}, threshold=0.5)

    def __init__(self) -> None:
        self.times: list[float] = []

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        self.times.extend(f.pts_s for f in frames)
        return [Detections.from_arrays([[10, 10, 50, 90]], [0.5 + 0.01 * len(self.times)], "person") for _ in frames]

    def close(self) -> None:
        pass


def _pipeline(every: int | None) -> tuple[CameraPipeline, Counting]:
    detector_cfg: dict[str, object] = {
        "type": "onnx",
        "model_path": "unused.onnx",
        "format": "yolo",
        "labels": ["person"],
    }
    if every is not None:
        detector_cfg["every"] = every
    app = parse_config(
        {
            "detectors": {"counting": detector_cfg},
            "cameras": [
                {"id": "cam", "source": {"url": "unused"}, "detectors": ["counting"], "motion": {"enabled": False}}
            ],
        }
    )
    detector = Counting()
    return CameraPipeline(app, app.cameras[0], {"counting": detector}), detector


def _frame(seq: int, segment: int = 0) -> Frame:
    image = np.full((120, 160, 3), 80 + 10 * (seq % 2), np.uint8)  # every frame differs from the last
    return Frame("cam", seq, seq * 0.2, seq * 0.2, image, segment)


@pytest.mark.parametrize(("every", "ran"), [(None, [0, 1, 2, 3, 4, 5, 6]), (2, [0, 2, 4, 6]), (3, [0, 3, 6])])
def test_the_detector_runs_on_every_nth_frame_and_the_rules_see_its_answer_on_each(
    every: int | None, ran: list[int]
) -> None:
    pipeline, detector = _pipeline(every)
    seen = [pipeline.process(_frame(seq)).context.detections for seq in range(7)]
    assert detector.times == pytest.approx([0.2 * i for i in ran])
    assert all(len(d) == 1 for d in seen)  # the frames in between get the last answer, not nothing
    expected = {None: [0.51, 0.52, 0.53], 2: [0.51, 0.51, 0.52], 3: [0.51, 0.51, 0.51]}[every]
    assert [round(float(d.confidence[0]), 2) for d in seen[:3]] == expected


def test_a_new_stream_segment_runs_the_detector_at_once() -> None:
    pipeline, detector = _pipeline(3)
    for seq in range(2):
        pipeline.process(_frame(seq))
    pipeline.process(_frame(2, segment=1))  # reconnected: the last answer is from another stream
    assert detector.times == pytest.approx([0.0, 0.4])


def test_the_setting_is_checked() -> None:
    with pytest.raises(
        ConfigError, match=r"detectors\.counting\.onnx\.every: Input should be greater than or equal to 1"
    ):
        _pipeline(0)
