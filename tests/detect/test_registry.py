"""build_detector: dispatch on type, clear errors for what cannot be built."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gwanje.config.detectors import OnnxObjectDetectorConfig
from gwanje.core.errors import ModelLoadError
from gwanje.detect import registry
from gwanje.detect.onnx_object import OnnxObjectDetector
from gwanje.detect.registry import build_detector
from tests.detect.onnx_graphs import constant_model


class NotADetector:
    def __init__(self, name: str, cfg: object) -> None:
        self.name = name


class Exploding:
    def __init__(self, name: str, cfg: object) -> None:
        raise OSError("device busy")


def _onnx_cfg(tmp_path: Path) -> OnnxObjectDetectorConfig:
    path = constant_model(tmp_path / "m.onnx", [np.zeros((1, 3, 6), np.float32)])
    return OnnxObjectDetectorConfig(model_path=path, format="yolo", labels=["a", "b"], input_size=(64, 64))


def test_onnx_type_builds_the_onnx_detector(tmp_path: Path) -> None:
    built = build_detector("mine", _onnx_cfg(tmp_path))
    assert isinstance(built, OnnxObjectDetector)
    assert built.name == "mine"


def test_missing_module_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.IMPLEMENTATIONS, "onnx", "gwanje.detect.not_written_yet:Thing")
    with pytest.raises(ModelLoadError, match=r"needs module gwanje\.detect\.not_written_yet"):
        build_detector("mine", _onnx_cfg(tmp_path))


def test_missing_class_names_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.IMPLEMENTATIONS, "onnx", "gwanje.detect.ops:NoSuchClass")
    with pytest.raises(ModelLoadError, match="has no class NoSuchClass"):
        build_detector("mine", _onnx_cfg(tmp_path))


def test_object_without_the_protocol_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.IMPLEMENTATIONS, "onnx", "tests.detect.test_registry:NotADetector")
    with pytest.raises(ModelLoadError, match="neither the Detector nor the TrackAnalyzer"):
        build_detector("mine", _onnx_cfg(tmp_path))


def test_constructor_failure_names_the_detector(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(registry.IMPLEMENTATIONS, "onnx", "tests.detect.test_registry:Exploding")
    with pytest.raises(ModelLoadError, match=r"detector 'mine' \(type onnx\) failed to start: device busy"):
        build_detector("mine", _onnx_cfg(tmp_path))


def test_missing_model_file_is_a_model_load_error(tmp_path: Path) -> None:
    cfg = OnnxObjectDetectorConfig(model_path=tmp_path / "gone.onnx", format="yolo", labels=["a"])
    with pytest.raises(ModelLoadError, match=r"gone\.onnx"):
        build_detector("mine", cfg)


def test_every_type_of_the_config_has_an_implementation() -> None:
    from typing import get_args

    from gwanje.config.detectors import DetectorConfig

    union = get_args(DetectorConfig)[0]
    types = {cls.model_fields["type"].default for cls in get_args(union)}
    assert types == set(registry.IMPLEMENTATIONS)


def test_every_type_declares_what_it_produces_without_loading_a_model(tmp_path: Path) -> None:
    from gwanje.config.detectors import default_detectors

    declared = {name: registry.declaration(cfg) for name, cfg in default_detectors().items()}
    assert declared["fire_smoke"].regions == {"fire", "smoke"} and not declared["fire_smoke"].objects
    assert declared["person"].objects == {"person"} and declared["person"].faint
    assert declared["fight"].regions == {"fight"} and not declared["fight"].enriches_tracks
    assert declared["pose"].enriches_tracks and declared["pose"].keypoints
    mine = registry.declaration(
        OnnxObjectDetectorConfig(model_path=tmp_path / "none.onnx", format="yolo", labels=["a"])
    )
    assert mine.objects == {"a"} and not mine.faint


def test_a_floor_is_given_only_to_a_detector_that_reports_faint_boxes(tmp_path: Path) -> None:
    from gwanje.config.detectors import PersonDetectorConfig
    from gwanje.detect.person import PersonDetector

    built = build_detector("mine", _onnx_cfg(tmp_path), floor=0.1)  # an ONNX model has no faint boxes: ignored
    assert isinstance(built, OnnxObjectDetector)
    person = build_detector("person", PersonDetectorConfig(), floor=0.2)
    low = build_detector("person", PersonDetectorConfig(), floor=0.5)  # above the threshold: no faint boxes
    try:
        assert isinstance(person, PersonDetector) and person.floor == 0.2
        assert isinstance(low, PersonDetector) and low.floor == 0.4
    finally:
        for d in (built, person, low):
            d.close()
