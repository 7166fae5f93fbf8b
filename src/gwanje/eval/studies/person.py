"""Recall and precision of the person detector on hand-labelled dataset frames, and its cost per frame.

    gwanje study person eval      # recall / precision at IoU >= 0.4 per tiling mode
    gwanje study person bench     # ms per 1280x720 frame (1 thread) per tiling mode, and pose ms per person
    gwanje study person tracked [--no-motion-gate] [--track-high 0.5]   # the same frames through the camera pipeline

Labels: ``labels/person/*.json`` beside this module (protocol inside). A detection is a hit when its IoU with a
still unmatched labelled person is >= 0.4 (highest score first); a detection on an "ignore" region (IoU >= 0.4, or
at least 60 % of it inside the region) is not counted; every other detection is a false positive. Thresholds are
the configured defaults, never tuned on these frames. Frames are decoded by ``gwanje.ingest`` as in the service.
"""

from __future__ import annotations

import argparse
import json
import os
from collections import defaultdict
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.config.camera import CameraConfig, MotionConfig, SourceConfig
from gwanje.config.datasets import dataset
from gwanje.config.detectors import PersonDetectorConfig, PoseDetectorConfig, RuntimeConfig
from gwanje.config.rules import FallRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.detect.ops import box_iou
from gwanje.detect.person import PersonDetector
from gwanje.detect.pose import PoseAnalyzer
from gwanje.detect.registry import build_detector
from gwanje.eval.bench import median_call_ms
from gwanje.eval.metrics import TypeMetrics, match_boxes
from gwanje.eval.studies.common import LABELS_DIR, every_frame, frame_rate, require_dataset
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.track.camera import tracker_from

PERSON_LABELS = LABELS_DIR / "person"
MATCH_IOU = 0.4
IGNORE_INSIDE = 0.6
SIZE_BUCKETS = ((0, 48), (48, 96), (96, 192), (192, 10_000))

MODES: dict[str, dict[str, Any]] = {
    "none": {"tiles": "none"},
    "auto": {"tiles": "auto"},
    "auto+full": {"tiles": "auto", "full_frame": True},
    "tiles>=4:3": {"tiles": "auto", "tile_min_aspect": 1.3},
    "tiles>=4:3+full": {"tiles": "auto", "tile_min_aspect": 1.3, "full_frame": True},
}
"""Configurations compared: the default (auto: tiles on frames at least 1.5:1), none, and variations."""
FALL_FAINT = FallRuleConfig().person_threshold
"""bench: the floor down to which a camera with a fall rule has the detector report faint people."""
TRACK_FPS = 5.0
"""tracked: the default analysis rate."""
WARMUP_S = 3.0
"""tracked: seconds of the clip run before each labelled frame (a track needs 2 frames to be confirmed)."""
BENCH_VIDEO = ("normal-cctv-intel-samples", "one-by-one-person-detection.mp4", 300)
"""bench: the frame timed (dataset, file, decode index); a random image when the dataset is absent."""

Boxes = npt.NDArray[np.float32]


@dataclass(frozen=True)
class LabelledFrame:
    dataset: str
    path: str
    frame_index: int
    people: Boxes
    ignore: Boxes
    frame: Frame | None = None
    """The decoded frame (None where only the labels are needed)."""


@dataclass
class Score:
    """Hits, false positives and labelled people summed over frames; figures come from ``metrics``."""

    hits: int = 0
    false_positives: int = 0
    labelled: int = 0

    @property
    def metrics(self) -> TypeMetrics:
        """As ``gwanje eval`` counts: a hit is a true positive, a labelled person not hit a false negative."""
        return TypeMetrics(tp=self.hits, fp=self.false_positives, fn=self.labelled - self.hits, tn=0)


PerSize = defaultdict[tuple[int, int], Score]


def _label_files() -> list[dict[str, Any]]:
    return [json.loads(path.read_text()) for path in sorted(PERSON_LABELS.glob("*.json"))]


def _labelled(spec: dict[str, Any], entry: dict[str, Any], frame: Frame | None) -> LabelledFrame:
    return LabelledFrame(
        spec["dataset"],
        entry["path"],
        entry["frame_index"],
        np.asarray(entry["people"], np.float32).reshape(-1, 4),
        np.asarray(entry["ignore"], np.float32).reshape(-1, 4),
        frame,
    )


def load_frames() -> list[LabelledFrame]:
    """Every labelled frame, decoded once per video (frame_index counts decoded frames from 0)."""
    frames: list[LabelledFrame] = []
    for spec in _label_files():
        wanted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in spec["frames"]:
            wanted[entry["path"]].append(entry)
        root = require_dataset(spec["dataset"])
        for relative, entries in wanted.items():
            by_index = {e["frame_index"]: e for e in entries}
            video = root / relative
            for index, frame in every_frame(video):
                if index in by_index:
                    entry = by_index.pop(index)
                    height, width = frame.image.shape[:2]
                    if (width, height) != (entry["width"], entry["height"]):
                        raise ValueError(f"{video} frame {index}: size {width}x{height} differs from the labelled "
                                         f"{entry['width']}x{entry['height']}")  # fmt: skip
                    frames.append(_labelled(spec, entry, frame))
                if not by_index:
                    break
            if by_index:
                raise ValueError(f"{video} has no frames {sorted(by_index)}")
    return frames


def score_frame(detections: Detections, frame: LabelledFrame, score: Score, per_size: PerSize) -> None:
    """Add one frame's hits, false positives and labelled people to the totals (see the module docstring)."""
    result = match_boxes(detections.xyxy, detections.confidence, frame.people, MATCH_IOU)
    matched = result.labels_hit
    score.hits += int(result.detections_hit.sum())
    score.false_positives += sum(
        not _on_ignore_region(box, frame.ignore) for box in detections.xyxy[~result.detections_hit]
    )
    score.labelled += len(frame.people)
    heights = frame.people[:, 3] - frame.people[:, 1]
    for bucket in SIZE_BUCKETS:
        inside = (heights >= bucket[0]) & (heights < bucket[1])
        per_size[bucket].labelled += int(inside.sum())
        per_size[bucket].hits += int((inside & matched).sum())


def _on_ignore_region(box: Boxes, ignore: Boxes) -> bool:
    if not len(ignore):
        return False
    if box_iou(box[None], ignore).max() >= MATCH_IOU:
        return True
    top_left = np.maximum(box[:2], ignore[:, :2])
    bottom_right = np.minimum(box[2:], ignore[:, 2:])
    inside = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
    area = max(float(np.prod(box[2:] - box[:2])), 1e-6)
    return bool(inside.max() / area >= IGNORE_INSIDE)


def _person_config(**update: Any) -> PersonDetectorConfig:
    config = AppConfig().detectors["person"]
    assert isinstance(config, PersonDetectorConfig)
    return config.model_copy(update=update)


def evaluate(frames: list[LabelledFrame], mode: str, model: Path | None = None) -> tuple[Score, PerSize]:
    """The person detector (the shipped model, or ``model``) with one tiling mode of MODES, called as the pipeline
    calls it."""
    detector = build_detector("person", _person_config(model_path=model, **MODES[mode]))
    assert isinstance(detector, Detector)
    score, per_size = Score(), PerSize(Score)
    try:
        for frame in frames:
            assert frame.frame is not None
            score_frame(detector.detect([frame.frame])[0], frame, score, per_size)
    finally:
        detector.close()
    return score, per_size


def run_eval(model: Path | None = None) -> None:
    frames = load_frames()
    people = sum(len(f.people) for f in frames)
    print(f"{len(frames)} labelled frames, {people} people; IoU >= {MATCH_IOU}, threshold {_person_config().threshold}")
    buckets = "  ".join(f"h{lo}-{hi if hi < 10_000 else ''}" for lo, hi in SIZE_BUCKETS)
    print(f"{'mode':<16} {'recall':>6} {'prec.':>6} {'hits':>5} {'FP':>4}  recall by person height: {buckets}")
    for mode in MODES:
        score, per_size = evaluate(frames, mode, model)
        sizes = "  ".join(f"{per_size[b].hits}/{per_size[b].labelled}" for b in SIZE_BUCKETS)
        m = score.metrics
        print(f"{mode:<16} {m.recall:6.3f} {m.precision:6.3f} {score.hits:5d} {score.false_positives:4d}  {sizes}")


def tracked_at_labels(track_high: float | None, motion_gate: bool = True) -> tuple[Score, Score]:
    """Detected and tracked people at every labelled frame, through the camera pipeline of the service.

    Each labelled frame ends a run of the WARMUP_S before it at TRACK_FPS through a fresh ``CameraPipeline``
    (person detector, motion gate, the camera's tracker). ``track_high``: score instead the tracks of a tracker
    whose confident band starts there, fed the same detections (the fixed 0.5 of the past). ``motion_gate=False``
    runs the detector on every analysed frame (the camera setting ``motion.enabled: false``), so that "detected"
    is the detector's own answer at the labelled frame and the tracker is measured alone.
    """
    app = AppConfig()
    camera = CameraConfig(
        id="labels",
        source=SourceConfig(url="file"),
        detectors=["person"],
        motion=MotionConfig(enabled=motion_gate),
    )
    detectors = build_detectors(app, [camera])
    detected, tracked, per_size = Score(), Score(), PerSize(Score)
    try:
        for spec in _label_files():
            root = require_dataset(spec["dataset"])
            for entry in spec["frames"]:
                pipeline = CameraPipeline(app, camera, detectors)
                other = None if track_high is None else tracker_from(track_high)
                label = _labelled(spec, entry, None)
                rate = frame_rate(root / entry["path"])
                step = max(1, round(rate / TRACK_FPS))
                for index, frame in every_frame(root / entry["path"]):
                    behind = label.frame_index - index
                    if behind % step or behind > WARMUP_S * rate:
                        continue
                    context = pipeline.process(frame).context
                    tracks = context.tracks if other is None else other.update(context.detections, frame.pts_s)
                    if behind == 0:
                        score_frame(context.detections, label, detected, per_size)
                        score_frame(tracks, label, tracked, per_size)
                        break
    finally:
        close_all(detectors)
    return detected, tracked


def _bench_frame() -> Frame:
    name, relative, wanted = BENCH_VIDEO
    image = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    video = dataset(name) / relative
    if video.is_file():
        for index, frame in every_frame(video):
            if index == wanted:
                image = np.asarray(cv2.resize(frame.image, (1280, 720)), dtype=np.uint8)
                break
    return Frame(camera_id="bench", seq=0, pts_s=0.0, wall_time=0.0, image=image)


def run_bench(repeats: int, threads: int, model: Path | None = None) -> None:
    runtime = RuntimeConfig(intra_op_threads=threads)
    frame = _bench_frame()
    print(f"1280x720 frame, {threads} thread(s), min over 3 rounds of the median of {repeats} runs "
          f"(pre-processing + inference + decoding); load average now {os.getloadavg()[0]:.1f}; "
          f"model {model or 'shipped'}")  # fmt: skip
    people = Detections.empty()
    for mode, faint in (("none", None), ("auto", None), ("auto", FALL_FAINT), ("auto+full", None)):
        config = _person_config(runtime=runtime, model_path=model, **MODES[mode])
        detector = PersonDetector("person", config, floor=faint)
        calls = len(detector.regions(1280, 720))
        ms = median_call_ms(partial(detector.detect, [frame]), repeats)
        people = detector.detect([frame])[0] if mode == "auto" and faint is None else people
        name = mode if faint is None else f"{mode}, faint from {faint:g} (a camera with a fall rule)"
        print(f"person {name:<10} {calls} call(s): {ms:7.1f} ms per frame")
        detector.close()
    pose = PoseAnalyzer("pose", PoseDetectorConfig(runtime=runtime, max_people=1))
    person = people[np.argsort(-people.area)[:1]] if len(people) else Detections.from_arrays(
        [[400, 100, 640, 700]], [0.9], "person")  # fmt: skip
    ms = median_call_ms(lambda: pose.analyze(frame, person), repeats)
    print(f"pose (BlazePose full), standing person: {ms:7.1f} ms per person")
    lying = Detections.from_arrays([[300, 400, 900, 640]], [0.9], "person")
    ms = median_call_ms(lambda: pose.analyze(frame, lying), repeats)
    print(f"pose, box wider than tall (3 calls):   {ms:7.1f} ms per person")
    pose.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("command", choices=["eval", "bench", "tracked"])
    parser.add_argument("--repeats", type=int, default=20, help="bench: timed runs per configuration")
    parser.add_argument("--threads", type=int, default=1, help="bench: ONNX Runtime intra-op threads")
    parser.add_argument("--model", type=Path, help="eval, bench: another person ONNX file (default: the shipped one)")
    parser.add_argument(
        "--track-high", type=float, help="tracked: the tracker's high threshold (default: the camera's)"
    )
    parser.add_argument(
        "--no-motion-gate", action="store_true", help="tracked: detect on every analysed frame (motion.enabled: false)"
    )


def run(args: argparse.Namespace) -> int:
    if args.command == "tracked":
        detected, tracked = tracked_at_labels(args.track_high, motion_gate=not args.no_motion_gate)
        band = "the detector's threshold" if args.track_high is None else f"{args.track_high:g}"
        gate = "off" if args.no_motion_gate else "on"
        print(f"{TRACK_FPS:g} fps, {WARMUP_S:g} s before each labelled frame, motion gate {gate}; tracker's confident "
              f"band from {band}")  # fmt: skip
        for name, score in (("detected", detected), ("tracked", tracked)):
            m = score.metrics
            print(f"{name:<9} recall {m.recall:.3f} precision {m.precision:.3f} hits {score.hits} "
                  f"false {score.false_positives} of {score.labelled} people")  # fmt: skip
    elif args.command == "eval":
        run_eval(args.model)
    else:
        run_bench(args.repeats, args.threads, args.model)
    return 0
