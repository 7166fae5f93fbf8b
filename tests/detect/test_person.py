"""The NanoDet person detector: shipped model equality, decoding, tiling and awkward frames."""

from __future__ import annotations

import itertools
from pathlib import Path

import cv2
import numpy as np
import pytest

from gwanje.config.detectors import PersonDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect import person as person_module
from gwanje.detect.base import Detector
from gwanje.detect.onnx_session import OnnxModel, packaged_model
from gwanje.detect.ops import box_iou
from gwanje.detect.person import (
    BINS,
    COCO_MODEL_FILE,
    INPUT_SIZE,
    PersonDetector,
    decode,
    merge_tiles,
    preprocess,
    tile_regions,
)
from tests.detect.human_data import DATA, PERSON_FRAME, assert_matches_reference, dataset_frame, enlarged_pattern
from tests.support.collapse import CollapseScene


@pytest.fixture(scope="module")
def detector() -> PersonDetector:
    return PersonDetector("person", PersonDetectorConfig())


def test_shipped_model_equals_the_trained_pytorch_model(detector: PersonDetector) -> None:
    """Export parity: the shipped fine-tuned ONNX against the PyTorch model's outputs (``gwanje train person
    --reference``) on the converter's fixed pattern."""
    reference = np.load(DATA / "person_ft_reference.npz")
    tensor, _ = preprocess(enlarged_pattern(reference))
    outputs = detector._model.run({detector._model.input.name: tensor})
    assert_matches_reference(outputs, reference)


def test_the_coco_model_it_started_from_equals_the_source_graph() -> None:
    """The published NanoDet-g (the fine-tuning's start and the fire/smoke backbone) against the TF graph."""
    reference = np.load(DATA / "nanodet_reference.npz")
    model = OnnxModel(packaged_model(COCO_MODEL_FILE), PersonDetectorConfig().runtime, name="coco")
    try:
        tensor, _ = preprocess(enlarged_pattern(reference))
        assert_matches_reference(model.run({model.input.name: tensor}), reference)
        with pytest.raises(AssertionError):  # the fine-tuned weights really differ from the COCO ones
            assert_matches_reference(model.run({model.input.name: tensor}), np.load(DATA / "person_ft_reference.npz"))
    finally:
        model.close()


def test_is_a_detector(detector: PersonDetector) -> None:
    assert isinstance(detector, Detector)
    assert detector.produces.objects == {"person"} and not detector.produces.regions
    assert detector.produces.faint and detector.produces.threshold == 0.4
    assert detector.floor == detector.produces.floor == 0.4  # built without a floor: nothing below the threshold


def _synthetic_outputs(cell: int, stride: int, score: float, sides: tuple[int, int, int, int]) -> list[np.ndarray]:
    """Model outputs with one confident person cell whose four distance distributions peak at ``sides`` bins."""
    outputs = []
    for s in (8, 16, 32):
        cells = (INPUT_SIZE // s) ** 2
        scores = np.zeros((1, cells, 80), np.float32)
        boxes = np.full((1, cells, 4 * BINS), -50.0, np.float32)
        if s == stride:
            scores[0, cell, 0] = score
            scores[0, cell, 5] = 0.99  # a bus: not a person, must be ignored
            for side, bin_index in enumerate(sides):
                boxes[0, cell, side * BINS + bin_index] = 50.0
        outputs += [scores, boxes]
    return outputs


def test_decode_expectation_times_stride_from_the_cell_centre() -> None:
    grid = INPUT_SIZE // 16
    cell = 3 * grid + 5  # column 5, row 3 -> centre (88, 56)
    boxes, scores = decode(_synthetic_outputs(cell, 16, 0.8, (2, 1, 3, 4)), threshold=0.4)
    assert scores.tolist() == pytest.approx([0.8])
    np.testing.assert_allclose(boxes, [[88 - 32, 56 - 16, 88 + 48, 56 + 64]], atol=1e-3)
    empty_boxes, _ = decode(_synthetic_outputs(cell, 16, 0.3, (2, 1, 3, 4)), threshold=0.4)
    assert empty_boxes.shape == (0, 4)


def test_tile_regions_cover_the_frame_with_overlap() -> None:
    regions = tile_regions(1280, 720, "auto", 1.5, full_frame=False)
    assert regions == [(0, 0, 720, 720), (560, 0, 1280, 720)]
    assert tile_regions(1280, 720, "none", 1.5, full_frame=False) == [(0, 0, 1280, 720)]
    assert tile_regions(1280, 720, "auto", 1.5, full_frame=True)[-1] == (0, 0, 1280, 720)
    panorama = tile_regions(2000, 400, "auto", 1.5, full_frame=False)
    assert panorama[0][0] == 0 and panorama[-1][2] == 2000
    assert all(b[0] <= a[2] - 0.2 * 400 for a, b in itertools.pairwise(panorama))
    assert tile_regions(1000, 40, "auto", 1.5, full_frame=False) == [(0, 0, 1000, 40)]  # a sliver: run whole
    portrait = tile_regions(360, 640, "auto", 1.5, full_frame=False)
    assert portrait == [(0, 0, 360, 360), (0, 280, 360, 640)]


def test_merge_drops_the_part_of_a_person_cut_by_the_seam() -> None:
    # Tiles (0..720) and (560..1280): a person at x 640..760 is whole in the right tile and cut at x=720 in the left.
    whole = [640, 100, 760, 400]
    cut_part = [640, 105, 719, 398]  # IoU with the whole box is about 0.65 -> NMS at 0.7 would keep both
    elsewhere = [100, 100, 160, 300]
    boxes = np.array([whole, cut_part, elsewhere], np.float32)
    scores = np.array([0.7, 0.9, 0.6], np.float32)
    cut = np.array([False, True, False])
    assert sorted(merge_tiles(boxes, scores, cut, iou_threshold=0.7).tolist()) == [0, 2]
    assert sorted(merge_tiles(boxes, scores, np.zeros(3, bool), iou_threshold=0.7).tolist()) == [0, 1, 2]


def test_a_person_across_the_seam_is_reported_once(
    detector: PersonDetector, datasets_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = dataset_frame(datasets_dir, *PERSON_FRAME)
    person = cv2.resize(frame[0:330, 310:460], None, fx=1.5, fy=1.5)  # the standing man, now 225 x 495 px
    wide = np.full((720, 1280, 3), 200, np.uint8)
    wide[20:515, 615:840] = person  # straddles the left tile's right edge (x = 720)
    found = detector.detect_image(wide)
    assert len(found) == 1, found.xyxy
    assert box_iou(found.xyxy, [[615 + 12, 20 + 9, 615 + 210, 20 + 475]])[0, 0] > 0.6
    # The case is a real seam duplicate: NMS alone keeps the left tile's cut-off part as a second person.
    monkeypatch.setattr(person_module, "SEAM_COVER", 1.1)
    assert len(detector.detect_image(wide)) == 2


def test_finds_the_person_in_a_real_frame(detector: PersonDetector, datasets_dir: Path) -> None:
    image = dataset_frame(datasets_dir, *PERSON_FRAME)
    (found,) = detector.detect([Frame("cam", 0, 0.0, 0.0, image)])
    assert len(found) == 1
    assert set(found.label.tolist()) == {"person"}
    assert box_iou(found.xyxy, [[318, 6, 450, 317]])[0, 0] > 0.7
    assert found.confidence[0] > 0.6


def test_empty_tiny_and_dark_frames_do_not_crash(detector: PersonDetector) -> None:
    rng = np.random.default_rng(1)
    dark = rng.integers(0, 12, (720, 1280, 3), dtype=np.uint8)
    images = [
        np.zeros((720, 1280, 3), np.uint8),
        dark,
        np.zeros((1, 1, 3), np.uint8),
        np.zeros((0, 0, 3), np.uint8),
        rng.integers(0, 255, (9, 33, 3), dtype=np.uint8),
        rng.integers(0, 255, (1000, 40, 3), dtype=np.uint8),
    ]
    results = detector.detect_images(images)
    assert len(results) == len(images)
    assert all(isinstance(r, Detections) for r in results)
    assert len(results[0]) == 0 and len(results[1]) == 0
    for image, result in zip(images, results, strict=True):
        if len(result):
            assert (result.xyxy[:, [0, 2]] <= image.shape[1]).all()
            assert (result.xyxy[:, [1, 3]] <= image.shape[0]).all()
    assert detector.detect([]) == []


def test_faint_people_are_reported_after_the_others_which_stay_unchanged() -> None:
    """Built with a floor, it adds boxes scored between the floor and the threshold; the boxes above the threshold
    are exactly those of a detector that reports none (the drawn collapse: standing, then lying flat)."""
    scene = CollapseScene(fps=5.0)
    frames = scene.frames(scene.down_s() + 1.0)
    standing, lying = frames[0], frames[-1]
    plain = PersonDetector("person", PersonDetectorConfig())
    faint = PersonDetector("person", PersonDetectorConfig(), floor=0.15)
    try:
        for image in (standing, lying):
            base, extended = plain.detect_image(image), faint.detect_image(image)
            confident = extended[extended.confidence > 0.4]
            np.testing.assert_array_equal(confident.xyxy, base.xyxy)
            np.testing.assert_array_equal(confident.confidence, base.confidence)
            assert np.all(extended.confidence[len(base) :] <= 0.4)
            assert np.all(extended.confidence >= 0.15)
        found = faint.detect_image(lying)
        assert len(found) > len(plain.detect_image(lying))  # faint boxes come on top of the confident ones
        x1, y1, x2, y2 = found.xyxy[int(np.argmax(found.confidence))]
        assert x2 - x1 > 1.2 * (y2 - y1)  # the figure lying flat, boxed lying across the view
        with pytest.raises(ValueError, match="score floor"):
            PersonDetector("person", PersonDetectorConfig(), floor=0.0)
    finally:
        plain.close()
        faint.close()
