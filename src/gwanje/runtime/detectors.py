"""Build the detectors a set of cameras needs, once, so cameras share them.

What to load is planned from declarations (``runtime.plan``): the detectors each camera lists, plus the
application's keypoint analyser when one of its rules needs pose. A detector that can report faint boxes
is built with one floor for its whole life, the lowest any rule of any of these cameras declares for its
labels, so its output never depends on which camera asks.
"""

from __future__ import annotations

from collections.abc import Iterable

from gwanje.config.camera import CameraConfig
from gwanje.config.schema import AppConfig
from gwanje.detect.base import Detector, Produces, TrackAnalyzer
from gwanje.detect.registry import build_detector, declaration
from gwanje.events.rule import RuleNeeds
from gwanje.events.rules.factory import rule_needs
from gwanje.runtime.plan import faint_floor, needs_pose, track_enricher

AnyDetector = Detector | TrackAnalyzer


def needed_detectors(app: AppConfig, cameras: Iterable[CameraConfig]) -> list[str]:
    """Names of every detector used by the cameras, plus a keypoint analyser for cameras whose rules need pose."""
    declared: dict[str, Produces] = {}
    names: list[str] = []
    for cam in cameras:
        wanted = list(cam.detectors)
        needs = rule_needs(cam, app.detectors)
        if needs_pose(needs):
            if not declared:
                declared = {n: declaration(c) for n, c in app.detectors.items()}
            enricher = track_enricher(cam.detectors, declared, needs)
            wanted += [enricher] if enricher is not None else []
        names += [n for n in wanted if n not in names]
    return names


def build_detectors(
    app: AppConfig, cameras: Iterable[CameraConfig], only: Iterable[str] | None = None
) -> dict[str, AnyDetector]:
    """Load every needed model (or those of ``only`` among them: the ones not loaded yet when a camera is added,
    with the floor of all ``cameras``); a model that fails to load raises ModelLoadError naming it."""
    cameras = list(cameras)
    needs: dict[str, list[RuleNeeds]] = {cam.id: rule_needs(cam, app.detectors) for cam in cameras}
    built: dict[str, AnyDetector] = {}
    try:
        wanted = None if only is None else set(only)
        for name in needed_detectors(app, cameras):
            if wanted is not None and name not in wanted:
                continue
            users = [n for cam in cameras if name in cam.detectors for n in needs[cam.id]]
            floor = faint_floor(declaration(app.detectors[name]), users)
            built[name] = build_detector(name, app.detectors[name], floor=floor)
    except Exception:
        close_all(built)
        raise
    return built


def close_all(detectors: dict[str, AnyDetector]) -> None:
    for d in detectors.values():
        d.close()
