"""The one place that maps a detector's configured ``type`` to the class that implements it.

Implementations are imported on demand, so a deployment that never uses a model never imports
its module (nor pays for loading it). Each class says what it produces from its configuration alone
(``declare``), so a camera can be planned before any model is loaded.
"""

from __future__ import annotations

import logging
from importlib import import_module
from typing import Any

from gwanje.config.detectors import DetectorConfig
from gwanje.core.errors import ModelLoadError
from gwanje.detect.base import Detector, Produces, TrackAnalyzer

log = logging.getLogger(__name__)

IMPLEMENTATIONS: dict[str, str] = {
    "fire_smoke": "gwanje.detect.fire_smoke:FireSmokeDetector",
    "person": "gwanje.detect.person:PersonDetector",
    "fight": "gwanje.detect.fight:FightAnalyzer",
    "pose": "gwanje.detect.pose:PoseAnalyzer",
    "onnx": "gwanje.detect.onnx_object:OnnxObjectDetector",
}
"""Detector type -> "module:Class"; each class is constructed as ``Class(name, cfg)`` (``floor=`` added for a
class that declares faint boxes) and has a classmethod ``declare(cfg) -> Produces``."""


def implementation(detector_type: str) -> type[Any]:
    """The class implementing ``detector_type``; ModelLoadError when it is unknown or not importable."""
    target = IMPLEMENTATIONS.get(detector_type)
    if target is None:
        raise ModelLoadError(f"unknown detector type {detector_type!r}; known types: {sorted(IMPLEMENTATIONS)}")
    module_name, class_name = target.split(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name != module_name:
            raise
        raise ModelLoadError(
            f"detector type {detector_type!r} needs module {module_name}, which is not installed in this build"
        ) from exc
    cls = getattr(module, class_name, None)
    if not isinstance(cls, type):
        raise ModelLoadError(f"detector type {detector_type!r}: module {module_name} has no class {class_name}")
    return cls


def declaration(cfg: DetectorConfig) -> Produces:
    """What the detector configured by ``cfg`` produces, without loading its model."""
    cls = implementation(cfg.type)
    declare = getattr(cls, "declare", None)
    if not callable(declare):
        raise ModelLoadError(f"detector type {cfg.type!r}: {cls.__qualname__} has no declare(cfg) classmethod")
    declared = declare(cfg)
    if not isinstance(declared, Produces):
        raise ModelLoadError(f"detector type {cfg.type!r}: declare() returned {type(declared).__name__}, not Produces")
    return declared


def build_detector(name: str, cfg: DetectorConfig, floor: float | None = None) -> Detector | TrackAnalyzer:
    """Construct the detector named ``name`` in the configuration (loads its model).

    ``floor``: for a detector that declares faint boxes, the lowest score it reports (fixed for its life, so
    every camera sharing it gets the same output); None or a floor at or above its threshold: none.
    Raises ModelLoadError naming the detector when its implementation or model cannot be loaded.
    """
    cls = implementation(cfg.type)
    options: dict[str, float] = {}
    if floor is not None:
        declared = declaration(cfg)
        if declared.faint and declared.threshold is not None and floor < declared.threshold:
            options["floor"] = floor
    try:
        built = cls(name, cfg, **options)
    except ModelLoadError:
        raise
    except Exception as exc:
        raise ModelLoadError(f"detector {name!r} (type {cfg.type}) failed to start: {exc}") from exc
    if not isinstance(built, (Detector, TrackAnalyzer)):
        raise ModelLoadError(
            f"detector {name!r}: {cls.__qualname__} implements neither the Detector nor the TrackAnalyzer protocol"
        )
    log.info("detector %s ready (%s)", name, cls.__qualname__)
    return built
