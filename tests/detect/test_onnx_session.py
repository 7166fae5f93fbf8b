"""OnnxModel on real ONNX Runtime sessions of tiny generated graphs."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from gwanje.config.detectors import RuntimeConfig
from gwanje.core.errors import ModelLoadError
from gwanje.detect import onnx_session
from gwanje.detect.onnx_session import OnnxModel, packaged_model
from tests.detect.onnx_graphs import constant_model, mean_model


def _samples(n: int) -> np.ndarray:
    return np.stack([np.full((3, 8, 8), i + 1, np.float32) for i in range(n)])


def test_metadata_and_run(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx"), RuntimeConfig(), name="mean")
    assert model.providers == ["CPUExecutionProvider"]
    assert model.input.name == "x"
    assert model.input.shape == ("batch", 3, 8, 8)
    assert model.input.dtype == np.float32
    assert model.batch_dynamic
    (out,) = model.run({"x": _samples(2)})
    assert out.tolist() == [[1.0], [2.0]]


def test_run_casts_to_input_type(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx"), RuntimeConfig(), name="mean")
    (out,) = model.run({"x": _samples(1).astype(np.uint8)})
    assert out.tolist() == [[1.0]]


def test_run_batch_loops_when_the_batch_is_fixed(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx", (1, 3, 8, 8)), RuntimeConfig(), name="fixed")
    assert not model.batch_dynamic
    (out,) = model.run_batch({"x": _samples(3)})
    assert out.tolist() == [[1.0], [2.0], [3.0]]


def test_run_batch_pads_a_fixed_batch_larger_than_one(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx", (2, 3, 8, 8)), RuntimeConfig(), name="fixed2")
    (out,) = model.run_batch({"x": _samples(3)})
    assert out.tolist() == [[1.0], [2.0], [3.0]]


def test_run_batch_dynamic_is_one_call(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx"), RuntimeConfig(), name="dyn")
    (out,) = model.run_batch({"x": _samples(4)})
    assert out[:, 0].tolist() == [1.0, 2.0, 3.0, 4.0]


def test_unknown_input_name_is_a_clear_error(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx"), RuntimeConfig(), name="mean")
    with pytest.raises(ValueError, match="no input named 'images'"):
        model.run({"images": _samples(1)})


def test_wrong_shape_names_the_model(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx"), RuntimeConfig(), name="mean")
    with pytest.raises(RuntimeError, match="inference of model 'mean'"):
        model.run({"x": np.zeros((1, 3, 4, 4), np.float32)})


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match=r"not found: .*absent\.onnx"):
        OnnxModel(tmp_path / "absent.onnx", RuntimeConfig(), name="x")


def test_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.onnx"
    path.write_bytes(b"this is not a protobuf at all")
    with pytest.raises(ModelLoadError, match=r"cannot load the ONNX model of 'bad' from .*corrupt\.onnx"):
        OnnxModel(path, RuntimeConfig(), name="bad")


def test_expect_names_file_and_expectation(tmp_path: Path) -> None:
    path = constant_model(tmp_path / "c.onnx", [np.zeros((1, 5, 4))])
    model = OnnxModel(path, RuntimeConfig(), name="c")
    model.expect(inputs=1, input_rank=4, outputs=[1, 2])
    with pytest.raises(ModelLoadError, match=r"c\.onnx.*expected 2 or 3 output\(s\), found 1"):
        model.expect(outputs=[2, 3], what="an SSD detector")
    with pytest.raises(ModelLoadError, match="expected a rank-3 first input"):
        model.expect(input_rank=3)


def test_unavailable_provider_warns_once_and_falls_back(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(onnx_session, "_warned_providers", set())
    cfg = RuntimeConfig(providers=["NoSuchExecutionProvider"])
    path = mean_model(tmp_path / "m.onnx")
    with caplog.at_level(logging.WARNING, logger="gwanje.detect.onnx_session"):
        first = OnnxModel(path, cfg, name="a")
        OnnxModel(path, cfg, name="b")
    warnings = [r for r in caplog.records if "NoSuchExecutionProvider" in r.getMessage()]
    assert len(warnings) == 1
    assert first.providers == ["CPUExecutionProvider"]


def test_packaged_model_absent_is_clear() -> None:
    with pytest.raises(ModelLoadError, match=r"packaged model 'no-such-model\.onnx' is not installed"):
        packaged_model("no-such-model.onnx")


def test_closed_model_refuses_to_run(tmp_path: Path) -> None:
    model = OnnxModel(mean_model(tmp_path / "m.onnx"), RuntimeConfig(), name="mean")
    model.close()
    with pytest.raises(RuntimeError, match="closed"):
        model.run({"x": _samples(1)})


def test_custom_metadata_is_exposed(tmp_path: Path) -> None:
    path = mean_model(tmp_path / "m.onnx", metadata={"feature_version": "3"})
    assert OnnxModel(path, RuntimeConfig(), name="m").metadata == {"feature_version": "3"}
    assert OnnxModel(mean_model(tmp_path / "n.onnx"), RuntimeConfig(), name="n").metadata == {}
