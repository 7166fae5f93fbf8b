"""`gwanje bench [PART]`: measure the cost per frame of each stage on this machine.

Without PART: decode, motion gate, detectors and the whole camera pipeline on a generated 720p clip, and how
many cameras fit. With PART, one part in more detail (each a module with ``add_arguments`` and ``run``).
"""

from __future__ import annotations

import argparse
from importlib import import_module
from typing import Any

from gwanje.eval.bench import format_table, measure

# part name -> (module in gwanje.eval, one-line help)
PARTS: dict[str, tuple[str, str]] = {
    "ingest": ("gwanje.eval.bench_ingest", "H.264 decode ways (PyAV, BGR, the reader) and the motion gate"),
    "inference": ("gwanje.eval.bench_inference", "one ONNX model directly and through the batching worker"),
    "clip-buffer": ("gwanje.eval.bench_clip_buffer", "evidence-clip ring buffer: memory, push() and encode cost"),
}


def _run(args: argparse.Namespace) -> int:
    names = [n.strip() for n in args.detectors.split(",") if n.strip()]
    costs = measure(names, seconds=args.seconds, camera_fps=args.camera_fps, analysis_fps=args.analysis_fps)
    print(format_table(costs, args.camera_fps, args.analysis_fps))
    return 0


def _run_part(args: argparse.Namespace) -> int:
    return int(import_module(PARTS[args.part][0]).run(args))


def register(sub: Any) -> None:
    p = sub.add_parser("bench", help="measure decode, motion gate, detector and pipeline CPU cost per frame")
    p.add_argument("--detectors", default="fire_smoke", help="comma-separated detector names (default fire_smoke)")
    p.add_argument("--seconds", type=float, default=20.0, help="length of the generated 720p clip")
    p.add_argument("--camera-fps", type=int, default=25)
    p.add_argument("--analysis-fps", type=float, default=5.0)
    p.set_defaults(func=_run)
    parts = p.add_subparsers(dest="part", metavar="PART")
    for name, (module_name, help_text) in PARTS.items():
        pp = parts.add_parser(name, help=help_text)
        import_module(module_name).add_arguments(pp)
        pp.set_defaults(func=_run_part)
