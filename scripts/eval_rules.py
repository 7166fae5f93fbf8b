"""Track rules and the fall rule on real, hand-labelled clips: events matched, missed, extra, timing error.

    python scripts/eval_rules.py zones   # intrusion, loitering, line crossing, crowding on one-by-one-person-detection.mp4
    python scripts/eval_rules.py fall    # fall rule on fight-surv-akti clips labelled fall / no fall, and on normal videos
    python scripts/eval_rules.py fall-diagnose | fall-oracle | fall-scores   # why falls are missed (see fall.md)
    python scripts/eval_rules.py crowding   # crowding rule on fight-surv-akti clips with hand-counted people in a zone

Labels: tests/data/rule_labels/*.json (protocol inside; dataset paths and times, no image data). Everything runs
through `FileAnalyzer` (the pipeline of `gwanje analyze`) with the shipped person detector and default event tuning.
Rule parameters are the documented defaults except where written below (and in docs/rules.md, docs/models/fall.md);
none was tuned on these clips.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gwanje.config.camera import CameraConfig, SourceConfig, ZoneConfig  # noqa: E402
from gwanje.config.detectors import PersonDetectorConfig  # noqa: E402
from gwanje.config.events import EventOverrides, default_tuning  # noqa: E402
from gwanje.config.rules import (  # noqa: E402
    CrowdingRule,
    FallRule,
    IntrusionRule,
    LineCrossingRule,
    LoiteringRule,
)
from gwanje.config.schema import AppConfig  # noqa: E402
from gwanje.core.detections import Detections  # noqa: E402
from gwanje.core.frame import Frame  # noqa: E402
from gwanje.detect.person import PersonDetector  # noqa: E402
from gwanje.events.context import FrameContext  # noqa: E402
from gwanje.events.rules.fall import FallRule as FallRuleLogic  # noqa: E402
from gwanje.events.rules.posture import Posture, posture  # noqa: E402
from gwanje.ingest.source import iter_file_frames  # noqa: E402
from gwanje.runtime.analyze import AnalyzedEvent, FileAnalyzer  # noqa: E402
from gwanje.runtime.detectors import AnyDetector, build_detectors, close_all  # noqa: E402
from gwanje.runtime.pipeline import CameraPipeline  # noqa: E402
from gwanje.track.history import TrackSample  # noqa: E402
from gwanje.track.tracker import Tracker, box_iou  # noqa: E402

LABELS_DIR = REPO / "tests" / "data" / "rule_labels"
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
ANALYSIS_FPS = 5.0
MATCH_WINDOW_S = 2.0
"""An event matches a labelled moment when its alert is at most this far from it (labels are good to ~0.3 s)."""
INTRUSION_DWELL_S = 0.5  # the documented default
LOITER_S = 10.0  # the documented default (KISA's 10 s)
LOITER_UNSURE_S = 1.0
"""Stays within this of LOITER_S are 'either way': an alert there is neither required nor extra."""
CROWD_MAX = 1
"""The smallest allowed limit: the video never shows two people at once, so every crowding event is false."""
FALL_DOWN_TIME_S = 0.5
"""The 2-s clips cannot hold the default 5 s; chosen from the labels (7 of 9 falls lie >= 0.5 s before the clip ends)
before the rule was run. See docs/models/fall.md."""
FALL_FPS = 10.0
"""2-s clips give only 10 frames at the default 5 fps; the tracker needs 2 to give an id."""
ORACLE_INSTANT_S = 0.001
"""Almost no stay: what is left is posture, transition and stillness (most clips end < 0.5 s after the fall)."""
FALL_EARLY_S = 0.5
"""A fall alert earlier than this before the labelled moment is not that fall."""
LABEL_IOU = 0.3
"""A detector box counts as the hand-drawn person when they overlap this much (drawn boxes are good to ~5 %)."""
SCORE_FLOOR = 0.05
"""fall-scores looks at person boxes down to this score (the tracker's low stage starts at 0.1)."""


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

    def lines(self) -> list[str]:
        hours = self.normal_s / 3600
        delay = f", alert - down: {', '.join(f'{d:.2f}' for d in self.delays_s)} s" if self.delays_s else ""
        fall_alerts = self.hits + len(self.false_clips)
        precision = f"{self.hits / fall_alerts:.2f}" if fall_alerts else "n/a"
        false_falls = len(self.false_clips) + self.normal_false
        watched_h = (self.no_fall_s + self.normal_s) / 3600
        bound = f"; 95 % upper bound {max(false_falls, 3) / watched_h:.0f} per hour" if watched_h else ""
        return [
            f"falls found {self.hits}/{self.falls} (recall {self.hits / max(self.falls, 1):.2f}){delay}",
            f"no-fall clips with a fall alert {len(self.false_clips)}/{self.clips_without_fall} {self.false_clips}",
            f"clip-level precision {precision}",
            f"normal video: {self.normal_false} false fall(s) in {self.normal_s:.0f} s "
            f"({self.normal_false / hours if hours else 0:.1f} per hour)",
            f"all no-fall footage: {false_falls} false fall(s) in {watched_h * 3600:.0f} s{bound}",
        ]


class CachedDetector:
    """Runs a detector once per frame of a file and replays its answers when the file is analysed again.

    Several rule configurations are evaluated on the same video; the person detector is what costs.
    Frames are known by their time and a hash of their pixels (different files share times).
    """

    def __init__(self, inner: AnyDetector) -> None:
        self.inner = inner
        self.name = inner.name
        self.labels = inner.labels
        self._seen: dict[tuple[float, bytes], Detections] = {}

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        out: list[Detections] = []
        for frame in frames:
            key = (round(frame.pts_s, 4), hashlib.blake2b(frame.image.tobytes(), digest_size=16).digest())
            if key not in self._seen:
                self._seen[key] = self.inner.detect([frame])[0]  # type: ignore[union-attr]
            out.append(self._seen[key])
        return out

    def close(self) -> None:
        self.inner.close()


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


def _detectors(app: AppConfig, camera: CameraConfig) -> dict[str, AnyDetector]:
    built = build_detectors(app, [camera])
    return {name: CachedDetector(d) if name == "person" else d for name, d in built.items()}


def per_visit_tuning() -> EventOverrides:
    """Default zone tuning without cooldown and merging: every stay is its own event.

    The default (cooldown 30 s, merge within 10 s) makes one event of people following each other into a zone.
    """
    zone = default_tuning()["intrusion"].model_copy(update={"cooldown_s": 0.0, "merge_gap_s": 0.0})
    return EventOverrides(intrusion=zone, loitering=zone)


def zone_camera(spec: dict[str, Any], line_rules: list[LineCrossingRule], per_visit: bool = False) -> CameraConfig:
    zone = spec["zones"][0]["name"]
    return CameraConfig(
        id="rules-eval",
        events=per_visit_tuning() if per_visit else EventOverrides(),
        source=SourceConfig(url="file"),
        analysis_fps=ANALYSIS_FPS,
        detectors=["person"],
        zones=[ZoneConfig(name=z["name"], polygon=z["polygon"]) for z in spec["zones"]],
        rules=[
            IntrusionRule(zone=zone, min_dwell_s=INTRUSION_DWELL_S),
            LoiteringRule(zone=zone, min_time_s=LOITER_S),
            CrowdingRule(zone=zone, max_people=CROWD_MAX),
            *line_rules,
        ],
    )


def evaluate_zones(datasets_dir: Path) -> list[RuleScore]:
    """Every zone and line rule on the labelled video; one analysis per line direction (events carry no line name)."""
    spec = json.loads((LABELS_DIR / "one-by-one-zones.json").read_text())
    video = datasets_dir / spec["dataset"] / spec["path"]
    visits = spec["visits"]
    lines = {line["name"]: line["line"] for line in spec["lines"]}
    runs = {  # rule name -> (line, direction, labelled crossing times)
        "entrance in": ("entrance", "b_to_a", [v["entrance_in_s"] for v in visits]),
        "entrance out": ("entrance", "a_to_b", []),
        "exit out": ("exit", "b_to_a", [v["exit_out_s"] for v in visits]),
        "exit in": ("exit", "a_to_b", []),
    }
    app = AppConfig()
    detectors = _detectors(app, zone_camera(spec, []))
    scores: list[RuleScore] = []
    try:
        for n, (rule, (line, direction, crossings)) in enumerate(runs.items()):
            crossing = LineCrossingRule(name=line, line=lines[line], direction=direction)
            camera = zone_camera(spec, [crossing])
            events = FileAnalyzer(app, camera, detectors).run(video).events
            scores.append(score_rule(rule, _alerts(events, "line_crossing"), crossings))
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
        score_rule("intrusion" + suffix, _alerts(events, "intrusion"), [e + INTRUSION_DWELL_S for e, _ in stays]),
        score_rule("loitering" + suffix, _alerts(events, "loitering"), loiter, unsure),
        score_rule("crowding" + suffix, _alerts(events, "crowding"), []),
    ]


def fall_camera(down_time_s: float, fps: float) -> CameraConfig:
    return CameraConfig(
        id="fall-eval",
        source=SourceConfig(url="file"),
        analysis_fps=fps,
        detectors=["person", "pose"],
        rules=[FallRule(down_time_s=down_time_s)],
    )


def evaluate_fall(
    datasets_dir: Path, no_fall_limit: int | None = None, normal: bool = True
) -> tuple[FallScore, FallScore]:
    """The fall rule at FALL_DOWN_TIME_S on the labelled clips, and both settings on the normal videos.

    Returns (short down time on clips and normal videos, default down time at the default rate on normal videos).
    ``no_fall_limit`` keeps the first no-fall clips and ``normal=False`` skips the normal videos (quick re-check).
    """
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    root = datasets_dir / spec["dataset"]
    excluded = {e["path"] for e in spec["no_fall"]["excluded"]}
    no_fall = [r["path"] for r in csv.DictReader((root / "labels.csv").open()) if r["label"] == "no_fight"]
    no_fall = [p for p in no_fall if p not in excluded][:no_fall_limit]
    app = AppConfig()
    short = FallScore()
    default = FallScore()
    camera = fall_camera(FALL_DOWN_TIME_S, FALL_FPS)
    detectors = _detectors(app, camera)
    try:
        analyzer = FileAnalyzer(app, camera, detectors)
        for fall in spec["falls"]:
            short.falls += 1
            alerts = [a for a in _alerts(analyzer.run(root / fall["path"]).events, "fall")]
            late = [a for a in alerts if a >= fall["down_s"] - FALL_EARLY_S]
            if late:
                short.hits += 1
                short.delays_s.append(min(late) - fall["down_s"])
            if len(late) < len(alerts):
                short.false_clips.append(fall["path"])
        for path in no_fall:
            short.clips_without_fall += 1
            result = analyzer.run(root / path)
            short.no_fall_s += result.duration_s
            if _alerts(result.events, "fall"):
                short.false_clips.append(path)
        videos = spec["normal_videos"]
        for settings, score in ((camera, short), (fall_camera(FallRule().down_time_s, ANALYSIS_FPS), default)):
            for path in videos["paths"] if normal else []:
                result = FileAnalyzer(app, settings, detectors).run(datasets_dir / videos["dataset"] / path)
                score.normal_s += result.duration_s
                score.normal_false += len(_alerts(result.events, "fall"))
    finally:
        close_all(detectors)
    return short, default


def diagnose_falls(datasets_dir: Path) -> list[str]:
    """What the fall rule was given in each labelled fall clip: person track boxes and their posture, before and
    after the labelled time down. No down-posture box after the fall means no rule threshold could have fired."""
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    app = AppConfig()
    camera = fall_camera(FALL_DOWN_TIME_S, FALL_FPS)
    detectors = _detectors(app, camera)
    lines: list[str] = []
    try:
        for fall in spec["falls"]:
            pipeline = CameraPipeline(app, camera, detectors)
            counts = {(after, p): 0 for after in (False, True) for p in Posture}
            for frame in iter_file_frames(datasets_dir / spec["dataset"] / fall["path"], FALL_FPS):
                tracks = pipeline.process(frame).context.tracks
                for row in range(len(tracks)):
                    keypoints = None if tracks.keypoints is None else tracks.keypoints[row]
                    box = tuple(float(v) for v in tracks.xyxy[row])
                    sample = TrackSample(frame.pts_s, box, float(tracks.confidence[row]), keypoints)  # type: ignore[arg-type]
                    counts[(frame.pts_s >= fall["down_s"], posture(sample))] += 1
            before = "/".join(str(counts[(False, p)]) for p in Posture)
            after = "/".join(str(counts[(True, p)]) for p in Posture)
            lines.append(f"{fall['path']:<18} track boxes upright/down/unclear before the fall {before}, after {after}")
    finally:
        close_all(detectors)
    return lines


@dataclass
class OracleFall:
    """The fall rule alone on hand-drawn boxes of the person who falls (as if detector and tracker were perfect)."""

    path: str
    down_boxes: int
    down_posture: int
    """Hand-drawn boxes of the person on the ground that the box-shape posture calls down."""
    alert_s: float | None
    """First FALL observation, or None."""

    def line(self) -> str:
        alert = "no fall" if self.alert_s is None else f"FALL at {self.alert_s:.2f} s"
        return f"{self.path:<18} on-ground boxes seen as down {self.down_posture}/{self.down_boxes}, {alert}"


def oracle_falls(down_time_s: float) -> list[OracleFall]:
    """Feed each labelled fall's hand-drawn boxes (one track, no keypoints) to the fall rule.

    Needs no video: it checks the rule's posture, transition and stays-down stages on real fall geometry.
    """
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    results: list[OracleFall] = []
    for fall in spec["falls"]:
        width, height = fall["size"]
        rule = FallRuleLogic(FallRule(down_time_s=down_time_s))
        samples = [(t, box, False) for t, box in fall["upright_boxes"]] + [(t, b, True) for t, b in fall["down_boxes"]]
        down_posture, alert = 0, None
        image = np.zeros((height, width, 3), np.uint8)
        for seq, (time_s, box, on_ground) in enumerate(sorted(samples, key=lambda sample: sample[0])):
            pixels = np.asarray(box, np.float32) * np.array([width, height, width, height], np.float32)
            tracks = Detections.from_arrays(pixels, [0.9], "person", tracker_id=[1])
            if on_ground:
                sample = TrackSample(time_s, tuple(float(v) for v in pixels), 0.9)  # type: ignore[arg-type]
                down_posture += posture(sample) is Posture.DOWN
            frame = Frame(camera_id="oracle", seq=seq, pts_s=time_s, wall_time=time_s, image=image)
            if rule.evaluate(FrameContext(frame=frame, detections=tracks, tracks=tracks)) and alert is None:
                alert = time_s
        results.append(OracleFall(fall["path"], len(fall["down_boxes"]), down_posture, alert))
    return results


@dataclass
class LabelScore:
    """The person detector at one hand-drawn box of a person who falls."""

    path: str
    on_ground: bool
    time_s: float
    score: float | None
    """Highest score of a box with IoU >= LABEL_IOU with the drawn box, None when no box (at any score) is there."""
    posture: Posture | None
    """That box's posture from its shape alone, as the fall rule would see it."""

    def text(self) -> str:
        found = "-" if self.score is None or self.posture is None else f"{self.score:.2f} {self.posture.name.lower()}"
        return f"{'down' if self.on_ground else 'up'}@{self.time_s:.1f} {found}"


def person_scores_at_labels(datasets_dir: Path, floor: float = SCORE_FLOOR) -> list[LabelScore]:
    """The person detector, run with threshold ``floor``, at each hand-drawn box of the falls (frame nearest in time)."""
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    config = AppConfig().detectors["person"]
    assert isinstance(config, PersonDetectorConfig)
    detector = PersonDetector("person", config.model_copy(update={"threshold": floor}))
    results: list[LabelScore] = []
    try:
        for fall in spec["falls"]:
            width, height = fall["size"]
            scale = np.array([width, height, width, height], np.float32)
            drawn = [(False, t, b) for t, b in fall["upright_boxes"]] + [(True, t, b) for t, b in fall["down_boxes"]]
            for frame in iter_file_frames(datasets_dir / spec["dataset"] / fall["path"], FALL_FPS):
                here = [d for d in drawn if abs(d[1] - frame.pts_s) <= 0.5 / FALL_FPS]
                people = detector.detect([frame])[0] if here else Detections.empty()
                for on_ground, _, box in here:
                    iou = box_iou(np.asarray(box, np.float32)[None] * scale, people.xyxy)[0]
                    near = np.flatnonzero(iou >= LABEL_IOU)
                    score, seen = None, None
                    if near.size:
                        best = int(near[np.argmax(people.confidence[near])])
                        score = float(people.confidence[best])
                        seen = posture(TrackSample(frame.pts_s, tuple(float(v) for v in people.xyxy[best]), score))  # type: ignore[arg-type]
                    results.append(LabelScore(fall["path"], on_ground, frame.pts_s, score, seen))
    finally:
        detector.close()
    return results


def score_summary(results: list[LabelScore], threshold: float, track_low: float) -> list[str]:
    """How many on-ground boxes the detector finds above its threshold, in the tracker's low band, or not at all."""
    down = [r for r in results if r.on_ground]
    high = [r for r in down if r.score is not None and r.score >= threshold]
    band = [r for r in down if r.score is not None and track_low <= r.score < threshold]
    shapes = {p: sum(r.posture is p for r in high + band) for p in Posture}
    return [
        f"on-ground boxes {len(down)}: a box scored >= {threshold:g} at {len(high)}, {track_low:g}-{threshold:g} at "
        f"{len(band)}, below {track_low:g} or none at {len(down) - len(high) - len(band)}",
        f"postures of the boxes scored >= {track_low:g}: "
        + ", ".join(f"{p.name.lower()} {n}" for p, n in shapes.items()),
    ]


def _alerts(events: list[AnalyzedEvent], event_type: str) -> list[float]:
    return [e.alert_s for e in events if e.type == event_type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["zones", "crowding", "fall", "fall-diagnose", "fall-oracle", "fall-scores"])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS)
    args = parser.parse_args(argv)
    if args.what == "zones":
        print(f"one-by-one-person-detection.mp4 at {ANALYSIS_FPS:g} fps; match window +-{MATCH_WINDOW_S:g} s")
        for score in evaluate_zones(args.datasets):
            print(score.line())
        print("* = intrusion and loitering tuned with cooldown_s 0 and merge_gap_s 0 (one event per stay)")
    elif args.what == "crowding":
        import eval_crowding  # beside this script

        print(f"crowding on hand-counted fight-surv-akti clips at {eval_crowding.ANALYSIS_FPS:g} fps, default tuning")
        clips = eval_crowding.evaluate_crowding(args.datasets)
        for clip in clips:
            print(clip.line())
        for text in eval_crowding.summary(clips):
            print(text)
    elif args.what == "fall-oracle":
        for down_time_s in (FALL_DOWN_TIME_S, ORACLE_INSTANT_S):
            print(f"fall rule, down_time_s {down_time_s:g}, on hand-drawn boxes of the person who falls (no keypoints)")
            oracle = oracle_falls(down_time_s)
            for result in oracle:
                print("  " + result.line())
            found = sum(r.alert_s is not None for r in oracle)
            seen, boxes = sum(r.down_posture for r in oracle), sum(r.down_boxes for r in oracle)
            print(f"  falls found {found}/{len(oracle)}; on-ground boxes seen as down {seen}/{boxes}")
    elif args.what == "fall-scores":
        print(f"best person box (score, posture) at each hand-drawn box of the person who falls, IoU >= {LABEL_IOU:g}")
        results = person_scores_at_labels(args.datasets)
        for path in dict.fromkeys(r.path for r in results):
            print(f"{path:<18} " + "; ".join(r.text() for r in results if r.path == path))
        config = AppConfig().detectors["person"]
        assert isinstance(config, PersonDetectorConfig)
        for text in score_summary(results, config.threshold, Tracker().low_threshold):
            print(text)
    elif args.what == "fall-diagnose":
        print(f"person track boxes in the labelled fall clips at {FALL_FPS:g} fps (posture as the fall rule sees it)")
        for text in diagnose_falls(args.datasets):
            print(text)
    else:
        short, default = evaluate_fall(args.datasets)
        print(f"fall rule, down_time_s {FALL_DOWN_TIME_S:g}, {FALL_FPS:g} fps, person + pose detectors:")
        for text in short.lines():
            print("  " + text)
        print(
            f"fall rule as shipped (down_time_s {FallRule().down_time_s:g}, {ANALYSIS_FPS:g} fps) on the normal videos:"
        )
        print("  " + default.lines()[-2])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
