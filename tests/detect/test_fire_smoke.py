"""The fire/smoke detector: region grouping, calibration, and the shipped ONNX model (no PyTorch needed)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from gwanje.config.detectors import FireSmokeDetectorConfig, RuntimeConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.detect.fire_smoke import FireSmokeDetector, calibrate, cell_regions, frame_scores, to_input
from gwanje.detect.onnx_session import packaged_model
from gwanje.training.fire_smoke.cli import reference_image

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "fire_smoke_reference.npz"


def test_neighbouring_cells_form_one_region_and_separate_ones_two() -> None:
    cells = np.zeros((2, 8, 8), np.float32)
    cells[0, 0, 0] = 0.7
    cells[0, 1, 1] = 0.9  # diagonal neighbour: same region
    cells[0, 6, 6] = 0.6
    cells[1, 2:5, 3:6] = 0.8
    cells[1, 7, 0] = 0.3  # below the smoke threshold
    regions = cell_regions(cells, (0.5, 0.5), frame_size=(800, 400))
    fire = regions.with_label("fire")
    assert sorted(fire.xyxy.tolist()) == [[0.0, 0.0, 200.0, 100.0], [600.0, 300.0, 700.0, 350.0]]
    assert sorted(fire.data["probability"].tolist()) == pytest.approx([0.6, 0.9])
    assert regions.with_label("smoke").xyxy.tolist() == [[300.0, 100.0, 600.0, 250.0]]


def test_thresholds_are_per_class_and_calibrated_to_one_half() -> None:
    cells = np.full((2, 4, 4), 0.4, np.float32)
    regions = cell_regions(cells, (0.5, 0.3), frame_size=(64, 64))
    assert regions.label.tolist() == ["smoke"]
    assert regions.confidence[0] == pytest.approx(calibrate(0.4, 0.3))
    assert calibrate(0.3, 0.3) == pytest.approx(0.5)
    grid = np.linspace(0, 1, 101)
    mapped = [calibrate(float(p), 0.3) for p in grid]
    assert mapped[0] == 0.0 and mapped[-1] == pytest.approx(1.0)
    assert all(b > a for a, b in itertools.pairwise(mapped))


def test_frame_scores_are_the_best_confidence_per_label() -> None:
    dets = Detections.from_arrays([[0, 0, 1, 1]] * 3, [0.6, 0.8, 0.7], ["fire", "fire", "smoke"])
    assert frame_scores(dets) == pytest.approx({"fire": 0.8, "smoke": 0.7})
    assert frame_scores(Detections.empty()) == {"fire": 0.0, "smoke": 0.0}


def test_to_input_rejects_grey_images_with_a_clear_error() -> None:
    with pytest.raises(ValueError, match="H x W x 3"):
        to_input([np.zeros((10, 10), np.uint8)], (32, 32))


def test_shipped_onnx_matches_the_pytorch_output_recorded_at_export() -> None:
    reference = np.load(REFERENCE)
    session = ort.InferenceSession(str(packaged_model("fire_smoke.onnx")), providers=["CPUExecutionProvider"])
    (cells,) = session.run(None, {"image": reference_image(reference["pattern"])})
    np.testing.assert_allclose(cells, reference["cells"], atol=1e-4)


def test_detector_batches_frames_of_different_sizes() -> None:
    detector = FireSmokeDetector("fire_smoke", FireSmokeDetectorConfig(runtime=RuntimeConfig(max_batch=2)))
    assert isinstance(detector, Detector)
    rng = np.random.default_rng(0)
    sizes = [(720, 1280), (240, 320), (480, 640)]
    frames = [
        Frame("cam", i, 0.0, 0.0, rng.integers(0, 256, (h, w, 3), dtype=np.uint8)) for i, (h, w) in enumerate(sizes)
    ]
    results = detector.detect(frames)
    assert len(results) == 3
    batch_scores = detector.scores([f.image for f in frames])
    single_scores = np.concatenate([detector.scores([f.image]) for f in frames])
    np.testing.assert_allclose(batch_scores, single_scores, atol=1e-5)
    for dets, (h, w) in zip(results, sizes, strict=True):
        assert set(dets.label.tolist()) <= {"fire", "smoke"}
        assert np.all(dets.xyxy[:, [0, 2]] <= w) and np.all(dets.xyxy[:, [1, 3]] <= h)
    detector.close()


def test_config_default_thresholds_are_the_model_cards_operating_point() -> None:
    figures = json.loads(packaged_model("fire_smoke.json").read_text())
    cfg = FireSmokeDetectorConfig()
    assert (cfg.fire_threshold, cfg.smoke_threshold) == (figures["thresholds"]["fire"], figures["thresholds"]["smoke"])


def test_missing_model_file_is_a_model_load_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="not found"):
        FireSmokeDetector("fs", FireSmokeDetectorConfig(model_path=tmp_path / "nope.onnx"))
