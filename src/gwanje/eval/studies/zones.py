"""Zone and line rules on a real, hand-labelled video: events matched, missed, extra, timing error.

    gwanje study zones   # intrusion, loitering, line crossing, crowding on one-by-one-person-detection.mp4

Labels: ``labels/rules/one-by-one-zones.json`` beside this module (protocol inside; dataset path and times, no
image data). Everything runs through `FileAnalyzer` (the pipeline of `gwanje analyze`) with the shipped person
detector and default event tuning. Rule parameters are the documented defaults except where written below (and in
docs/rules.md); none was tuned on this video.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gwanje.config.camera import CameraConfig, SourceConfig, ZoneConfig
from gwanje.config.events import EventOverrides, default_tuning
from gwanje.config.rules import (
    CrowdingRuleConfig,
    IntrusionRuleConfig,
    LineCrossingRuleConfig,
    LoiteringRuleConfig,
)
from gwanje.config.schema import AppConfig
from gwanje.eval.studies.common import ANALYSIS_FPS, alerts, cached_detectors, require_dataset, rule_labels
from gwanje.runtime.analyze import AnalyzedEvent, FileAnalyzer
from gwanje.runtime.detectors import close_all

MATCH_WINDOW_S = 2.0
"""An event matches a labelled moment when its alert is at most this far from it (labels are good to ~0.3 s)."""
INTRUSION_DWELL_S = 0.5  # the documented default
LOITER_S = 10.0  # the documented default (KISA's 10 s)
LOITER_UNSURE_S = 1.0
"""Stays within this of LOITER_S are 'either way': an alert there is neither required nor extra."""
CROWD_MAX = 1
"""The smallest allowed limit: the video never shows two people at once, so every crowding event is false."""


@dataclass
class RuleScore:
    """One rule on one video: which labelled moments an alert matched, and the alerts nothing explains."""

    rule: str
    expected: int = 0
    matched: int = 0
    extra: int = 0
    allowed: int = 0
    """Alerts at an 'either way' moment: neither matched nor extra."""
    errors_s: list[float] = field(default_factory=list)

    @property
    def missed(self) -> int:
        return self.expected - self.matched

    def line(self) -> str:
        timing = ""
        if self.errors_s:
            mean = sum(self.errors_s) / len(self.errors_s)
            timing = (
                f", alert - labelled: mean {mean:+.2f} s, range {min(self.errors_s):+.2f}..{max(self.errors_s):+.2f} s"
            )
        return (
            f"{self.rule:<14} expected {self.expected}  matched {self.matched}  missed {self.missed}  "
            f"extra {self.extra}{f'  either-way {self.allowed}' if self.allowed else ''}{timing}"
        )


def score_rule(rule: str, alerts: list[float], expected: list[float], either: Sequence[float] = ()) -> RuleScore:
    """Match alerts to labelled moments in time order (each used once, within MATCH_WINDOW_S).

    ``either``: moments where an alert is allowed but not required (a stay within a second of the threshold).
    """
    score = RuleScore(rule, expected=len(expected))
    left = sorted(alerts)
    for moment in sorted(expected):
        near = [a for a in left if abs(a - moment) <= MATCH_WINDOW_S]
        if near:
            left.remove(near[0])
            score.matched += 1
            score.errors_s.append(near[0] - moment)
    for moment in either:
        near = [a for a in left if abs(a - moment) <= MATCH_WINDOW_S]
        score.allowed += len(near)
        left = [a for a in left if a not in near]
    score.extra = len(left)
    return score


def per_visit_tuning() -> EventOverrides:
    """Default zone tuning without cooldown and merging: every stay is its own event.

    The default (cooldown 30 s, merge within 10 s) makes one event of people following each other into a zone.
    """
    zone = default_tuning()["intrusion"].model_copy(update={"cooldown_s": 0.0, "merge_gap_s": 0.0})
    return EventOverrides(intrusion=zone, loitering=zone)


def zone_camera(
    spec: dict[str, Any], line_rules: list[LineCrossingRuleConfig], per_visit: bool = False
) -> CameraConfig:
    zone = spec["zones"][0]["name"]
    return CameraConfig(
        id="rules-eval",
        events=per_visit_tuning() if per_visit else EventOverrides(),
        source=SourceConfig(url="file"),
        analysis_fps=ANALYSIS_FPS,
        detectors=["person"],
        zones=[ZoneConfig(name=z["name"], polygon=z["polygon"]) for z in spec["zones"]],
        rules=[
            IntrusionRuleConfig(zone=zone, min_dwell_s=INTRUSION_DWELL_S),
            LoiteringRuleConfig(zone=zone, min_time_s=LOITER_S),
            CrowdingRuleConfig(zone=zone, max_people=CROWD_MAX),
            *line_rules,
        ],
    )


def evaluate_zones() -> list[RuleScore]:
    """Every zone and line rule on the labelled video; one analysis per line direction (events carry no line name)."""
    spec = rule_labels("one-by-one-zones")
    video = require_dataset(spec["dataset"]) / spec["path"]
    visits = spec["visits"]
    lines = {line["name"]: line["line"] for line in spec["lines"]}
    runs = {  # rule name -> (line, direction, labelled crossing times)
        "entrance in": ("entrance", "b_to_a", [v["entrance_in_s"] for v in visits]),
        "entrance out": ("entrance", "a_to_b", []),
        "exit out": ("exit", "b_to_a", [v["exit_out_s"] for v in visits]),
        "exit in": ("exit", "a_to_b", []),
    }
    app = AppConfig()
    detectors = cached_detectors(app, zone_camera(spec, []))
    scores: list[RuleScore] = []
    try:
        for n, (rule, (line, direction, crossings)) in enumerate(runs.items()):
            crossing = LineCrossingRuleConfig(name=line, line=lines[line], direction=direction)
            camera = zone_camera(spec, [crossing])
            events = FileAnalyzer(app, camera, detectors).run(video).events
            scores.append(score_rule(rule, alerts(events, "line_crossing"), crossings))
            if n == 0:  # the zone rules do not depend on the line: score them once
                scores[:0] = _zone_scores(events, visits, "")
        per_visit = FileAnalyzer(app, zone_camera(spec, [], per_visit=True), detectors).run(video).events
        scores[3:3] = _zone_scores(per_visit, visits, " *")[:2]  # crowding has its own tuning
    finally:
        close_all(detectors)
    return scores


def _zone_scores(events: list[AnalyzedEvent], visits: list[dict[str, float]], suffix: str) -> list[RuleScore]:
    stays = [(v["zone_enter_s"], v["zone_leave_s"] - v["zone_enter_s"]) for v in visits]
    loiter = [enter + LOITER_S for enter, stay in stays if stay >= LOITER_S + LOITER_UNSURE_S]
    unsure = [enter + LOITER_S for enter, stay in stays if abs(stay - LOITER_S) < LOITER_UNSURE_S]
    return [
        score_rule("intrusion" + suffix, alerts(events, "intrusion"), [e + INTRUSION_DWELL_S for e, _ in stays]),
        score_rule("loitering" + suffix, alerts(events, "loitering"), loiter, unsure),
        score_rule("crowding" + suffix, alerts(events, "crowding"), []),
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(args: argparse.Namespace) -> int:
    del args  # no options
    print(f"one-by-one-person-detection.mp4 at {ANALYSIS_FPS:g} fps; match window +-{MATCH_WINDOW_S:g} s")
    for score in evaluate_zones():
        print(score.line())
    print("* = intrusion and loitering tuned with cooldown_s 0 and merge_gap_s 0 (one event per stay)")
    return 0
