"""The crowding rule on real clips with hand-counted people in a zone: ``gwanje study crowding``.

Labels: ``labels/rules/fight-surv-akti-crowding.json`` beside this module (protocol inside): per clip a zone and, at two times,
the range of people whose foot point is in it. Each clip runs once through `CameraPipeline` (person detector,
tracker, rules, event engine with the default crowding tuning, 3 of 5 frames) with the same zone twice:

- ``should fire``: ``max_people`` = the smallest labelled count - 1. Every labelled time has more people than that,
  so a crowding event is due.
- ``should stay quiet``: ``max_people`` = the largest labelled count. No labelled time has more.

At each labelled time the analysed frame nearest to it gives the detected people (boxes above the detector's
threshold) and the tracked people (what the rule counts) in the zone.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gwanje.config.camera import CameraConfig, SourceConfig, ZoneConfig
from gwanje.config.rules import CrowdingRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.events import EventType
from gwanje.eval.studies.common import ANALYSIS_FPS, require_dataset, rule_labels
from gwanje.events.zones import PolygonZone
from gwanje.ingest.source import iter_file_frames
from gwanje.runtime.detectors import AnyDetector, build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline

NEAREST_S = 0.1
"""An analysed frame stands for a labelled time when it is this close (half the 5 fps frame gap)."""
FIRE_ZONE = "fire"
QUIET_ZONE = "quiet"


@dataclass
class CountAt:
    """People in the zone at one labelled time."""

    time_s: float
    count_min: int
    count_max: int
    detected: int
    tracked: int

    @property
    def verdict(self) -> str:
        """'ok' when the tracked count is within the labelled range, else 'under' or 'over'."""
        if self.tracked < self.count_min:
            return "under"
        return "over" if self.tracked > self.count_max else "ok"


@dataclass
class CrowdingClip:
    """One labelled clip: counts at the labelled times and whether each crowding event came when due."""

    path: str
    counts: list[CountAt]
    fire_max: int
    fired: bool
    """A crowding event started for max_people = fire_max (due)."""
    quiet_max: int
    quiet_fired: bool
    """A crowding event started for max_people = quiet_max (false)."""

    def line(self) -> str:
        counts = ", ".join(
            f"{c.time_s:.2f} s: labelled {c.count_min}"
            + (f"-{c.count_max}" if c.count_max > c.count_min else "")
            + f" detected {c.detected} tracked {c.tracked} ({c.verdict})"
            for c in self.counts
        )
        return (
            f"{self.path:<20} {counts}; alert for >{self.fire_max}: {'yes' if self.fired else 'NO'}, "
            f"for >{self.quiet_max}: {'YES' if self.quiet_fired else 'no'}"
        )


def crowding_camera(zone: list[list[float]], fire_max: int, quiet_max: int) -> CameraConfig:
    return CameraConfig(
        id="crowding-eval",
        source=SourceConfig(url="file"),
        analysis_fps=ANALYSIS_FPS,
        detectors=["person"],
        zones=[ZoneConfig(name=FIRE_ZONE, polygon=zone), ZoneConfig(name=QUIET_ZONE, polygon=zone)],
        rules=[
            CrowdingRuleConfig(zone=FIRE_ZONE, max_people=fire_max),
            CrowdingRuleConfig(zone=QUIET_ZONE, max_people=quiet_max),
        ],
    )


def _in_zone(zone: PolygonZone, people: Detections, width: int, height: int) -> int:
    people = people.with_label("person")
    return int(zone.trigger(people, width, height).sum()) if len(people) else 0


def evaluate_clip(app: AppConfig, detectors: dict[str, AnyDetector], video: Path, spec: dict[str, Any]) -> CrowdingClip:
    """One clip of the labels file (``spec``: its entry) through a fresh pipeline."""
    labels, zone_points = spec["counts"], spec["zone"]
    fire_max = min(int(c["count_min"]) for c in labels) - 1
    quiet_max = max(int(c["count_max"]) for c in labels)
    pipeline = CameraPipeline(app, crowding_camera(zone_points, fire_max, quiet_max), detectors)
    zone = PolygonZone("count", [tuple(p) for p in zone_points])
    nearest: dict[float, tuple[float, int, int]] = {}  # labelled time -> (distance, detected, tracked)
    started: set[str] = set()
    for frame in iter_file_frames(video, ANALYSIS_FPS):
        result = pipeline.process(frame)
        started |= {e.zone or "" for e in result.events if e.event_type is EventType.CROWDING}
        height, width = frame.image.shape[:2]
        for label in labels:
            gap = abs(frame.pts_s - float(label["time_s"]))
            if gap <= NEAREST_S and gap < nearest.get(float(label["time_s"]), (NEAREST_S + 1, 0, 0))[0]:
                detected = _in_zone(zone, result.context.detections, width, height)
                tracked = _in_zone(zone, result.context.tracks, width, height)
                nearest[float(label["time_s"])] = (gap, detected, tracked)
    counts = [
        CountAt(float(c["time_s"]), int(c["count_min"]), int(c["count_max"]), *nearest[float(c["time_s"])][1:])
        for c in labels
    ]
    return CrowdingClip(str(spec["path"]), counts, fire_max, FIRE_ZONE in started, quiet_max, QUIET_ZONE in started)


def evaluate_crowding() -> list[CrowdingClip]:
    """Every labelled clip with the shipped person detector, tracker and default crowding tuning."""
    spec = rule_labels("fight-surv-akti-crowding")
    root = require_dataset(spec["dataset"])
    app = AppConfig()
    detectors = build_detectors(app, [crowding_camera([[0, 0], [1, 0], [1, 1]], 1, 1)])
    try:
        return [evaluate_clip(app, detectors, root / c["path"], c) for c in spec["clips"]]
    finally:
        close_all(detectors)


def summary(clips: list[CrowdingClip]) -> list[str]:
    counts = [c for clip in clips for c in clip.counts]
    verdicts = {v: sum(c.verdict == v for c in counts) for v in ("ok", "under", "over")}
    labelled = sum(c.count_min for c in counts)
    return [
        f"counts at {len(counts)} labelled times: within the labelled range {verdicts['ok']}, under {verdicts['under']}"
        f", over {verdicts['over']}; people surely in the zone {labelled}, detected {sum(c.detected for c in counts)}"
        f", tracked {sum(c.tracked for c in counts)}",
        f"crowding alert when due (more than the smallest count - 1): {sum(c.fired for c in clips)} of {len(clips)} "
        f"clips; false alert (limit = the largest count): {sum(c.quiet_fired for c in clips)} of {len(clips)}",
    ]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def run(args: argparse.Namespace) -> int:
    del args  # no options
    print(f"crowding on hand-counted fight-surv-akti clips at {ANALYSIS_FPS:g} fps, default tuning")
    clips = evaluate_crowding()
    for clip in clips:
        print(clip.line())
    for text in summary(clips):
        print(text)
    return 0
