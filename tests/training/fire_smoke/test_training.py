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
from gwanje.training.fire_smoke import cli as fire_smoke
from tests.training.fire_smoke.synthetic import write_yolo_dataset

pytest.importorskip("torch")


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    fire_smoke.add_arguments(parser)
    return parser.parse_args(list(argv))


@pytest.mark.slow
def test_tiny_training_run_with_colour_cues_exports_an_onnx_model_equal_to_pytorch(tmp_path: Path) -> None:
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
        "--cues",
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


@pytest.mark.slow
def test_cross_validated_run_chooses_thresholds_out_of_fold_and_trains_on_train_and_val(tmp_path: Path) -> None:
    data = write_yolo_dataset(tmp_path / "data", count=45)
    out = tmp_path / "cv" / "fs.onnx"
    args = _args(
        "--data", str(data), "--output", str(out), "--epochs", "2", "--batch-size", "8", "--width", "8",
        "--variants", "2", "--cv-folds", "3",
    )  # fmt: skip
    assert fire_smoke.run(args) == 0

    report = json.loads(out.with_suffix(".json").read_text())
    assert report["cv"]["folds"] == 3
    assert 30 < report["cv"]["images"] < 45  # train + val only: the test split stays out
    assert report["thresholds"] == report["cv"]["thresholds"]
    assert len(report["cv"]["fire_fold_thresholds"]) == 3
    session = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [i.name for i in session.get_inputs()] == ["image"]
    (cells,) = session.run(None, {"image": np.zeros((1, 3, 256, 256), np.float32)})
    assert cells.shape == (1, 2, 16, 16)


def test_bad_data_directory_is_reported_not_raised(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fire_smoke.run(_args("--data", str(tmp_path / "missing"))) == 2
    assert "does not exist" in capsys.readouterr().out


def test_video_share_sets_the_draw_share_of_video_frames_and_each_class_gets_its_own_fpr_cap() -> None:
    from gwanje.training.fire_smoke.data import Sample
    from gwanje.training.fire_smoke.train import sample_weights

    def sample(name: str, frame: int, boxed: bool) -> Sample:
        boxes = np.zeros((0, 5), np.float32) if boxed else None
        return Sample(Path(name), name, 0, 0, boxes, "train", frame)

    samples = [sample("cctv", -1, True), sample("photo", -1, False), sample("video-a", 3, False),
               sample("video-b", 9, False)]  # fmt: skip
    for share in (0.1, 0.3):
        weights = sample_weights(samples, share)
        assert weights[2:].sum() == pytest.approx(share)
        assert weights[0] == pytest.approx((1 - share) / 2)
    caps = fire_smoke.fpr_caps(_args("--data", "x", "--max-fpr", "0.08", "--smoke-max-fpr", "0.05"))
    assert caps == {"fire": 0.08, "smoke": 0.05}
    assert fire_smoke.fpr_caps(_args("--data", "x"))["smoke"] == 0.08


@pytest.mark.slow
def test_two_runs_combine_into_one_model_with_each_class_from_its_own_run(tmp_path: Path) -> None:
    from gwanje.training.fire_smoke import combine

    data = write_yolo_dataset(tmp_path / "data", count=45)
    runs = {}
    for name, seed in (("a", "0"), ("b", "1")):
        out = tmp_path / name / "fs.onnx"
        args = _args("--data", str(data), "--output", str(out), "--epochs", "2", "--batch-size", "8",
                     "--width", "8", "--cues", "--seed", seed)  # fmt: skip
        assert fire_smoke.run(args) == 0
        runs[name] = out
    both = tmp_path / "both" / "fs.onnx"
    ref = tmp_path / "both" / "ref.npz"
    argv = ["--fire", str(runs["a"]), "--smoke", str(runs["b"]), "--output", str(both), "--reference", str(ref)]
    assert combine.main(argv) == 0

    report = json.loads(both.with_suffix(".json").read_text())
    a, b = (json.loads(runs[n].with_suffix(".json").read_text()) for n in ("a", "b"))
    assert report["thresholds"] == {"fire": a["thresholds"]["fire"], "smoke": b["thresholds"]["smoke"]}
    image = fire_smoke.reference_image(np.load(ref)["pattern"])

    def cells(path: Path) -> np.ndarray:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return np.asarray(session.run(None, {"image": image})[0])

    combined = cells(both)
    np.testing.assert_allclose(combined, np.load(ref)["cells"], atol=1e-4)  # export parity
    np.testing.assert_allclose(combined[:, 0], cells(runs["a"])[:, 0], atol=1e-5)
    np.testing.assert_allclose(combined[:, 1], cells(runs["b"])[:, 1], atol=1e-5)
    assert not np.allclose(cells(runs["a"])[:, 1], combined[:, 1], atol=1e-5)  # the runs really differ
    with pytest.raises(SystemExit, match="missing"):
        combine.main(["--fire", str(tmp_path / "nope.onnx"), "--smoke", str(runs["b"]), "--output", str(both)])


@pytest.mark.slow
def test_a_new_smoke_head_is_spliced_into_a_model_without_changing_its_fire_channel(tmp_path: Path) -> None:
    from gwanje.training.fire_smoke import combine, splice

    data = write_yolo_dataset(tmp_path / "data", count=45)
    runs = {}
    for name, seed in (("a", "0"), ("b", "1"), ("c", "2")):
        out = tmp_path / name / "fs.onnx"
        args = _args("--data", str(data), "--output", str(out), "--epochs", "2", "--batch-size", "8",
                     "--width", "8", "--cues", "--seed", seed)  # fmt: skip
        assert fire_smoke.run(args) == 0
        runs[name] = out
    base = tmp_path / "base" / "fs.onnx"  # as shipped: fire from a, smoke from b
    ref = tmp_path / "base" / "ref.npz"
    assert combine.main(["--fire", str(runs["a"]), "--smoke", str(runs["b"]), "--output", str(base),
                         "--reference", str(ref)]) == 0  # fmt: skip
    base_ref = np.load(ref)["cells"].copy()
    spliced = tmp_path / "new" / "fs.onnx"
    argv = ["--base", str(base), "--smoke", str(runs["c"]), "--output", str(spliced), "--reference", str(ref)]
    assert splice.main(argv) == 0

    image = fire_smoke.reference_image(np.load(ref)["pattern"])

    def cells(path: Path) -> np.ndarray:
        session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
        return np.asarray(session.run(None, {"image": image})[0])

    got = cells(spliced)
    np.testing.assert_allclose(got[:, 0], cells(base)[:, 0], atol=1e-5)  # the fire channel is the base's
    np.testing.assert_allclose(got[:, 1], cells(runs["c"])[:, 1], atol=1e-5)  # the smoke channel the new run's
    assert not np.allclose(got[:, 1], cells(base)[:, 1], atol=1e-5)
    new_ref = np.load(ref)["cells"]
    np.testing.assert_allclose(got, new_ref, atol=1e-4)  # export parity with the rewritten reference
    np.testing.assert_allclose(new_ref[:, 0], base_ref[:, 0])
    report = json.loads(spliced.with_suffix(".json").read_text())
    c = json.loads(runs["c"].with_suffix(".json").read_text())
    assert report["thresholds"]["smoke"] == c["thresholds"]["smoke"]
    assert report["fire_run"] == json.loads(base.with_suffix(".json").read_text())["fire_run"]
