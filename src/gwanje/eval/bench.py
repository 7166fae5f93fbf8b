"""`gwanje bench`: the cost per frame of each stage on this machine, and how many cameras fit.

Measures process CPU time (not wall time), so figures stay meaningful on a busy machine: decode of a
720p H.264 stream through the real ingest path, the motion gate, each detector at one ONNX Runtime
thread, and the whole per-camera pipeline (motion gate, detectors, tracker, rules, engine), then that
pipeline's own split of its time by stage (``CameraPipeline.clock``).
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gwanje.config.camera import CameraConfig, MotionConfig, SourceConfig
from gwanje.config.schema import AppConfig
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip
from gwanje.ingest.motion import MotionGate
from gwanje.ingest.source import iter_file_frames
from gwanje.runtime.detectors import build_detectors, close_all
from gwanje.runtime.pipeline import CameraPipeline

CORES = 2
TARGET_LOAD = 0.7
STAGE_PREFIX = "  of which "
"""Rows that split the gated pipeline's cost into its stages (motion gate, each detector, tracker, analysers,
rules, event engine) start with this."""


@dataclass(frozen=True)
class StageCost:
    stage: str
    ms_per_frame: float
    frames: int


def median_call_ms(action: Callable[[], object], calls: int, rounds: int = 3) -> float:
    """Wall time of one call in ms: the minimum over ``rounds`` of the median of ``calls`` timed calls, after one
    warm-up call. The minimum of medians is what stays comparable on a machine that is busy with other work."""
    action()
    medians = []
    for _ in range(rounds):
        times = []
        for _ in range(calls):
            start = time.perf_counter()
            action()
            times.append((time.perf_counter() - start) * 1000.0)
        medians.append(statistics.median(times))
    return min(medians)


def _cpu_ms(run: Callable[[], int]) -> tuple[float, int]:
    start = time.process_time()
    frames = run()
    return (time.process_time() - start) * 1000.0 / max(frames, 1), frames


def measure(
    detector_names: Sequence[str], seconds: float = 20.0, camera_fps: int = 25, analysis_fps: float = 5.0
) -> list[StageCost]:
    """Costs per frame of each stage over a generated 1280x720 clip of the demo scene (a fire included)."""
    app = AppConfig()
    costs: list[StageCost] = []
    with tempfile.TemporaryDirectory() as tmp:
        clip = write_demo_clip(
            Path(tmp) / "bench.mp4", seconds, DemoSettings(fps=camera_fps, fire_start_s=seconds / 4), (1280, 720)
        )
        decoded: list[Frame] = []

        def decode() -> int:
            decoded.extend(iter_file_frames(clip, camera_fps, camera_id="bench"))
            return len(decoded)

        ms, n = _cpu_ms(decode)
        costs.append(StageCost("decode 720p H.264 + BGR (per camera frame)", ms, n))
        step = max(1, round(camera_fps / analysis_fps))
        frames = decoded[::step]
        gate = MotionGate(MotionConfig())
        ms, n = _cpu_ms(lambda: sum(1 for f in frames if gate.check(f) is not None))
        costs.append(StageCost("motion gate", ms, n))
        camera = CameraConfig(id="bench", source=SourceConfig(url="bench"), detectors=list(detector_names))
        detectors = build_detectors(app, [camera])
        try:
            for name, det in detectors.items():
                if isinstance(det, Detector):
                    det.detect(frames[:1])  # warm-up: first call allocates
                    ms, n = _cpu_ms(lambda d=det: sum(len(d.detect([f])) >= 0 for f in frames))  # type: ignore[misc]
                    costs.append(StageCost(f"detector {name}", ms, n))
            no_motion = camera.model_copy(update={"motion": MotionConfig(enabled=False)})
            for label, cam in (("pipeline, every frame analysed", no_motion), ("pipeline with motion gate", camera)):
                pipeline = CameraPipeline(app, cam, detectors)
                ms, n = _cpu_ms(lambda p=pipeline: sum(1 for f in frames if p.process(f) is not None))  # type: ignore[misc]
                costs.append(StageCost(f"{label} ({'+'.join(detector_names)})", ms, n))
            # where the gated pipeline's time went (its own clock: the stages' CPU per analysed frame)
            costs += [StageCost(f"{STAGE_PREFIX}{s}", ms, n) for s, ms in pipeline.clock.ms_per_frame().items()]
        finally:
            close_all(detectors)
    return costs


def capacity(costs: Sequence[StageCost], camera_fps: float, analysis_fps: float) -> float:
    """Cameras that fit on this machine's cores at 70 % load, from decode + gated pipeline costs."""
    by = {c.stage.split(" (")[0]: c.ms_per_frame for c in costs}
    decode = next(c.ms_per_frame for c in costs if c.stage.startswith("decode"))
    pipeline = by["pipeline with motion gate"]
    per_camera_ms_per_s = decode * camera_fps + pipeline * analysis_fps
    return CORES * 1000.0 * TARGET_LOAD / per_camera_ms_per_s


def format_table(costs: Sequence[StageCost], camera_fps: float, analysis_fps: float) -> str:
    lines = [f"{'stage':<60} {'CPU ms/frame':>12} {'frames':>7}"]
    lines += [f"{c.stage:<60} {c.ms_per_frame:>12.2f} {c.frames:>7}" for c in costs]
    cams = capacity(costs, camera_fps, analysis_fps)
    lines.append(
        f"\ncapacity: ≈{cams:.1f} cameras on {CORES} cores at {TARGET_LOAD:.0%} load "
        f"({camera_fps:.0f} fps 720p decoded, {analysis_fps:g} fps analysed, this clip's motion)"
    )
    return "\n".join(lines)
