"""Figures of the shipped fight model that docs/models/fight.md quotes. Each sub-command prints numbers.

  python scripts/eval_fight.py holdout [--data DIR]   held-out source videos, recomputed with ONNX Runtime
  python scripts/eval_fight.py clips   [--people]     held-out clips through the per-frame API and event engine
  python scripts/eval_fight.py normal  [--people]     false alarms per hour on normal footage (event engine)
  python scripts/eval_fight.py bench   [--seconds S]  CPU cost per frame and per window
  python scripts/eval_fight.py boxes                  where the evidence box lands on every fight clip (full pipeline)

They run the analyzer at the cameras' default analysis rate (5 fps; ``--fps`` changes it for clips and normal).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Iterator
from pathlib import Path

import av
import cv2
import numpy as np

from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.detectors import FightDetectorConfig, PersonDetectorConfig
from gwanje.config.events import default_tuning
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.events import EventState, EventType, Observation
from gwanje.core.frame import Frame
from gwanje.detect.fight import FightAnalyzer
from gwanje.detect.fight_features import WINDOW_DIM
from gwanje.detect.person import PersonDetector
from gwanje.events.engine import EventEngine
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline
from gwanje.training.fight.check import METRICS_FILE, check_holdout
from gwanje.training.fight.data import read_labels

DATASETS = Path(__file__).resolve().parents[2] / "shared" / "datasets"
FPS = 5.0


def frames_at(path: Path, fps: float, camera: str) -> Iterator[Frame]:
    """Decode a file and keep the frames a sampler at ``fps`` would pass on, with their media times."""
    next_t = 0.0
    with av.open(str(path)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            t = float(frame.time or 0.0)
            if t + 1e-6 < next_t:
                continue
            next_t += 1.0 / fps
            yield Frame(camera, i, t, 1e9 + t, frame.to_ndarray(format="bgr24"))


def fight_observations(frame: Frame, analyzer: FightAnalyzer, people: PersonDetector | None) -> list[Observation]:
    """One analysed frame as the pipeline sees it: people (when asked for), the fight analyser, its observations."""
    tracks = people.detect([frame])[0] if people is not None else Detections.empty()
    found = analyzer.analyze(frame, tracks)
    return [Observation(EventType.FIGHT, float(c), found[i : i + 1]) for i, c in enumerate(found.confidence)]


def cmd_holdout(args: argparse.Namespace) -> None:
    saved = json.loads(METRICS_FILE.read_text())
    got = check_holdout(args.data, args.model or METRICS_FILE.with_name("fight.onnx"), saved)
    print(f"held-out source videos: {len(saved['holdout']['source_videos'])}")
    for key, value in got.items():
        print(f"{key:<16} {value!s:<10} (committed {saved['holdout']['metrics'][key]})")


def cmd_normal(args: argparse.Namespace) -> None:
    analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=args.model, require_people=args.people))
    people = PersonDetector("person", PersonDetectorConfig()) if args.people else None
    tuning = default_tuning()
    total_s = 0.0
    starts = 0
    positives = 0
    frames_seen = 0
    for path in sorted(args.data.glob("*.mp4")):
        engine = EventEngine(path.stem, tuning=lambda t: tuning[t])
        last: Frame | None = None
        for frame in frames_at(path, args.fps, path.stem):
            obs = fight_observations(frame, analyzer, people)
            positives += bool(obs)
            frames_seen += 1
            events = engine.update(frame, obs)
            starts += sum(e.state == EventState.START for e in events)
            last = frame
        if last is not None:
            total_s += last.pts_s
            print(f"{path.name}: {last.pts_s:.0f} s analysed")
    analyzer.close()
    hours = total_s / 3600
    print(f"frames {frames_seen}, frames with a fight detection {positives} ({positives / max(frames_seen, 1):.2%})")
    print(f"fight events {starts} in {total_s:.0f} s = {starts / hours:.1f} false alarms per hour")


def cmd_clips(args: argparse.Namespace) -> None:
    """Held-out clips through the per-frame API and the real event engine, as `gwanje eval` will run them."""
    held = set(json.loads(METRICS_FILE.read_text())["holdout"]["source_videos"])
    analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=args.model, require_people=args.people))
    people = PersonDetector("person", PersonDetectorConfig()) if args.people else None
    tuning = default_tuning()
    outcomes: list[tuple[int, float | None]] = []
    for path, label, group in read_labels(args.data):
        if group not in held:
            continue
        engine = EventEngine(path.stem, tuning=lambda t: tuning[t])
        alert: float | None = None
        for frame in frames_at(path, args.fps, path.stem):
            obs = fight_observations(frame, analyzer, people)
            started = [e for e in engine.update(frame, obs) if e.state == EventState.START]
            if started and alert is None:
                alert = frame.pts_s
        outcomes.append((label, alert))
    analyzer.close()
    y = np.array([o[0] == 1 for o in outcomes])
    pred = np.array([o[1] is not None for o in outcomes])
    tp, fp, fn = int((y & pred).sum()), int((~y & pred).sum()), int((y & ~pred).sum())
    delays = [a for lab, a in outcomes if lab == 1 and a is not None]
    print(f"clips {len(y)} ({int(y.sum())} fight) at {args.fps:g} fps, people required: {args.people}")
    print(
        f"f1 {2 * tp / max(2 * tp + fp + fn, 1):.3f}  recall {tp / max(tp + fn, 1):.3f}  fpr {fp / max(int((~y).sum()), 1):.3f}"
    )
    print(f"median time to alert from clip start {np.median(delays) if delays else float('nan'):.2f} s")


def _looped_720p(path: Path, count: int) -> list[np.ndarray]:
    """``count`` frames of a clip sampled at 5 fps, scaled to 1280x720 and looped (the clip is ~2 s)."""
    images = [cv2.resize(f.image, (1280, 720)) for f in frames_at(path, FPS, "bench")]
    return [images[i % len(images)] for i in range(count)]


def cmd_bench(args: argparse.Namespace) -> None:
    """CPU time per analysed frame (``time.process_time``, so other load on the machine matters little)."""
    rows = read_labels(args.data)
    fight_clip = next(p for p, label, _ in rows if label == 1)
    calm_clip = next(p for p, label, _ in rows if label == 0)
    n = int(args.seconds * FPS)
    scenes = {
        "quiet camera (static frames)": ([np.full((720, 1280, 3), 90, np.uint8)] * n, {}),
        f"no_fight clip {calm_clip.name} (default trigger)": (_looped_720p(calm_clip, n), {}),
        f"fight clip {fight_clip.name}, model every frame": (
            _looped_720p(fight_clip, n),
            {"threshold": 0.0, "trigger_changed_fraction": 0.0},
        ),
    }
    print(f"frames 1280x720, {FPS:g} fps, {n} frames per scene, ONNX Runtime 1 thread")
    for name, (images, overrides) in scenes.items():
        analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=args.model, **overrides))
        frames = [Frame("bench", i, i / FPS, 1e9 + i / FPS, img) for i, img in enumerate(images)]
        started = time.process_time()
        for frame in frames:
            analyzer.analyze(frame, Detections.empty())
        per_frame = (time.process_time() - started) / len(frames)
        print(f"{name:<52} {per_frame * 1e3:6.2f} ms CPU per frame = {per_frame * FPS:6.1%} of a core")
        analyzer.close()
    analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=args.model))
    x = np.random.default_rng(0).random((1, WINDOW_DIM), dtype=np.float32)
    calls = 1000
    started = time.process_time()
    for _ in range(calls):
        analyzer.score(x)
    print(f"model call per window: {(time.process_time() - started) / calls * 1e3:.3f} ms CPU")
    analyzer.close()


def cmd_boxes(args: argparse.Namespace) -> None:
    """Size of the fight box on every fight clip, through the camera pipeline (person detector, tracker, fight)."""
    app = AppConfig()
    camera = CameraConfig(
        id="boxes", source=SourceConfig(url="file"), analysis_fps=args.fps, detectors=["person", "fight"]
    )
    detectors = build_detectors(app, [camera])
    areas: list[float] = []
    whole = 0
    try:
        for path, label, _ in read_labels(args.data):
            if label != 1:
                continue
            pipeline = CameraPipeline(app, camera, detectors)
            for frame in frames_at(path, args.fps, path.stem):
                for x1, y1, x2, y2 in pipeline.process(frame).context.detections.with_label("fight").xyxy:
                    areas.append(float((x2 - x1) * (y2 - y1)) / (frame.width * frame.height))
                    whole += bool(x1 <= 0 and y1 <= 0 and x2 >= frame.width and y2 >= frame.height)
    finally:
        close_all(detectors)
    print(f"fight detections on the fight clips at {args.fps:g} fps: {len(areas)}; whole-frame boxes {whole}")
    if areas:
        print(
            f"box area as a share of the frame: median {np.median(areas):.2f}, 90th percentile "
            f"{np.percentile(areas, 90):.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=None, help="ONNX file (default: the packaged model)")
    parser.add_argument("--fps", type=float, default=FPS, help="analysis rate for clips and normal (default 5)")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("holdout")
    p.add_argument("--data", type=Path, default=DATASETS / "fight-surv-akti")
    p.set_defaults(func=cmd_holdout)
    p = sub.add_parser("normal")
    p.add_argument("--data", type=Path, default=DATASETS / "normal-cctv-intel-samples")
    p.add_argument("--people", action="store_true", help="run the person detector and require two people close")
    p.set_defaults(func=cmd_normal)
    p = sub.add_parser("clips")
    p.add_argument("--data", type=Path, default=DATASETS / "fight-surv-akti")
    p.add_argument("--people", action="store_true", help="run the person detector and require two people close")
    p.set_defaults(func=cmd_clips)
    p = sub.add_parser("bench")
    p.add_argument("--data", type=Path, default=DATASETS / "fight-surv-akti")
    p.add_argument("--seconds", type=float, default=20.0)
    p.set_defaults(func=cmd_bench)
    p = sub.add_parser("boxes")
    p.add_argument("--data", type=Path, default=DATASETS / "fight-surv-akti")
    p.set_defaults(func=cmd_boxes)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
