"""`gwanje eval MANIFEST --out DIR`: score Gwanje on your own labelled images and videos."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import Any

import numpy as np

from gwanje.config import AppConfig, load_config
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector, ImageScorer
from gwanje.eval.manifest import SCORABLE_TYPES, load_manifest
from gwanje.eval.metrics import Alert, summarize
from gwanje.eval.report import write_report
from gwanje.eval.runner import run
from gwanje.eval.workload import Staffing, estimate, from_results
from gwanje.ingest.files import read_image
from gwanje.runtime.analyze import FileAnalyzer, analysis_camera
from gwanje.runtime.detectors import build_detectors, close_all

IMAGE_TYPES = ("fire", "smoke")
"""Types a single image can be scored on; the others need video (motion, dwell time, tracks)."""


def _parse_classes(text: str | None) -> list[str] | None:
    if not text:
        return None
    out = [c.strip().lower() for c in text.split(",") if c.strip()]
    bad = [c for c in out if c not in SCORABLE_TYPES]
    if bad:
        raise SystemExit(
            f"gwanje eval: --classes: unknown type(s) {', '.join(bad)}; allowed: {', '.join(SCORABLE_TYPES)}"
        )
    return out


def _run(args: argparse.Namespace) -> int:
    manifest = load_manifest(Path(args.manifest))
    for problem in manifest.problems:
        print(f"{manifest.path}: skipped {problem}", file=sys.stderr)
    types = _parse_classes(args.classes) or manifest.types
    if not types:
        print("gwanje eval: no event types to score (no labels in the manifest and no --classes)", file=sys.stderr)
        return 2
    try:  # checked before the models run
        staffing = Staffing(cameras=args.cameras, review_s=args.handle_s, utilisation=args.utilisation)
    except ValueError as exc:
        print(f"gwanje eval: {exc}", file=sys.stderr)
        return 2
    app = load_config(args.config) if args.config else AppConfig()
    camera = analysis_camera(app, args.camera, types)
    detectors = build_detectors(app, [camera])
    frame_detectors = [d for d in detectors.values() if isinstance(d, Detector)]
    analyzer = FileAnalyzer(app, camera, detectors)

    def predict_image(path: Path) -> tuple[dict[str, float], set[str]]:
        frame = Frame(camera_id=camera.id, seq=0, pts_s=0.0, wall_time=0.0, image=read_image(path))
        scores: dict[str, float] = {}
        positive: set[str] = set()
        for det in frame_detectors:
            if isinstance(det, ImageScorer):
                # one model call: whole-frame scores are >= 0.5 exactly where regions would be reported
                found = {t: v for t, v in det.image_scores([frame])[0].items() if t in IMAGE_TYPES}
                positive |= {t for t, v in found.items() if v >= 0.5}
            else:
                d = det.detect([frame])[0]  # reported boxes are already at the operating point
                found = {t: float(d.confidence[d.label == t].max()) for t in IMAGE_TYPES if np.any(d.label == t)}
                positive |= set(found)
            for t, value in found.items():
                scores[t] = max(scores.get(t, 0.0), value)
        return scores, positive

    def predict_video(path: Path) -> tuple[list[Alert], float]:
        result = analyzer.run(path)
        alerts = [Alert(e.type, e.alert_s, e.start_s, e.end_s, e.confidence) for e in result.events]
        return alerts, result.duration_s

    try:
        results = run(manifest, types, predict_image, predict_video)
    finally:
        close_all(detectors)
    metrics = summarize(results, types)
    footage = from_results(results, types)
    metrics["workload"] = None if footage is None else estimate(footage, staffing)
    out = Path(args.out)
    argv = sys.argv[sys.argv.index("eval") :] if "eval" in sys.argv else ["eval", args.manifest]
    write_report(out, manifest, results, metrics, "gwanje " + shlex.join(argv))
    for t in types:
        m = metrics["per_type"][t]
        print(
            f"{t:<10} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}  FPR {m['false_positive_rate']:.3f}"
        )
    print(f"wrote {out / 'metrics.json'}, {out / 'items.csv'} and {out / 'report.md'}")
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("eval", help="score detections and events against a labelled manifest (CSV)")
    p.add_argument("manifest", help="CSV with columns path,labels,start_s,end_s (paths relative to the CSV)")
    p.add_argument("--classes", help="comma-separated types to score (default: the types in the manifest)")
    p.add_argument("--out", required=True, help="directory for metrics.json, items.csv, report.md and the pictures")
    p.add_argument("--config", help="YAML config whose detectors and (first or --camera) camera settings apply")
    p.add_argument("--camera", help="camera of the config whose settings apply")
    p.add_argument("--cameras", type=int, default=1000, help="workload estimate: cameras in the centre (1000)")
    p.add_argument("--handle-s", type=float, default=60.0, help="workload estimate: seconds per alert (60)")
    p.add_argument("--utilisation", type=float, default=0.5, help="workload estimate: share of an hour on alerts")
    p.set_defaults(func=_run)
