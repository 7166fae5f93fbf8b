"""The BlazePose analyser: shipped model equality, crop geometry, caps and real frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from gwanje.config.detectors import PoseDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import TrackAnalyzer
from gwanje.detect.pose import (
    COCO17_FROM_BLAZEPOSE,
    KEYPOINT_NAMES,
    PoseAnalyzer,
    crop_transform,
    decode_landmarks,
    select_people,
)
from tests.detect.human_data import DATA, PERSON_FRAME, assert_matches_reference, dataset_frame, enlarged_pattern

PERSON_BOX = [318, 6, 450, 317]
"""The man of PERSON_FRAME as the person detector boxes him."""


@pytest.fixture(scope="module")
def analyzer() -> PoseAnalyzer:
    return PoseAnalyzer("pose", PoseDetectorConfig())


def _frame(image: np.ndarray) -> Frame:
    return Frame("cam", 0, 0.0, 0.0, image)


def test_shipped_model_equals_the_source_tflite(analyzer: PoseAnalyzer) -> None:
    reference = np.load(DATA / "pose_reference.npz")
    tensor = (enlarged_pattern(reference).astype(np.float32) / 255.0)[None]
    outputs = analyzer._model.run({analyzer._model.input.name: tensor})
    assert_matches_reference(outputs, reference)


def test_is_a_track_analyzer(analyzer: PoseAnalyzer) -> None:
    assert isinstance(analyzer, TrackAnalyzer)
    assert analyzer.produces.enriches_tracks and analyzer.produces.keypoints and not analyzer.produces.labels
    assert len(KEYPOINT_NAMES) == 33
    assert [KEYPOINT_NAMES[i] for i in COCO17_FROM_BLAZEPOSE][:3] == ["nose", "left_eye", "right_eye"]


def test_crop_transform_maps_the_box_centre_to_the_crop_centre_and_back() -> None:
    box = np.array([100, 50, 140, 250], np.float32)
    for angle in (0.0, 90.0, -37.0):
        matrix = crop_transform(box, angle)
        centre = matrix @ np.array([120.0, 150.0, 1.0])
        np.testing.assert_allclose(centre, [128, 128], atol=1e-6)
        # A landmark at the crop centre and one at the crop's top edge come back to frame pixels.
        raw = np.zeros((39, 5), np.float32)
        raw[0, :2] = (128, 128)
        raw[1, :2] = (128, 0)
        points = decode_landmarks(raw.reshape(-1), matrix)
        np.testing.assert_allclose(points[0, :2], [120, 150], atol=1e-3)
        assert np.hypot(*(points[1, :2] - [120, 150])) == pytest.approx(1.25 * 200 / 2, rel=1e-4)
        assert points[0, 2] == pytest.approx(0.5)  # visibility logit 0 -> 0.5


def test_select_people_caps_largest_first_and_skips_tiny_people() -> None:
    tracks = Detections.from_arrays(
        [[0, 0, 10, 100], [0, 0, 50, 200], [0, 0, 5, 10], [0, 0, 30, 150], [0, 0, 90, 300]],
        [0.9] * 5,
        ["person", "person", "person", "person", "car"],
    )
    assert select_people(tracks, max_people=2, min_height=40).tolist() == [1, 3]
    assert select_people(tracks, max_people=10, min_height=40).tolist() == [1, 3, 0]


def test_generated_frame_gives_well_shaped_results(analyzer: PoseAnalyzer) -> None:
    rng = np.random.default_rng(3)
    image = rng.integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    tracks = Detections.from_arrays(
        [[100, 100, 200, 400], [600, 300, 900, 450], [1000, 300, 1200, 700], [5, 5, 8, 9], [0, 0, 300, 200]],
        [0.9, 0.8, 0.7, 0.6, 0.9],
        ["person", "person", "person", "person", "car"],
        tracker_id=[4, 5, 6, 7, 8],
    )
    result = PoseAnalyzer("pose", PoseDetectorConfig(threshold=0.0)).analyze(_frame(image), tracks)
    # Every track comes back in order (the pipeline replaces its tracks with this result).
    assert result.tracker_id.tolist() == [4, 5, 6, 7, 8]
    np.testing.assert_array_equal(result.xyxy, tracks.xyxy)
    assert result.keypoints is not None and result.keypoints.shape == (5, 33, 3)
    assert np.isfinite(result.keypoints[:3]).all()
    assert np.isnan(result.keypoints[3:]).all()  # a 3 x 4 px "person" and a car get no pose
    assert result.data["pose_score"].shape == (5,)
    assert (result.data["pose_score"][3:] == 0).all()
    capped = PoseAnalyzer("pose", PoseDetectorConfig(threshold=0.0, max_people=1)).analyze(_frame(image), tracks)
    assert capped.keypoints is not None
    assert np.isfinite(capped.keypoints[2]).all()  # the largest person
    assert np.isnan(capped.keypoints[[0, 1]]).all()
    empty = analyzer.analyze(_frame(image), Detections.empty())
    assert len(empty) == 0
    tiny = analyzer.analyze(_frame(np.zeros((1, 1, 3), np.uint8)), tracks)
    assert len(tiny) == 5 and tiny.keypoints is not None and np.isnan(tiny.keypoints).all()
    dark = analyzer.analyze(_frame(np.zeros((720, 1280, 3), np.uint8)), tracks)
    assert dark.keypoints is not None and dark.keypoints.shape == (5, 33, 3)


def test_real_person_gets_a_plausible_skeleton(analyzer: PoseAnalyzer, datasets_dir: Path) -> None:
    image = dataset_frame(datasets_dir, *PERSON_FRAME)
    tracks = Detections.from_arrays([PERSON_BOX], [0.9], "person", tracker_id=[12])
    result = analyzer.analyze(_frame(image), tracks)
    assert len(result) == 1 and result.tracker_id[0] == 12
    assert result.data["pose_score"][0] > 0.9
    assert result.keypoints is not None
    keypoints = result.keypoints[0]
    x1, y1, x2, y2 = PERSON_BOX
    inside = (keypoints[:, 0] > x1 - 20) & (keypoints[:, 0] < x2 + 20)
    inside &= (keypoints[:, 1] > y1 - 20) & (keypoints[:, 1] < y2 + 20)
    assert inside.all()
    names = {name: i for i, name in enumerate(KEYPOINT_NAMES)}
    nose_y = keypoints[names["nose"], 1]
    hip_y = keypoints[[names["left_hip"], names["right_hip"]], 1].mean()
    ankle_y = keypoints[[names["left_ankle"], names["right_ankle"]], 1].mean()
    assert nose_y < hip_y < ankle_y  # standing: head above hips above feet


def test_a_lying_person_is_posed_on_an_upright_crop(analyzer: PoseAnalyzer, datasets_dir: Path) -> None:
    image = dataset_frame(datasets_dir, *PERSON_FRAME)
    standing = analyzer.analyze(_frame(image), Detections.from_arrays([PERSON_BOX], [0.9], "person"))
    turned = cv2.rotate(image, cv2.ROTATE_90_CLOCKWISE)  # (x, y) -> (359 - y, x)
    x1, y1, x2, y2 = PERSON_BOX
    lying_box = [[359 - y2, x1, 359 - y1, x2]]
    lying = analyzer.analyze(_frame(turned), Detections.from_arrays(lying_box, [0.9], "person"))
    assert lying.keypoints is not None and standing.keypoints is not None
    assert np.isfinite(lying.keypoints).all()
    back = np.stack([lying.keypoints[0, :, 1], 359 - lying.keypoints[0, :, 0]], axis=1)
    assert np.abs(back - standing.keypoints[0, :, :2]).mean() < 5.0
    plain = PoseAnalyzer("pose", PoseDetectorConfig(upright_crops=False))
    wrong = plain.analyze(_frame(turned), Detections.from_arrays(lying_box, [0.9], "person"))
    assert wrong.keypoints is not None
    back_wrong = np.stack([wrong.keypoints[0, :, 1], 359 - wrong.keypoints[0, :, 0]], axis=1)
    assert np.abs(back_wrong - standing.keypoints[0, :, :2]).mean() > 20.0  # why the upright crops exist
