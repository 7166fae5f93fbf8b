"""The user ONNX object detector on tiny constant graphs: exact decoding, letterbox undo, NMS, batches."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gwanje.config.detectors import OnnxObjectDetectorConfig
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.detect.onnx_object import OnnxObjectDetector, decode_yolo
from tests.detect.onnx_graphs import constant_model

LABELS = ["person", "car"]
# centre x, y, w, h (input pixels), then person and car scores
YOLO_ROWS = np.array(
    [
        [32, 32, 20, 10, 0.9, 0.1],  # kept: person
        [33, 32, 20, 10, 0.8, 0.1],  # suppressed by the first (same class, IoU 0.9)
        [32, 32, 20, 10, 0.1, 0.7],  # kept: car, other class so not suppressed
        [10, 20, 4, 4, 0.1, 0.3],  # below the threshold
    ],
    np.float32,
)
# Frame 128 x 64 into a 64 x 64 input: scale 0.5, 16 px padding at the top.
EXPECTED_BOX = [44.0, 22.0, 84.0, 42.0]


def _frame(width: int = 128, height: int = 64, camera: str = "cam") -> Frame:
    return Frame(camera, 0, 0.0, 0.0, np.zeros((height, width, 3), np.uint8))


def _detector(tmp_path: Path, outputs: list[np.ndarray], **cfg: Any) -> OnnxObjectDetector:
    shape = cfg.pop("input_shape", ("batch", 3, 64, 64))
    path = constant_model(tmp_path / "model.onnx", outputs, input_shape=shape)
    config: dict[str, Any] = {"model_path": path, "format": "yolo", "labels": LABELS, "input_size": (64, 64)}
    config.update(cfg)
    return OnnxObjectDetector("mine", OnnxObjectDetectorConfig(**config))


def _check_yolo(det: OnnxObjectDetector) -> None:
    (result,) = det.detect([_frame()])
    assert result.label.tolist() == ["person", "car"]
    np.testing.assert_allclose(result.confidence, [0.9, 0.7], rtol=1e-6)
    np.testing.assert_allclose(result.xyxy, [EXPECTED_BOX, EXPECTED_BOX], atol=1e-4)
    assert result.data["class_id"].tolist() == [0, 1]


def test_yolov8_channels_first(tmp_path: Path) -> None:
    det = _detector(tmp_path, [YOLO_ROWS.T[None]])
    assert isinstance(det, Detector)
    assert det.labels == ("person", "car")
    _check_yolo(det)


def test_yolo_rows_last(tmp_path: Path) -> None:
    _check_yolo(_detector(tmp_path, [YOLO_ROWS[None]]))


def test_yolov5_objectness_multiplies(tmp_path: Path) -> None:
    objectness = np.array([[1.0], [1.0], [1.0], [1.0]], np.float32)
    rows = np.concatenate([YOLO_ROWS[:, :4], objectness, YOLO_ROWS[:, 4:]], axis=1)
    rows[0, 4] = 0.5  # person 0.9 * 0.5 = 0.45: still above 0.4, now below the second box's 0.8
    (result,) = _detector(tmp_path, [rows[None]]).detect([_frame()])
    assert result.label.tolist() == ["person", "car"]
    np.testing.assert_allclose(result.confidence, [0.8, 0.7], rtol=1e-6)
    np.testing.assert_allclose(result.xyxy[0], [46.0, 22.0, 86.0, 42.0], atol=1e-4)


def test_stretch_undoes_two_scales(tmp_path: Path) -> None:
    (result,) = _detector(tmp_path, [YOLO_ROWS[None]], letterbox=False).detect([_frame()])
    # x scale 0.5, y scale 1.0, no padding
    np.testing.assert_allclose(result.xyxy[0], [44.0, 27.0, 84.0, 37.0], atol=1e-4)


def test_threshold_and_max_detections(tmp_path: Path) -> None:
    (result,) = _detector(tmp_path, [YOLO_ROWS[None]], threshold=0.2, max_detections=2).detect([_frame()])
    assert result.confidence.tolist() == pytest.approx([0.9, 0.7])
    (low,) = _detector(tmp_path, [YOLO_ROWS[None]], threshold=0.2, nms_iou=0.95).detect([_frame()])
    assert len(low) == 4


def test_batch_of_frames_of_different_sizes(tmp_path: Path) -> None:
    det = _detector(tmp_path, [YOLO_ROWS[None]])
    wide, tall = det.detect([_frame(128, 64), _frame(32, 64, camera="other")])
    np.testing.assert_allclose(wide.xyxy[0], EXPECTED_BOX, atol=1e-4)
    # 32 x 64 into 64 x 64: scale 1, 16 px padding at the left; the box is clipped to the frame.
    np.testing.assert_allclose(tall.xyxy[0], [6.0, 27.0, 26.0, 37.0], atol=1e-4)


def test_fixed_batch_model_loops(tmp_path: Path) -> None:
    det = _detector(tmp_path, [YOLO_ROWS[None]], input_shape=(1, 3, 64, 64))
    results = det.detect([_frame(), _frame(), _frame()])
    assert [len(r) for r in results] == [2, 2, 2]
    assert det.detect([]) == []


def test_model_input_size_wins_over_config(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        det = _detector(tmp_path, [YOLO_ROWS[None]], input_size=(320, 320))
    assert det.input_size == (64, 64)
    assert "configured input_size [320, 320] is ignored" in caplog.text
    _check_yolo(det)


def test_nhwc_input(tmp_path: Path) -> None:
    _check_yolo(_detector(tmp_path, [YOLO_ROWS[None]], input_shape=("batch", 64, 64, 3)))


def test_wrong_label_count_is_clear() -> None:
    with pytest.raises(ValueError, match=r"C = 3 labels"):
        decode_yolo(YOLO_ROWS, num_classes=3)


def test_yolo_with_two_outputs_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"model\.onnx.*YOLO detector with one output.*expected 1 output"):
        _detector(tmp_path, [YOLO_ROWS[None], YOLO_ROWS[None]])


def test_no_labels_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="'labels' must list"):
        _detector(tmp_path, [YOLO_ROWS[None]], labels=[])


# SSD: relative boxes in a 64 x 64 input; (0.5, 0.34375, 0.5 + 20/64, 0.34375 + 10/64) is the same box.
REL_XYXY = [22 / 64, 27 / 64, 42 / 64, 37 / 64]
REL_YXYX = [REL_XYXY[1], REL_XYXY[0], REL_XYXY[3], REL_XYXY[2]]


def test_ssd_boxes_and_score_matrix_with_background(tmp_path: Path) -> None:
    boxes = np.array([[REL_YXYX, REL_YXYX]], np.float32)
    scores = np.array([[[0.05, 0.9, 0.05], [0.1, 0.2, 0.7]]], np.float32)  # background, person, car
    det = _detector(tmp_path, [boxes, scores], format="ssd")
    (result,) = det.detect([_frame()])
    assert result.label.tolist() == ["person", "car"]
    np.testing.assert_allclose(result.confidence, [0.9, 0.7], rtol=1e-6)
    np.testing.assert_allclose(result.xyxy, [EXPECTED_BOX, EXPECTED_BOX], atol=1e-3)


def test_ssd_class_and_score_vectors_with_count(tmp_path: Path) -> None:
    boxes = np.array([[REL_YXYX, REL_YXYX, REL_YXYX]], np.float32)
    classes = np.array([[1, 0, 0]], np.float32)
    scores = np.array([[0.6, 0.95, 0.99]], np.float32)
    count = np.array([2.0], np.float32)  # the third row is padding
    det = _detector(tmp_path, [boxes, classes, scores, count], format="ssd")
    (result,) = det.detect([_frame()])
    assert result.label.tolist() == ["person", "car"]
    np.testing.assert_allclose(result.confidence, [0.95, 0.6], rtol=1e-6)


def test_ssd_pixel_xyxy_boxes(tmp_path: Path) -> None:
    boxes = np.array([[[22, 27, 42, 37]]], np.float32)
    scores = np.array([[[0.2, 0.8]]], np.float32)
    det = _detector(tmp_path, [boxes, scores], format="ssd", ssd_box_order="xyxy", ssd_relative=False)
    (result,) = det.detect([_frame()])
    assert result.label.tolist() == ["car"]
    np.testing.assert_allclose(result.xyxy[0], EXPECTED_BOX, atol=1e-3)


def test_ssd_single_output_of_seven(tmp_path: Path) -> None:
    rows = np.array(
        [[[[0, 1, 0.8, *REL_XYXY], [0, 0, 0.5, *REL_XYXY], [-1, 0, 0.99, 0, 0, 1, 1]]]], np.float32
    )  # [1, 1, N, 7]; image id -1 ends the list
    (result,) = _detector(tmp_path, [rows], format="ssd").detect([_frame()])
    assert result.label.tolist() == ["car", "person"]
    np.testing.assert_allclose(result.xyxy, [EXPECTED_BOX, EXPECTED_BOX], atol=1e-3)
