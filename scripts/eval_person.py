"""Recall and precision of the person detector on hand-labelled dataset frames, and its cost per frame.

    python scripts/eval_person.py eval    # recall / precision at IoU >= 0.4 per tiling mode (needs ../shared/datasets)
    python scripts/eval_person.py bench   # ms per 1280x720 frame (1 thread) per tiling mode, and pose ms per person
    python scripts/eval_person.py tracked [--track-high 0.5]   # the same frames, detected vs tracked at 5 fps

Labels: tests/data/person_labels/*.json (protocol inside). A detection is a hit when its IoU with a still unmatched
labelled person is >= 0.4 (highest score first); a detection on an "ignore" region (IoU >= 0.4, or at least 60 % of
it inside the region) is not counted; every other detection is a false positive. Thresholds are the configured
defaults, never tuned on these frames.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gwanje.config.camera import CameraConfig, SourceConfig  # noqa: E402
from gwanje.config.detectors import PersonDetectorConfig, PoseDetectorConfig, RuntimeConfig  # noqa: E402
from gwanje.config.rules import FallRuleConfig  # noqa: E402
from gwanje.config.schema import AppConfig  # noqa: E402
from gwanje.core.detections import Detections  # noqa: E402
from gwanje.detect.ops import box_iou  # noqa: E402
from gwanje.detect.person import PersonDetector  # noqa: E402
from gwanje.detect.pose import PoseAnalyzer  # noqa: E402
from gwanje.track.camera import camera_tracker  # noqa: E402
from gwanje.track.tracker import Tracker  # noqa: E402

LABELS_DIR = REPO / "tests" / "data" / "person_labels"
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
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


@dataclass(frozen=True)
class LabelledFrame:
    dataset: str
    path: str
    frame_index: int
    people: np.ndarray[Any, Any]
    ignore: np.ndarray[Any, Any]
    image: np.ndarray[Any, Any]


@dataclass
class Score:
    hits: int = 0
    false_positives: int = 0
    labelled: int = 0

    @property
    def recall(self) -> float:
        return self.hits / self.labelled if self.labelled else 0.0

    @property
    def precision(self) -> float:
        found = self.hits + self.false_positives
        return self.hits / found if found else 1.0


def load_frames(datasets_dir: Path) -> list[LabelledFrame]:
    """Every labelled frame, decoded once per video (frame_index counts decoded frames from 0)."""
    frames: list[LabelledFrame] = []
    for label_file in sorted(LABELS_DIR.glob("*.json")):
        spec = json.loads(label_file.read_text())
        wanted: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for entry in spec["frames"]:
            wanted[entry["path"]].append(entry)
        for relative, entries in wanted.items():
            by_index = {e["frame_index"]: e for e in entries}
            video = datasets_dir / spec["dataset"] / relative
            with av.open(str(video)) as container:
                for index, decoded in enumerate(container.decode(video=0)):
                    if index in by_index:
                        entry = by_index.pop(index)
                        image = decoded.to_ndarray(format="bgr24")
                        if (image.shape[1], image.shape[0]) != (entry["width"], entry["height"]):
                            raise SystemExit(f"{video} frame {index}: size {image.shape[1]}x{image.shape[0]} "
                                             f"differs from the labelled {entry['width']}x{entry['height']}")  # fmt: skip
                        frames.append(LabelledFrame(
                            spec["dataset"], relative, index,
                            np.asarray(entry["people"], np.float32).reshape(-1, 4),
                            np.asarray(entry["ignore"], np.float32).reshape(-1, 4),
                            image,
                        ))  # fmt: skip
                    if not by_index:
                        break
            if by_index:
                raise SystemExit(f"{video} has no frames {sorted(by_index)}")
    return frames


def score_frame(
    detections: Detections, frame: LabelledFrame, score: Score, per_size: dict[tuple[int, int], Score]
) -> None:
    """Add one frame's hits, false positives and labelled people to the totals (see the module docstring)."""
    order = np.argsort(-detections.confidence, kind="stable")
    boxes = detections.xyxy[order]
    matched = np.zeros(len(frame.people), dtype=bool)
    iou = box_iou(boxes, frame.people) if len(frame.people) else np.zeros((len(boxes), 0), np.float32)
    for row, box in enumerate(boxes):
        candidates = np.where(matched, -1.0, iou[row]) if iou.shape[1] else np.zeros(0)
        if candidates.size and candidates.max() >= MATCH_IOU:
            matched[int(candidates.argmax())] = True
            score.hits += 1
        elif not _on_ignore_region(box, frame.ignore):
            score.false_positives += 1
    score.labelled += len(frame.people)
    heights = frame.people[:, 3] - frame.people[:, 1]
    for bucket in SIZE_BUCKETS:
        inside = (heights >= bucket[0]) & (heights < bucket[1])
        per_size[bucket].labelled += int(inside.sum())
        per_size[bucket].hits += int((inside & matched).sum())


def _on_ignore_region(box: np.ndarray[Any, Any], ignore: np.ndarray[Any, Any]) -> bool:
    if not len(ignore):
        return False
    if box_iou(box[None], ignore).max() >= MATCH_IOU:
        return True
    top_left = np.maximum(box[:2], ignore[:, :2])
    bottom_right = np.minimum(box[2:], ignore[:, 2:])
    inside = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
    area = max(float(np.prod(box[2:] - box[:2])), 1e-6)
    return bool(inside.max() / area >= IGNORE_INSIDE)


def evaluate(frames: list[LabelledFrame], mode: str) -> tuple[Score, dict[tuple[int, int], Score]]:
    detector = PersonDetector("person", PersonDetectorConfig(**MODES[mode]))
    score, per_size = Score(), defaultdict(Score)
    for frame in frames:
        score_frame(detector.detect_image(frame.image), frame, score, per_size)
    detector.close()
    return score, per_size


def run_eval(datasets_dir: Path) -> None:
    frames = load_frames(datasets_dir)
    people = sum(len(f.people) for f in frames)
    print(f"{len(frames)} labelled frames, {people} people; IoU >= {MATCH_IOU}, threshold "
          f"{PersonDetectorConfig().threshold}")  # fmt: skip
    buckets = "  ".join(f"h{lo}-{hi if hi < 10_000 else ''}" for lo, hi in SIZE_BUCKETS)
    print(f"{'mode':<16} {'recall':>6} {'prec.':>6} {'hits':>5} {'FP':>4}  recall by person height: {buckets}")
    for mode in MODES:
        score, per_size = evaluate(frames, mode)
        sizes = "  ".join(f"{per_size[b].hits}/{per_size[b].labelled}" for b in SIZE_BUCKETS)
        print(f"{mode:<16} {score.recall:6.3f} {score.precision:6.3f} {score.hits:5d} {score.false_positives:4d}  "
              f"{sizes}")  # fmt: skip


def tracked_at_labels(datasets_dir: Path, track_high: float | None) -> tuple[Score, Score]:
    """Detected and tracked people at every labelled frame (default detector; the camera's tracker, or one whose
    confident band starts at ``track_high``). Each labelled frame ends a run of the WARMUP_S before it at TRACK_FPS."""
    detector = PersonDetector("person", PersonDetectorConfig())
    camera = CameraConfig(id="labels", source=SourceConfig(url="file"), detectors=["person"])
    detected, tracked, per_size = Score(), Score(), defaultdict(Score)
    for label_file in sorted(LABELS_DIR.glob("*.json")):
        spec = json.loads(label_file.read_text())
        for entry in spec["frames"]:
            tracker = camera_tracker(AppConfig(), camera) if track_high is None else Tracker(high_threshold=track_high)
            frame = LabelledFrame(spec["dataset"], entry["path"], entry["frame_index"],
                                  np.asarray(entry["people"], np.float32).reshape(-1, 4),
                                  np.asarray(entry["ignore"], np.float32).reshape(-1, 4), np.zeros(0))  # fmt: skip
            with av.open(str(datasets_dir / spec["dataset"] / entry["path"])) as container:
                rate = float(container.streams.video[0].average_rate or 25)
                step = max(1, round(rate / TRACK_FPS))
                for index, decoded in enumerate(container.decode(video=0)):
                    behind = frame.frame_index - index
                    if behind % step or behind > WARMUP_S * rate:
                        continue
                    people = detector.detect_image(decoded.to_ndarray(format="bgr24"))
                    tracks = tracker.update(people, index / rate)
                    if behind == 0:
                        score_frame(people, frame, detected, per_size)
                        score_frame(tracks, frame, tracked, per_size)
                        break
    detector.close()
    return detected, tracked


def _cost_ms(action: Any, repeats: int, rounds: int = 3) -> float:
    """Minimum over ``rounds`` of the median of ``repeats`` timed calls (robust to other load on the machine)."""
    action()
    medians = []
    for _ in range(rounds):
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000)
        medians.append(statistics.median(times))
    return min(medians)


def run_bench(datasets_dir: Path, repeats: int, threads: int) -> None:
    runtime = RuntimeConfig(intra_op_threads=threads)
    video = datasets_dir / "normal-cctv-intel-samples" / "one-by-one-person-detection.mp4"
    image = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    if video.is_file():
        with av.open(str(video)) as container:
            for index, decoded in enumerate(container.decode(video=0)):
                if index == 300:
                    image = cv2.resize(decoded.to_ndarray(format="bgr24"), (1280, 720))
                    break
    print(f"1280x720 frame, {threads} thread(s), min over 3 rounds of the median of {repeats} runs "
          f"(pre-processing + inference + decoding); load average now {os.getloadavg()[0]:.1f}")  # fmt: skip
    people = Detections.empty()
    for mode, faint in (("none", None), ("auto", None), ("auto", FALL_FAINT), ("auto+full", None)):
        detector = PersonDetector("person", PersonDetectorConfig(runtime=runtime, **MODES[mode]))
        if faint is not None:
            detector.report_faint(faint)
        calls = len(detector.regions(1280, 720))
        ms = _cost_ms(lambda d=detector: d.detect_image(image), repeats)
        people = detector.detect_image(image) if mode == "auto" and faint is None else people
        name = mode if faint is None else f"{mode}, faint from {faint:g} (a camera with a fall rule)"
        print(f"person {name:<10} {calls} call(s): {ms:7.1f} ms per frame")
        detector.close()
    pose = PoseAnalyzer("pose", PoseDetectorConfig(runtime=runtime, max_people=1))
    person = people[np.argsort(-people.area)[:1]] if len(people) else Detections.from_arrays(
        [[400, 100, 640, 700]], [0.9], "person")  # fmt: skip
    ms = _cost_ms(lambda: pose.analyze_image(image, person), repeats)
    print(f"pose (BlazePose full), standing person: {ms:7.1f} ms per person")
    lying = Detections.from_arrays([[300, 400, 900, 640]], [0.9], "person")
    ms = _cost_ms(lambda: pose.analyze_image(image, lying), repeats)
    print(f"pose, box wider than tall (3 calls):   {ms:7.1f} ms per person")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["eval", "bench", "tracked"])
    parser.add_argument("--datasets", type=Path, default=DEFAULT_DATASETS, help="the shared datasets folder")
    parser.add_argument("--repeats", type=int, default=20, help="bench: timed runs per configuration")
    parser.add_argument("--threads", type=int, default=1, help="bench: ONNX Runtime intra-op threads")
    parser.add_argument("--model", type=Path, help="eval/bench: this ONNX file instead of the packaged model")
    parser.add_argument(
        "--track-high", type=float, help="tracked: the tracker's high threshold (default: the camera's)"
    )
    args = parser.parse_args()
    for mode in MODES.values():
        mode.update({"model_path": args.model} if args.model else {})
    if args.command == "tracked":
        detected, tracked = tracked_at_labels(args.datasets, args.track_high)
        band = "the detector's threshold" if args.track_high is None else f"{args.track_high:g}"
        print(f"{TRACK_FPS:g} fps, {WARMUP_S:g} s before each labelled frame; tracker's confident band from {band}")
        for name, score in (("detected", detected), ("tracked", tracked)):
            print(f"{name:<9} recall {score.recall:.3f} precision {score.precision:.3f} hits {score.hits} "
                  f"false {score.false_positives} of {score.labelled} people")  # fmt: skip
    elif args.command == "eval":
        if not args.datasets.is_dir():
            raise SystemExit(f"datasets not found at {args.datasets}; pass --datasets")
        run_eval(args.datasets)
    else:
        run_bench(args.datasets, args.repeats, args.threads)


if __name__ == "__main__":
    main()
