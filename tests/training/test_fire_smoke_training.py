"""End to end: train a tiny fire/smoke model on generated images, export ONNX, run it (needs PyTorch)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from gwanje.config.detectors import FireSmokeDetectorConfig
from gwanje.core.frame import Frame
from gwanje.detect.fire_smoke import FireSmokeDetector
from gwanje.training import fire_smoke
from tests.training.fire_smoke_synthetic import write_yolo_dataset

pytest.importorskip("torch")


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    fire_smoke.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.slow
def test_tiny_training_run_exports_an_onnx_model_equal_to_pytorch(tmp_path: Path) -> None:
    data = write_yolo_dataset(tmp_path / "data", count=45)
    out = tmp_path / "out" / "fs.onnx"
    ref = tmp_path / "out" / "ref.npz"
    args = _args(
        "--data",
        str(data),
        "--output",
        str(out),
        "--reference",
        str(ref),
        "--epochs",
        "2",
        "--batch-size",
        "8",
        "--width",
        "8",
    )
    assert fire_smoke.run(args) == 0

    report = json.loads(out.with_suffix(".json").read_text())
    assert set(report["thresholds"]) == {"fire", "smoke"}
    assert 0.0 < report["thresholds"]["fire"] < 1.0

    reference = np.load(ref)
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    batch = np.concatenate([fire_smoke.reference_image(reference["pattern"])] * 3)  # dynamic batch
    (cells,) = session.run(None, {"image": batch})
    assert cells.shape == (3, 2, 16, 16)
    np.testing.assert_allclose(cells[:1], reference["cells"], atol=1e-4)
    np.testing.assert_allclose(cells[2:], reference["cells"], atol=1e-4)

    detector = FireSmokeDetector("fs", FireSmokeDetectorConfig(model_path=out))
    image = np.zeros((240, 320, 3), np.uint8)
    (dets,) = detector.detect([Frame("cam", 0, 0.0, 0.0, image)])
    assert set(dets.label.tolist()) <= {"fire", "smoke"}


def test_bad_data_directory_is_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fire_smoke.run(_args("--data", str(tmp_path / "missing"))) == 2
    assert "does not exist" in capsys.readouterr().out
