"""Build the detectors a set of cameras needs, once, so cameras share them."""

from __future__ import annotations

from collections.abc import Iterable

from gwanje.config.camera import CameraConfig
from gwanje.config.rules import FallRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.detect.base import Detector, TrackAnalyzer
from gwanje.detect.registry import build_detector

AnyDetector = Detector | TrackAnalyzer


def needed_detectors(app: AppConfig, cameras: Iterable[CameraConfig]) -> list[str]:
    """Names of every detector used by the cameras, plus the pose model when a fall rule needs it."""
    names: list[str] = []
    for cam in cameras:
        wanted = list(cam.detectors)
        if any(isinstance(r, FallRuleConfig) for r in cam.rules):
            wanted += [n for n, d in app.detectors.items() if d.type == "pose"][:1]
        names += [n for n in wanted if n not in names]
    return names


def build_detectors(app: AppConfig, cameras: Iterable[CameraConfig]) -> dict[str, AnyDetector]:
    """Load every needed model; a model that fails to load raises ModelLoadError naming it."""
    built: dict[str, AnyDetector] = {}
    try:
        for name in needed_detectors(app, cameras):
            built[name] = build_detector(name, app.detectors[name])
    except Exception:
        close_all(built)
        raise
    return built


def close_all(detectors: dict[str, AnyDetector]) -> None:
    for d in detectors.values():
        d.close()
