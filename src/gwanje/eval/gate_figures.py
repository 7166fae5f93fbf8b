"""The figures the CI quality gate watches, computed on generated footage only (no dataset needed).

Each figure is a number with a direction; ``gwanje.eval.gates`` compares them with the committed baseline.
Clips are short and analysed at 5 fps so that the whole set takes seconds: they exercise the detectors, rules
and event flow end to end, and say nothing about accuracy on real footage.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from gwanje.config.schema import AppConfig
from gwanje.core.frame import Image
from gwanje.eval.manifest import load_manifest
from gwanje.eval.metrics import Alert, ItemResult, summarize
from gwanje.eval.runner import run
from gwanje.eval.studies.collapse import write_clip
from gwanje.eval.studies.fall_probes import drawn_collapse_falls
from gwanje.ingest.demo import DemoSettings, street
from gwanje.ingest.demo_clip import write_demo_clip
from gwanje.runtime.analyze import FileAnalyzer, analysis_camera
from gwanje.runtime.detectors import build_detectors, close_all

FPS = 5.0
CLIP_S = 10.0
IGNITION_S = 2.0


def static_orange_frames(seconds: float, fps: float, seed: int = 5) -> list[Image]:
    """The demo street with a fixed orange board (fire-coloured, but neither flickering nor growing)."""
    rng = np.random.default_rng(seed)
    background = street(rng)
    background[180:260, 400:470] = (0, 140, 255)
    noise = rng.normal(0.0, 2.2, size=(4, *background.shape[:2], 1)).astype(np.int16)
    count = round(seconds * fps)
    return [np.clip(background.astype(np.int16) + noise[i % 4], 0, 255).astype(np.uint8) for i in range(count)]


def _write_manifest(folder: Path) -> Path:
    """Three clips: a fire from ``IGNITION_S`` (labelled), the same street without fire, a static orange board."""
    write_demo_clip(folder / "fire.mp4", CLIP_S, DemoSettings(fps=FPS, fire_start_s=IGNITION_S))
    write_demo_clip(folder / "clean.mp4", CLIP_S, DemoSettings(fps=FPS, fire_start_s=CLIP_S * 10))
    write_clip(folder / "orange.mp4", static_orange_frames(CLIP_S, FPS), round(FPS))
    end = CLIP_S
    rows = [f"fire.mp4,fire,{IGNITION_S},{end}", "clean.mp4,,,", "orange.mp4,,,"]
    manifest = folder / "manifest.csv"
    manifest.write_text("path,labels,start_s,end_s\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return manifest


def _fire_results(folder: Path) -> list[ItemResult]:
    """``gwanje eval`` on the generated manifest, with the shipped defaults, scoring fire."""
    manifest = load_manifest(_write_manifest(folder))
    if manifest.problems:
        raise ValueError(f"generated manifest has problems: {[str(p) for p in manifest.problems]}")
    app = AppConfig()
    camera = analysis_camera(app, None, ["fire"])
    detectors = build_detectors(app, [camera])
    analyzer = FileAnalyzer(app, camera, detectors)

    def predict_video(path: Path) -> tuple[list[Alert], float]:
        result = analyzer.run(path)
        return [Alert(e.type, e.alert_s, e.start_s, e.end_s, e.confidence) for e in result.events], result.duration_s

    def no_images(path: Path) -> tuple[dict[str, float], set[str]]:
        raise ValueError(f"{path}: the gate manifest has videos only")

    try:
        return run(manifest, ["fire"], no_images, predict_video, progress=False)
    finally:
        close_all(detectors)


def fire_figures() -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        results = _fire_results(Path(tmp))
    by_name = {r.row.path.name: r for r in results}
    failed = [f"{r.row.path.name}: {r.error}" for r in results if r.error is not None]
    if failed:
        raise RuntimeError(f"gate clips failed to analyse: {failed}")
    metrics = summarize(results, ["fire"])["per_type"]["fire"]
    fire_alerts = [a.alert_s for a in by_name["fire.mp4"].alerts if a.event_type == "fire"]
    delay = min((t for t in fire_alerts if t >= IGNITION_S), default=CLIP_S) - IGNITION_S
    return {
        "eval_fire_precision": float(metrics["precision"]),
        "eval_fire_recall": float(metrics["recall"]),
        "fire_alert_delay_s": round(delay, 3),
        "fire_alerts_before_ignition": float(sum(1 for t in fire_alerts if t < IGNITION_S)),
        "fire_alerts_on_clean_street": float(len(by_name["clean.mp4"].alerts)),
        "fire_alerts_on_static_orange": float(len(by_name["orange.mp4"].alerts)),
    }


def collapse_figures() -> dict[str, float]:
    """The drawn collapse should give exactly one fall: the figure is the distance from one."""
    falls = sum(1 for e in drawn_collapse_falls() if e.type == "fall")
    return {"collapse_fall_count_error": float(abs(falls - 1))}


def compute_figures() -> dict[str, float]:
    return {**fire_figures(), **collapse_figures()}
