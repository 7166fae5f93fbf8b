"""The fall rule on real, hand-labelled knock-down clips, and why falls are missed.

    gwanje study falls eval        # fall rule on fight-surv-akti clips labelled fall / no fall, and on normal videos
    gwanje study falls eval --detector-threshold 0.15 [--no-pose]   # variants (docs/research/fall.md)
    gwanje study falls diagnose | oracle | scores | zoom | continuity | drawn   # why falls are missed

Everything that involves tracking runs through `FileAnalyzer` / `CameraPipeline` (the pipeline of the service)
with the shipped person and pose detectors; the person detector sits behind a cache so that several settings on
one clip pay for it once. Labels: ``labels/rules/fight-surv-akti-falls.json`` beside this module (protocol
inside). See docs/models/fall.md for the protocol and the figures.
"""

from __future__ import annotations

import argparse
import csv
from dataclasses import dataclass, field

from gwanje.config.detectors import PersonDetectorConfig
from gwanje.config.rules import FallRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.eval.metrics import TypeMetrics
from gwanje.eval.studies.common import ANALYSIS_FPS, alerts, cached_detectors, require_dataset
from gwanje.eval.studies.fall_probes import (
    DRAWN_SECONDS,
    FALL_DOWN_TIME_S,
    FALL_FPS,
    LABEL_IOU,
    ORACLE_INSTANT_S,
    ZOOM,
    continuity,
    drawn_collapse_falls,
    drawn_collapse_scores,
    fall_camera,
    fall_labels,
    oracle_falls,
    person_scores_at_labels,
    sample,
    score_summary,
    zoomed,
)
from gwanje.events.rules.posture import Posture, posture
from gwanje.ingest.source import iter_file_frames
from gwanje.runtime.analyze import FileAnalyzer
from gwanje.runtime.detectors import close_all
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.track.tracker import Tracker

FALL_EARLY_S = 0.5
"""A fall alert earlier than this before the labelled moment is not that fall."""
WHAT = ("eval", "diagnose", "oracle", "scores", "zoom", "continuity", "drawn")


@dataclass
class FallScore:
    """Clip-level fall detection: a hit is a fall alert after (or at most FALL_EARLY_S before) the labelled fall."""

    falls: int = 0
    hits: int = 0
    clips_without_fall: int = 0
    no_fall_s: float = 0.0
    false_clips: list[str] = field(default_factory=list)
    normal_s: float = 0.0
    normal_false: int = 0
    delays_s: list[float] = field(default_factory=list)

    @property
    def metrics(self) -> TypeMetrics:
        """Clip-level counts as ``gwanje eval`` scores them (a clip with a false fall alert is a false positive;
        true negatives are not counted, no figure here uses them)."""
        return TypeMetrics(tp=self.hits, fp=len(self.false_clips), fn=self.falls - self.hits, tn=0)

    def lines(self) -> list[str]:
        hours = self.normal_s / 3600
        delay = f", alert - down: {', '.join(f'{d:.2f}' for d in self.delays_s)} s" if self.delays_s else ""
        m = self.metrics
        precision = f"{m.precision:.2f}" + ("" if m.tp + m.fp else " (no fall alert)")
        false_falls = len(self.false_clips) + self.normal_false
        watched_h = (self.no_fall_s + self.normal_s) / 3600
        bound = f"; 95 % upper bound {max(false_falls, 3) / watched_h:.0f} per hour" if watched_h else ""
        return [
            f"falls found {self.hits}/{self.falls} (recall {m.recall:.2f}){delay}",
            f"no-fall clips with a fall alert {len(self.false_clips)}/{self.clips_without_fall} {self.false_clips}",
            f"clip-level precision {precision}",
            f"normal video: {self.normal_false} false fall(s) in {self.normal_s:.0f} s "
            f"({self.normal_false / hours if hours else 0:.1f} per hour)",
            f"all no-fall footage: {false_falls} false fall(s) in {watched_h * 3600:.0f} s{bound}",
        ]


def evaluate_fall(
    no_fall_limit: int | None = None,
    normal: bool = True,
    detector_threshold: float | None = None,
    pose: bool = True,
) -> tuple[FallScore, FallScore]:
    """The fall rule at FALL_DOWN_TIME_S on the labelled clips, and both settings on the normal videos.

    Returns (short down time on clips and normal videos, default down time at the default rate on normal videos).
    ``no_fall_limit`` keeps the first no-fall clips and ``normal=False`` skips the normal videos (quick re-check).
    Variants (docs/models/fall.md, "Tracking faint boxes"): ``detector_threshold`` replaces the person detector's
    threshold for every rule, ``pose=False`` runs without the pose detector.
    """
    spec = fall_labels()
    root = require_dataset(spec["dataset"])
    excluded = {e["path"] for e in spec["no_fall"]["excluded"]}
    no_fall = [r["path"] for r in csv.DictReader((root / "labels.csv").open()) if r["label"] == "no_fight"]
    no_fall = [p for p in no_fall if p not in excluded][:no_fall_limit]
    app = AppConfig()
    if detector_threshold is not None:
        app.detectors["person"] = app.detectors["person"].model_copy(update={"threshold": detector_threshold})
    if not pose:
        del app.detectors["pose"]
    short = FallScore()
    default = FallScore()
    camera = fall_camera(FALL_DOWN_TIME_S, FALL_FPS)
    detectors = cached_detectors(app, camera)
    try:
        analyzer = FileAnalyzer(app, camera, detectors)
        for fall in spec["falls"]:
            short.falls += 1
            found = alerts(analyzer.run(root / fall["path"]).events, "fall")
            late = [a for a in found if a >= fall["down_s"] - FALL_EARLY_S]
            if late:
                short.hits += 1
                short.delays_s.append(min(late) - fall["down_s"])
            if len(late) < len(found):
                short.false_clips.append(fall["path"])
        for path in no_fall:
            short.clips_without_fall += 1
            result = analyzer.run(root / path)
            short.no_fall_s += result.duration_s
            if alerts(result.events, "fall"):
                short.false_clips.append(path)
        videos = spec["normal_videos"]
        for settings, score in ((camera, short), (fall_camera(FallRuleConfig().down_time_s, ANALYSIS_FPS), default)):
            for path in videos["paths"] if normal else []:
                result = FileAnalyzer(app, settings, detectors).run(require_dataset(videos["dataset"]) / path)
                score.normal_s += result.duration_s
                score.normal_false += len(alerts(result.events, "fall"))
    finally:
        close_all(detectors)
    return short, default


def diagnose_falls() -> list[str]:
    """What the fall rule was given in each labelled fall clip: person track boxes and their posture, before and
    after the labelled time down. No down-posture box after the fall means no rule threshold could have fired."""
    spec = fall_labels()
    root = require_dataset(spec["dataset"])
    app = AppConfig()
    camera = fall_camera(FALL_DOWN_TIME_S, FALL_FPS)
    detectors = cached_detectors(app, camera)
    lines: list[str] = []
    try:
        for fall in spec["falls"]:
            pipeline = CameraPipeline(app, camera, detectors)
            counts = {(after, p): 0 for after in (False, True) for p in Posture}
            for frame in iter_file_frames(root / fall["path"], FALL_FPS):
                tracks = pipeline.process(frame).context.tracks
                for row in range(len(tracks)):
                    keypoints = None if tracks.keypoints is None else tracks.keypoints[row]
                    seen = sample(frame.pts_s, tracks.xyxy[row], float(tracks.confidence[row]), keypoints)
                    counts[(frame.pts_s >= fall["down_s"], posture(seen))] += 1
            before = "/".join(str(counts[(False, p)]) for p in Posture)
            after = "/".join(str(counts[(True, p)]) for p in Posture)
            lines.append(f"{fall['path']:<18} track boxes upright/down/unclear before the fall {before}, after {after}")
    finally:
        close_all(detectors)
    return lines


def report(what: str, detector_threshold: float | None = None, pose: bool = True) -> None:
    """Print one fall evaluation: ``eval``, ``diagnose``, ``oracle``, ``scores``, ``zoom``, ``continuity`` or
    ``drawn``."""
    if what == "oracle":
        for down_time_s in (FALL_DOWN_TIME_S, ORACLE_INSTANT_S):
            print(f"fall rule, down_time_s {down_time_s:g}, on hand-drawn boxes of the person who falls (no keypoints)")
            oracle = oracle_falls(down_time_s)
            for result in oracle:
                print("  " + result.line())
            found = sum(r.alert_s is not None for r in oracle)
            seen, boxes = sum(r.down_posture for r in oracle), sum(r.down_boxes for r in oracle)
            print(f"  falls found {found}/{len(oracle)}; on-ground boxes seen as down {seen}/{boxes}")
    elif what == "scores":
        print(f"best person box (score, posture) at each hand-drawn box of the person who falls, IoU >= {LABEL_IOU:g}")
        results = person_scores_at_labels()
        for path in dict.fromkeys(r.path for r in results):
            print(f"{path:<18} " + "; ".join(r.text() for r in results if r.path == path))
        config = AppConfig().detectors["person"]
        assert isinstance(config, PersonDetectorConfig)
        for text in score_summary(results, config.threshold, Tracker().low_threshold):
            print(text)
    elif what == "zoom":
        print(f"best person box at each hand-drawn on-ground box, detector shown a {ZOOM:g}x crop around it")
        config = AppConfig().detectors["person"]
        assert isinstance(config, PersonDetectorConfig)
        for turns, name in ((0, "upright crop"), (1, "crop turned 90 deg left"), (3, "crop turned 90 deg right")):
            results = person_scores_at_labels(look=zoomed(turns), tiles="none")
            print(f"{name}: " + "; ".join(score_summary(results, config.threshold, Tracker().low_threshold)))
    elif what == "drawn":
        turning, lying = drawn_collapse_scores()
        print("best person score on the drawn collapse, by how far the figure has turned (degrees)")
        print("  ".join(f"{angle}: {score:.2f}" for angle, score in turning))
        print(f"lying flat, {len(lying)} frames over 5 s: {min(lying):.2f}-{max(lying):.2f}")
        print(f"the {DRAWN_SECONDS:g}-s clip, shipped defaults and a fall rule ({ANALYSIS_FPS:g} fps):")
        for event in drawn_collapse_falls():
            end = "the end" if event.end_s is None else f"{event.end_s:.1f} s"
            print(f"  {event.type} from {event.start_s:.1f} s (alert {event.alert_s:.1f} s) to {end}")
    elif what == "continuity":
        print("grey-level jump into the next clip of the same source video, against the jumps inside the fall clip")
        for text in continuity():
            print(text)
    elif what == "diagnose":
        print(f"camera track boxes (threshold 0.4) in the labelled fall clips at {FALL_FPS:g} fps, posture as the "
              "fall rule judges it")  # fmt: skip
        for text in diagnose_falls():
            print(text)
    else:
        short, default = evaluate_fall(detector_threshold=detector_threshold, pose=pose)
        threshold = "" if detector_threshold is None else f" (threshold {detector_threshold:g} for every rule)"
        detectors = "person" + threshold + (" + pose" if pose else "")
        print(f"fall rule, down_time_s {FALL_DOWN_TIME_S:g}, {FALL_FPS:g} fps, {detectors} detectors:")
        for text in short.lines():
            print("  " + text)
        print(
            f"fall rule as shipped (down_time_s {FallRuleConfig().down_time_s:g}, {ANALYSIS_FPS:g} fps) on the normal videos:"
        )
        print("  " + default.lines()[-2])


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("what", choices=WHAT)
    parser.add_argument(
        "--detector-threshold", type=float, help="eval: the person detector's threshold for every rule (a variant)"
    )
    parser.add_argument("--no-pose", action="store_true", help="eval: without the pose detector (a variant)")


def run(args: argparse.Namespace) -> int:
    report(args.what, args.detector_threshold, pose=not args.no_pose)
    return 0
