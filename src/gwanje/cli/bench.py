"""`gwanje bench`: measure the cost per frame of each stage on this machine."""

from __future__ import annotations

import argparse
from typing import Any

from gwanje.eval.bench import format_table, measure


def _run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.detectors.split(",") if n.strip()]
    costs = measure(names, seconds=args.seconds, camera_fps=args.camera_fps, analysis_fps=args.analysis_fps)
    print(format_table(costs, args.camera_fps, args.analysis_fps))
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure decode, motion gate, detector and pipeline CPU cost per frame")
    p.add_argument("--detectors", default="fire_smoke", help="comma-separated detector names (default fire_smoke)")
    p.add_argument("--seconds", type=float, default=20.0, help="length of the generated 720p clip")
    p.add_argument("--camera-fps", type=int, default=25)
    p.add_argument("--analysis-fps", type=float, default=5.0)
    p.set_defaults(func=_run)
