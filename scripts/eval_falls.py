"""The fall rule on real, hand-labelled knock-down clips (run through ``eval_rules.py fall | fall-diagnose |
fall-oracle | fall-scores``; see docs/models/fall.md for the protocol and the figures).

Labels: tests/data/rule_labels/fight-surv-akti-falls.json (protocol inside; dataset paths, times and a few
hand-drawn boxes, no image data).
"""

from __future__ import annotations

import csv
import itertools
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

sys.path.insert(0, str(Path(__file__).resolve().parent))

from rule_eval_common import ANALYSIS_FPS, LABELS_DIR, alerts, cached_detectors

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.detectors import PersonDetectorConfig
from gwanje.config.rules import FallRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame, Image
from gwanje.detect.person import PersonDetector
from gwanje.events.context import FrameContext
from gwanje.events.rules.fall import FallRule as FallRuleLogic
from gwanje.events.rules.posture import Posture, posture
from gwanje.ingest.source import iter_file_frames
from gwanje.runtime.analyze import AnalyzedEvent, FileAnalyzer
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.track.history import TrackSample
from gwanje.track.tracker import Tracker, box_iou

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
FloatArray = npt.NDArray[np.float32]
ZOOM = 2.0
"""fall-zoom crops a square this many times the drawn box's long side (the body plus its surroundings)."""
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


def fall_camera(down_time_s: float, fps: float) -> CameraConfig:
    return CameraConfig(
        id="fall-eval",
        source=SourceConfig(url="file"),
        analysis_fps=fps,
        detectors=["person"],  # with the pose detector declared, pose runs for the fall rule on its own
        rules=[FallRuleConfig(down_time_s=down_time_s)],
    )


def evaluate_fall(
    datasets_dir: Path,
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
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    root = datasets_dir / spec["dataset"]
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
                result = FileAnalyzer(app, settings, detectors).run(datasets_dir / videos["dataset"] / path)
                score.normal_s += result.duration_s
                score.normal_false += len(alerts(result.events, "fall"))
    finally:
        close_all(detectors)
    return short, default


def diagnose_falls(datasets_dir: Path) -> list[str]:
    """What the fall rule was given in each labelled fall clip: person track boxes and their posture, before and
    after the labelled time down. No down-posture box after the fall means no rule threshold could have fired."""
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    app = AppConfig()
    camera = fall_camera(FALL_DOWN_TIME_S, FALL_FPS)
    detectors = cached_detectors(app, camera)
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
        rule = FallRuleLogic(FallRuleConfig(down_time_s=down_time_s))
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
            if rule.evaluate_tracks(FrameContext(frame=frame, detections=tracks), tracks) and alert is None:
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


Look = Callable[[PersonDetector, Image, FloatArray], Detections]
"""How the detector looks at a labelled frame: (detector, frame, drawn box in pixels) -> people in frame pixels."""


def whole_frame(detector: PersonDetector, image: Image, drawn: FloatArray) -> Detections:
    """The product's look: the whole frame, tiled as configured."""
    return detector.detect_image(image)


def zoomed(quarter_turns: int) -> Look:
    """A look at a square crop twice the drawn box's long side, around it, turned by ``quarter_turns`` x 90 degrees
    counter-clockwise (a lying body turned upright) and scaled up to the detector's input.

    An upper bound for any probe of the place where a person landed: the crop is centred on the hand-drawn box.
    """

    def look(detector: PersonDetector, image: Image, drawn: FloatArray) -> Detections:
        height, width = image.shape[:2]
        centre, side = (drawn[:2] + drawn[2:]) / 2, ZOOM * float(np.max(drawn[2:] - drawn[:2]))
        x1, y1 = (max(0, int(c - side / 2)) for c in centre)
        x2, y2 = min(width, int(centre[0] + side / 2)), min(height, int(centre[1] + side / 2))
        crop = image[y1:y2, x1:x2]
        found = detector.detect_image(np.ascontiguousarray(np.rot90(crop, quarter_turns)))
        b, (h, w) = found.xyxy, crop.shape[:2]
        turned_back = {  # np.rot90 by k maps crop boxes to these columns; undo it
            0: b,
            1: np.stack([w - b[:, 3], b[:, 0], w - b[:, 1], b[:, 2]], axis=1),
            3: np.stack([b[:, 1], h - b[:, 2], b[:, 3], h - b[:, 0]], axis=1),
        }[quarter_turns]
        return Detections.from_arrays(turned_back + np.array([x1, y1, x1, y1], np.float32), found.confidence, "person")

    return look


def person_scores_at_labels(
    datasets_dir: Path, floor: float = SCORE_FLOOR, look: Look = whole_frame, tiles: str | None = None
) -> list[LabelScore]:
    """The person detector, run with threshold ``floor``, at each hand-drawn box of the falls (frame nearest in time).

    ``look`` chooses what the detector is shown; ``tiles`` overrides the detector's tiling (zoomed crops: "none").
    """
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    config = AppConfig().detectors["person"]
    assert isinstance(config, PersonDetectorConfig)
    update: dict[str, object] = {"threshold": floor} | ({} if tiles is None else {"tiles": tiles})
    detector = PersonDetector("person", config.model_copy(update=update))
    results: list[LabelScore] = []
    try:
        for fall in spec["falls"]:
            width, height = fall["size"]
            scale = np.array([width, height, width, height], np.float32)
            drawn = [(False, t, b) for t, b in fall["upright_boxes"]] + [(True, t, b) for t, b in fall["down_boxes"]]
            for frame in iter_file_frames(datasets_dir / spec["dataset"] / fall["path"], FALL_FPS):
                here = [d for d in drawn if abs(d[1] - frame.pts_s) <= 0.5 / FALL_FPS]
                for on_ground, _, box in here:
                    pixels = np.asarray(box, np.float32) * scale
                    people = look(detector, frame.image, pixels)
                    iou = box_iou(pixels[None], people.xyxy)[0]
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


def _grey_frames(path: Path) -> list[npt.NDArray[np.float32]]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray").astype(np.float32) for f in container.decode(video=0)]


def continuity(datasets_dir: Path) -> list[str]:
    """Is the clip after each fall clip (same source video) its continuation? Mean grey-level jump from the fall
    clip's last frame to the next clip's first, against the mean jump between the fall clip's own frames."""
    spec = json.loads((LABELS_DIR / "fight-surv-akti-falls.json").read_text())
    root = datasets_dir / spec["dataset"]
    rows = list(csv.DictReader((root / "labels.csv").open()))
    lines = []
    for fall in spec["falls"]:
        index = next(i for i, r in enumerate(rows) if r["path"] == fall["path"])
        following = rows[index + 1] if index + 1 < len(rows) else None
        if following is None or following["source_video"] != rows[index]["source_video"]:
            lines.append(f"{fall['path']:<18} no following clip from the same source video")
            continue
        own, after = _grey_frames(root / fall["path"]), _grey_frames(root / following["path"])
        inside = float(np.mean([np.abs(b - a).mean() for a, b in itertools.pairwise(own)]))
        if after[0].shape != own[-1].shape:
            lines.append(f"{fall['path']:<18} next clip {following['path']} has another frame size")
            continue
        jump = float(np.abs(after[0] - own[-1]).mean())
        lines.append(
            f"{fall['path']:<18} next clip {following['path']}: jump {jump:.1f}, within the clip {inside:.1f} "
            f"(x{jump / inside:.1f})"
        )
    return lines


DRAWN_SECONDS = 14.0
"""fall-drawn: length of the drawn collapse clip analysed with the defaults (the figure lies flat from 4.6 s)."""
DRAWN_ANGLES = (0, 30, 60, 80, 90)
"""fall-drawn: how far (degrees) the drawn figure has turned towards lying flat."""


def drawn_collapse_scores() -> tuple[list[tuple[int, float]], list[float]]:
    """The person detector's best score on the drawn collapse (tests/support/collapse.py) at DRAWN_ANGLES, and on
    every fifth frame (6 fps, each of the scene's 4 noise patterns in turn) of the 5 s it then lies flat."""
    sys.path.insert(0, str(LABELS_DIR.parents[2]))
    from tests.support.collapse import CollapseScene  # the scene the flow and detector tests use

    scene = CollapseScene(fps=30.0)
    frames = scene.frames(scene.down_s() + 5.0)
    config = AppConfig().detectors["person"]
    assert isinstance(config, PersonDetectorConfig)
    detector = PersonDetector("person", config.model_copy(update={"threshold": SCORE_FLOOR}))

    def best(image: Image) -> float:
        found = detector.detect_image(image)
        return float(found.confidence.max()) if len(found) else 0.0

    try:
        turning = [
            (a, best(frames[round((scene.collapse_s + a / 90 * scene.fall_s) * scene.fps)])) for a in DRAWN_ANGLES
        ]
        lying = [best(image) for image in frames[round(scene.down_s() * scene.fps) :: 5]]  # every sensor noise
        return turning, lying
    finally:
        detector.close()


def drawn_collapse_falls() -> list[AnalyzedEvent]:
    """The drawn collapse written as an H.264 clip (10 fps) and analysed like `gwanje analyze` with the shipped
    defaults and a fall rule: the events it raises."""
    sys.path.insert(0, str(LABELS_DIR.parents[2]))
    from tests.support.collapse import CollapseScene
    from tests.support.media import write_clip

    scene = CollapseScene(fps=10.0)
    app = AppConfig()
    camera = fall_camera(FallRuleConfig().down_time_s, ANALYSIS_FPS)
    detectors = build_detectors(app, [camera])
    with tempfile.TemporaryDirectory() as folder:
        clip = write_clip(Path(folder) / "collapse.mp4", scene.frames(DRAWN_SECONDS), fps=round(scene.fps))
        try:
            return FileAnalyzer(app, camera, detectors).run(clip).events
        finally:
            close_all(detectors)


def report(what: str, datasets_dir: Path, detector_threshold: float | None = None, pose: bool = True) -> None:
    """Print one fall evaluation: ``fall``, ``fall-diagnose``, ``fall-oracle``, ``fall-scores``, ``fall-zoom``,
    ``fall-continuity`` or ``fall-drawn``."""
    if what == "fall-oracle":
        for down_time_s in (FALL_DOWN_TIME_S, ORACLE_INSTANT_S):
            print(f"fall rule, down_time_s {down_time_s:g}, on hand-drawn boxes of the person who falls (no keypoints)")
            oracle = oracle_falls(down_time_s)
            for result in oracle:
                print("  " + result.line())
            found = sum(r.alert_s is not None for r in oracle)
            seen, boxes = sum(r.down_posture for r in oracle), sum(r.down_boxes for r in oracle)
            print(f"  falls found {found}/{len(oracle)}; on-ground boxes seen as down {seen}/{boxes}")
    elif what == "fall-scores":
        print(f"best person box (score, posture) at each hand-drawn box of the person who falls, IoU >= {LABEL_IOU:g}")
        results = person_scores_at_labels(datasets_dir)
        for path in dict.fromkeys(r.path for r in results):
            print(f"{path:<18} " + "; ".join(r.text() for r in results if r.path == path))
        config = AppConfig().detectors["person"]
        assert isinstance(config, PersonDetectorConfig)
        for text in score_summary(results, config.threshold, Tracker().low_threshold):
            print(text)
    elif what == "fall-zoom":
        print(f"best person box at each hand-drawn on-ground box, detector shown a {ZOOM:g}x crop around it")
        config = AppConfig().detectors["person"]
        assert isinstance(config, PersonDetectorConfig)
        for turns, name in ((0, "upright crop"), (1, "crop turned 90 deg left"), (3, "crop turned 90 deg right")):
            results = person_scores_at_labels(datasets_dir, look=zoomed(turns), tiles="none")
            print(f"{name}: " + "; ".join(score_summary(results, config.threshold, Tracker().low_threshold)))
    elif what == "fall-drawn":
        turning, lying = drawn_collapse_scores()
        print("best person score on the drawn collapse, by how far the figure has turned (degrees)")
        print("  ".join(f"{angle}: {score:.2f}" for angle, score in turning))
        print(f"lying flat, {len(lying)} frames over 5 s: {min(lying):.2f}-{max(lying):.2f}")
        print(f"the {DRAWN_SECONDS:g}-s clip, shipped defaults and a fall rule ({ANALYSIS_FPS:g} fps):")
        for event in drawn_collapse_falls():
            end = "the end" if event.end_s is None else f"{event.end_s:.1f} s"
            print(f"  {event.type} from {event.start_s:.1f} s (alert {event.alert_s:.1f} s) to {end}")
    elif what == "fall-continuity":
        print("grey-level jump into the next clip of the same source video, against the jumps inside the fall clip")
        for text in continuity(datasets_dir):
            print(text)
    elif what == "fall-diagnose":
        print(
            f"camera track boxes (threshold 0.4) in the labelled fall clips at {FALL_FPS:g} fps, posture as the fall rule judges it"
        )
        for text in diagnose_falls(datasets_dir):
            print(text)
    else:
        short, default = evaluate_fall(datasets_dir, detector_threshold=detector_threshold, pose=pose)
        threshold = "" if detector_threshold is None else f" (threshold {detector_threshold:g} for every rule)"
        detectors = "person" + threshold + (" + pose" if pose else "")
        print(f"fall rule, down_time_s {FALL_DOWN_TIME_S:g}, {FALL_FPS:g} fps, {detectors} detectors:")
        for text in short.lines():
            print("  " + text)
        print(
            f"fall rule as shipped (down_time_s {FallRuleConfig().down_time_s:g}, {ANALYSIS_FPS:g} fps) on the normal videos:"
        )
        print("  " + default.lines()[-2])
