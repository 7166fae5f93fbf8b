"""`gwanje study fight MODE`: the fight card's figures, through the service's camera pipeline.

    gwanje study fight [--fps F] clips  [--people]   held-out clips: F1, recall, FPR, time to alert
    gwanje study fight [--fps F] normal [--people]   normal footage: frames with a fight detection, false events
    gwanje study fight [--fps F] boxes              every fight clip: how much of the frame the evidence box covers
    gwanje study fight bench [--seconds S]          CPU cost of the fight analyser per frame and per model call

Every video is decoded by ingest's file reader (the one `gwanje analyze` uses) and every analysed frame goes
through ``CameraPipeline``: motion gate, detectors, the service's tracker, the fight analyser, the detection rule
and the event engine with the default tuning. There is no frame cache: the held-out set is about 500 analysed
frames, so the live run takes a minute or two. The trainer's own held-out row (its sampler and clip metric) is
printed by `gwanje train fight` and re-checked with ONNX Runtime by ``tests/detect/test_fight_regression.py``.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.datasets import dataset
from gwanje.config.detectors import FightDetectorConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.events import EventState, EventType
from gwanje.core.frame import Frame
from gwanje.detect.fight import FightAnalyzer
from gwanje.detect.fight_features import WINDOW_DIM
from gwanje.detect.onnx_session import packaged_model
from gwanje.eval.manifest import ManifestRow
from gwanje.eval.metrics import Alert, ItemResult, confusion, false_alerts_per_hour, percentile, times_to_alert
from gwanje.ingest.source import iter_file_frames, probe_duration
from gwanje.runtime.detectors import AnyDetector, build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline, FrameResult

FPS = 5.0
"""The cameras' default analysis rate, which the model was trained at."""
FIGHT = EventType.FIGHT.value
METRICS_FILE = "fight.metrics.json"
"""Shipped beside the model: its settings, figures and the source videos held out of training."""


@dataclass(frozen=True)
class LabelledClip:
    path: Path
    fight: bool
    source_video: str


def read_clips(folder: Path) -> list[LabelledClip]:
    """The clips a ``fight-surv-akti``-shaped folder lists in ``labels.csv`` (path, label, source_video)."""
    with (folder / "labels.csv").open(newline="", encoding="utf-8") as fh:
        return [LabelledClip(folder / r["path"], r["label"] == "fight", r["source_video"]) for r in csv.DictReader(fh)]


def held_out_videos(metrics_file: Path | None = None) -> frozenset[str]:
    """Source videos the shipped model never saw (listed in its figures file at training time)."""
    saved = json.loads((metrics_file or packaged_model(METRICS_FILE)).read_text())
    return frozenset(saved["holdout"]["source_videos"])


@dataclass
class VideoRun:
    """What the camera pipeline made of one video."""

    frames: int = 0
    fight_frames: int = 0
    """Analysed frames with a fight detection (before the event engine's confirmation)."""
    alerts: list[Alert] = field(default_factory=list)
    """One per fight event, at the frame the event started (when the operator is told)."""
    box_shares: list[float] = field(default_factory=list)
    """Area of each fight detection's box as a share of the frame."""
    whole_frame_boxes: int = 0
    duration_s: float = 0.0

    def add(self, frame: Frame, result: FrameResult) -> None:
        self.frames += 1
        fights = result.context.detections.with_label(FIGHT)
        self.fight_frames += len(fights) > 0
        for x1, y1, x2, y2 in fights.xyxy:
            self.box_shares.append(float((x2 - x1) * (y2 - y1)) / (frame.width * frame.height))
            self.whole_frame_boxes += bool(x1 <= 0 and y1 <= 0 and x2 >= frame.width and y2 >= frame.height)
        for ev in result.events:
            if ev.state is EventState.START and ev.event_type.value == FIGHT:
                self.alerts.append(Alert(FIGHT, frame.pts_s, ev.start_pts_s, None, ev.peak_confidence))


class FightRig:
    """The models loaded once; a fresh ``CameraPipeline`` per video, as `gwanje analyze` makes one per file."""

    def __init__(
        self, fps: float = FPS, model: Path | None = None, person_detector: bool = False, require_people: bool = False
    ) -> None:
        defaults = AppConfig()
        fight = FightDetectorConfig(model_path=model, require_people=require_people)
        self.app = defaults.model_copy(update={"detectors": {**defaults.detectors, "fight": fight}})
        names = ["person", "fight"] if person_detector or require_people else ["fight"]
        self.camera = CameraConfig(id="study", source=SourceConfig(url="file"), analysis_fps=fps, detectors=names)
        self.detectors: dict[str, AnyDetector] = build_detectors(self.app, [self.camera])

    def run(self, path: Path) -> VideoRun:
        pipeline = CameraPipeline(self.app, self.camera, self.detectors)
        out = VideoRun()
        last: Frame | None = None
        for frame in iter_file_frames(path, self.camera.analysis_fps, camera_id=self.camera.id):
            out.add(frame, pipeline.process(frame))
            last = frame
        pipeline.close(last)
        out.duration_s = probe_duration(path) or (last.pts_s if last else 0.0)
        return out

    def close(self) -> None:
        close_all(self.detectors)


def item_result(index: int, path: Path, fight: bool | None, run: VideoRun) -> ItemResult:
    """One video as `gwanje eval` scores it: positive when a fight event was raised anywhere in it.

    ``fight=None`` marks unlabelled footage (counted for false alerts per hour only).
    """
    row = ManifestRow(index, path, frozenset({FIGHT} if fight else ()), None, None)
    return ItemResult(
        row=row,
        scores={FIGHT: max((a.confidence for a in run.alerts), default=0.0)},
        predicted={FIGHT} if run.alerts else set(),
        alerts=list(run.alerts),
        duration_s=run.duration_s,
    )


def _with_rig(args: argparse.Namespace, work: Callable[[FightRig], None], person_detector: bool = False) -> int:
    rig = FightRig(args.fps, args.model, person_detector=person_detector, require_people=args.people)
    try:
        work(rig)
    finally:
        rig.close()
    return 0


def cmd_clips(args: argparse.Namespace) -> int:
    held = held_out_videos()
    clips = [c for c in read_clips(args.data) if c.source_video in held]
    if not clips:
        raise SystemExit(f"no clip of the held-out source videos is listed in {args.data / 'labels.csv'}")

    def work(rig: FightRig) -> None:
        results = [item_result(i, c.path, c.fight, rig.run(c.path)) for i, c in enumerate(clips)]
        m = confusion(results, FIGHT)
        delays = times_to_alert(results, FIGHT)
        print(f"held-out clips {len(clips)} ({sum(c.fight for c in clips)} fight) at {args.fps:g} fps, "
              f"people required: {args.people}")  # fmt: skip
        print(f"TP {m.tp}  FP {m.fp}  FN {m.fn}  TN {m.tn}")
        print(f"f1 {m.f1:.3f}  precision {m.precision:.3f}  recall {m.recall:.3f}  fpr {m.fpr:.3f}")
        median, p95 = percentile(delays, 50), percentile(delays, 95)
        if median is not None and p95 is not None:
            print(f"time to alert from the clip start: median {median:.2f} s, p95 {p95:.2f} s")

    return _with_rig(args, work)


def cmd_normal(args: argparse.Namespace) -> int:
    videos = sorted(args.data.glob("*.mp4"))
    if not videos:
        raise SystemExit(f"no .mp4 in {args.data}")

    def work(rig: FightRig) -> None:
        runs = [rig.run(p) for p in videos]
        for path, run in zip(videos, runs, strict=True):
            print(f"{path.name}: {run.duration_s:.0f} s, {run.frames} frames analysed, {len(run.alerts)} fight events")
        frames, positives = sum(r.frames for r in runs), sum(r.fight_frames for r in runs)
        rate = false_alerts_per_hour(
            [item_result(i, p, None, r) for i, (p, r) in enumerate(zip(videos, runs, strict=True))], [FIGHT]
        )
        print(f"frames {frames}, frames with a fight detection {positives} ({positives / max(frames, 1):.1%})")
        per_hour = rate["per_hour"]
        seconds = 3600 * rate["hours_of_unlabelled_video"]
        print(f"fight events {rate['alerts']} in {seconds:.0f} s" + (f" = {per_hour:.1f} per hour" if per_hour else ""))

    return _with_rig(args, work)


def cmd_boxes(args: argparse.Namespace) -> int:
    clips = [c for c in read_clips(args.data) if c.fight]

    def work(rig: FightRig) -> None:
        runs = [rig.run(c.path) for c in clips]
        shares = [s for r in runs for s in r.box_shares]
        whole = sum(r.whole_frame_boxes for r in runs)
        print(f"fight detections on the {len(clips)} fight clips at {args.fps:g} fps: {len(shares)}; "
              f"whole-frame boxes {whole}")  # fmt: skip
        if shares:
            print(f"box area as a share of the frame: median {np.median(shares):.2f}, "
                  f"90th percentile {np.percentile(shares, 90):.2f}")  # fmt: skip

    return _with_rig(args, work, person_detector=True)


def _looped_720p(path: Path, count: int) -> list[Frame]:
    """``count`` frames of a clip as the camera samples it (5 fps), scaled to 1280x720 and looped (clips are ~2 s)."""
    images = [np.asarray(cv2.resize(f.image, (1280, 720)), np.uint8) for f in iter_file_frames(path, FPS, "bench")]
    return [Frame("bench", i, i / FPS, 1e9 + i / FPS, images[i % len(images)]) for i in range(count)]


def cmd_bench(args: argparse.Namespace) -> int:
    clips = read_clips(args.data)
    fight_clip = next(c.path for c in clips if c.fight)
    calm_clip = next(c.path for c in clips if not c.fight)
    n = int(args.seconds * FPS)
    still = np.full((720, 1280, 3), 90, np.uint8)
    scenes: dict[str, tuple[list[Frame], dict[str, float]]] = {
        "quiet camera (static frames)": ([Frame("bench", i, i / FPS, 1e9 + i / FPS, still) for i in range(n)], {}),
        f"no_fight clip {calm_clip.name} (default trigger)": (_looped_720p(calm_clip, n), {}),
        f"fight clip {fight_clip.name}, model every frame": (
            _looped_720p(fight_clip, n),
            {"threshold": 0.0, "trigger_changed_fraction": 0.0},
        ),
    }
    print(f"frames 1280x720, {FPS:g} fps, {n} frames per scene, ONNX Runtime 1 thread")
    for name, (frames, overrides) in scenes.items():
        analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=args.model, **overrides))
        started = time.process_time()  # CPU time, so other load on the machine matters little
        for frame in frames:
            analyzer.analyze(frame, Detections.empty())
        ms = (time.process_time() - started) / len(frames) * 1e3
        print(f"{name:<52} {ms:6.2f} ms CPU per frame = {ms * FPS / 1e3:6.1%} of a core")
        analyzer.close()
    analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=args.model))
    x = np.random.default_rng(0).random((1, WINDOW_DIM), dtype=np.float32)
    calls = 1000
    started = time.process_time()
    for _ in range(calls):
        analyzer.score(x)
    print(f"model call per window: {(time.process_time() - started) / calls * 1e3:.3f} ms CPU")
    analyzer.close()
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--model", type=Path, default=None, help="ONNX file (default: the packaged model)")
    parser.add_argument("--fps", type=float, default=FPS, help="camera analysis rate (default 5)")
    modes = parser.add_subparsers(dest="mode", metavar="MODE", required=True)
    fight_data = dataset("fight-surv-akti")
    for name, func, data, help_text in (
        ("clips", cmd_clips, fight_data, "held-out clips: F1, recall, FPR, time to alert"),
        ("normal", cmd_normal, dataset("normal-cctv-intel-samples"), "false alarms on normal footage"),
        ("boxes", cmd_boxes, fight_data, "share of the frame the fight box covers, on every fight clip"),
        ("bench", cmd_bench, fight_data, "CPU cost of the fight analyser"),
    ):
        p = modes.add_parser(name, help=help_text)
        p.add_argument(
            "--data", type=Path, default=data, help=f"dataset folder (default: {data.name} in GWANJE_DATASETS)"
        )
        if name in ("clips", "normal"):
            p.add_argument("--people", action="store_true", help="run the person detector and set require_people")
        if name == "bench":
            p.add_argument("--seconds", type=float, default=20.0, help="frames per scene, in seconds at 5 fps")
        p.set_defaults(mode_func=func, people=False)


def run(args: argparse.Namespace) -> int:
    func: Callable[[argparse.Namespace], int] = args.mode_func
    return func(args)
