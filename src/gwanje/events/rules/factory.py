"""Build every rule of one camera from its configuration."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from gwanje.config import rules as rule_config
from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import (
    DetectorConfig,
    FightDetectorConfig,
    FireSmokeDetectorConfig,
    OnnxObjectDetectorConfig,
    PersonDetectorConfig,
)
from gwanje.core.events import EventType
from gwanje.events.rule import Rule
from gwanje.events.rules.crowding import CrowdingRule
from gwanje.events.rules.detection import DetectionRule
from gwanje.events.rules.fall import FallRule
from gwanje.events.rules.fire_smoke import FireSmokeRule
from gwanje.events.rules.intrusion import IntrusionRule
from gwanje.events.rules.line_crossing import LineCrossingRule
from gwanje.events.rules.loitering import LoiteringRule
from gwanje.events.zones import PolygonZone

log = logging.getLogger(__name__)


def build_rules(camera: CameraConfig, detector_configs: Mapping[str, DetectorConfig]) -> list[Rule]:
    """The camera's configured rules, then the rules its detectors imply (fire/smoke, fight, watched objects)."""
    zones = {z.name: PolygonZone.from_config(z) for z in camera.zones}
    rules: list[Rule] = [_from_config(cfg, zones) for cfg in camera.rules]
    produced: set[str] = set()
    for name in camera.detectors:
        detector = detector_configs.get(name)
        if detector is None:
            raise ValueError(
                f"camera {camera.id!r} uses detector {name!r}, which is not declared; "
                f"declared detectors: {sorted(detector_configs)}"
            )
        if isinstance(detector, FireSmokeDetectorConfig):
            rules.append(FireSmokeRule(camera))
        elif isinstance(detector, FightDetectorConfig):
            rules.append(DetectionRule("fight", EventType.FIGHT, ["fight"], camera.sensitivity))
        elif isinstance(detector, OnnxObjectDetectorConfig):
            produced.update(detector.labels)
            if detector.watch:
                rules.append(
                    DetectionRule(
                        f"object:{name}", EventType.OBJECT, detector.watch, camera.sensitivity, per_label=True
                    )
                )
        elif isinstance(detector, PersonDetectorConfig):
            produced.add("person")
    _warn_unfed(camera, produced)
    return rules


def _from_config(cfg: rule_config.RuleConfig, zones: Mapping[str, PolygonZone]) -> Rule:
    if isinstance(cfg, rule_config.IntrusionRuleConfig):
        return IntrusionRule(cfg, zones[cfg.zone])
    if isinstance(cfg, rule_config.LoiteringRuleConfig):
        return LoiteringRule(cfg, zones[cfg.zone])
    if isinstance(cfg, rule_config.CrowdingRuleConfig):
        return CrowdingRule(cfg, zones[cfg.zone])
    if isinstance(cfg, rule_config.LineCrossingRuleConfig):
        return LineCrossingRule(cfg)
    return FallRule(cfg, None if cfg.zone is None else zones[cfg.zone])


def _watched_labels(cfg: rule_config.RuleConfig) -> list[str]:
    return ["person"] if isinstance(cfg, rule_config.FallRuleConfig) else cfg.labels


def _warn_unfed(camera: CameraConfig, produced: set[str]) -> None:
    """Say once, at start, when a rule watches labels that none of the camera's detectors output."""
    for cfg in camera.rules:
        labels = _watched_labels(cfg)
        if not produced.intersection(labels):
            log.warning(
                "camera %s: the %s rule watches %s, but none of its detectors %s outputs them; it will never fire. "
                "Add a 'person' detector (or your own model with those labels) to the camera's detectors.",
                camera.id,
                cfg.type,
                labels,
                camera.detectors,
            )
