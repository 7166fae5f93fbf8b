"""Build every rule of one camera from its configuration."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from gwanje.config import rules as rule_config
from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import (
    DetectorConfig,
    FightDetectorConfig,
    FireSmokeDetectorConfig,
    OnnxObjectDetectorConfig,
)
from gwanje.core.events import EventType
from gwanje.events.rule import Rule, RuleNeeds
from gwanje.events.rules.crowding import CrowdingRule
from gwanje.events.rules.detection import DetectionRule
from gwanje.events.rules.fall import FallRule
from gwanje.events.rules.fire_smoke import FireSmokeRule
from gwanje.events.rules.intrusion import IntrusionRule
from gwanje.events.rules.line_crossing import LineCrossingRule
from gwanje.events.rules.loitering import LoiteringRule
from gwanje.events.zones import PolygonZone


def build_rules(camera: CameraConfig, detector_configs: Mapping[str, DetectorConfig]) -> list[Rule]:
    """The camera's configured rules, then the rules its detectors imply (fire/smoke, fight, watched objects).

    What each rule reads is in its ``needs``; the pipeline checks them against what the detectors produce.
    """
    zones = {z.name: PolygonZone.from_config(z) for z in camera.zones}
    rules: list[Rule] = [_from_config(cfg, zones) for cfg in camera.rules]
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
        elif isinstance(detector, OnnxObjectDetectorConfig) and detector.watch:
            rules.append(
                DetectionRule(f"object:{name}", EventType.OBJECT, detector.watch, camera.sensitivity, per_label=True)
            )
    return rules


def rule_needs(camera: CameraConfig, detector_configs: Mapping[str, DetectorConfig]) -> list[RuleNeeds]:
    """What the camera's rules need, without keeping the rules (to plan which detectors to load)."""
    return [rule.needs for rule in build_rules(camera, detector_configs)]


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


EVENT_LABELS: dict[EventType, frozenset[str]] = {
    EventType.FIRE: frozenset({"fire"}),
    EventType.SMOKE: frozenset({"smoke"}),
    EventType.FIGHT: frozenset({"fight", "person"}),
    EventType.FALL: frozenset({"person"}),
}
"""Labels an event type is found from (the fight model also reads people, for its trigger and its box); the
types a file is analysed for by default (the shipped models' events)."""


def rules_for_events(event_types: Sequence[str] | None = None) -> tuple[frozenset[str], list[rule_config.RuleConfig]]:
    """For a camera set up only to find ``event_types`` (file analysis without a configured camera; default:
    every type of ``EVENT_LABELS``): the labels its detectors must produce and the rules to configure (a fall
    rule for falls; the others come from their detectors). Types not listed in ``EVENT_LABELS`` add nothing."""
    known = {t.value for t in EventType}
    wanted = set(EVENT_LABELS) if event_types is None else {EventType(t) for t in event_types if t in known}
    labels = frozenset().union(*(EVENT_LABELS.get(t, frozenset()) for t in wanted))
    rules: list[rule_config.RuleConfig] = [rule_config.FallRuleConfig()] if EventType.FALL in wanted else []
    return labels, rules
