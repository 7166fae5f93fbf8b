"""`gwanje bench [PART]`: measure the cost per frame of each stage on this machine.

Without PART: decode, motion gate, detectors and the whole camera pipeline on a generated 720p clip, and how
many cameras fit. With ``--out DIR``: the number of cameras this machine sustains in real time, found by running
them (gwanje.eval.bench_cameras). With PART, one part in more detail (each a module with ``add_arguments`` and ``run``); ``soak``
runs many cameras for hours of video and fails when memory, file handles or threads grow.
"""

from __future__ import annotations

import argparse
from importlib import import_module
from pathlib import Path
from typing import Any

from gwanje.eval.bench import format_table, measure
from gwanje.eval.bench_cameras import run_capacity

# part name -> (module in gwanje.eval, or gwanje.cli for what measures the API, one-line help)
PARTS: dict[str, tuple[str, str]] = {
    "ingest": ("gwanje.eval.bench_ingest", "H.264 decode ways (PyAV, BGR, the reader) and the motion gate"),
    "inference": ("gwanje.eval.bench_inference", "one ONNX model directly and through the batching worker"),
    "clip-buffer": ("gwanje.eval.bench_clip_buffer", "evidence-clip ring buffer: memory, push() and encode cost"),
    "clip-mask": ("gwanje.cli.bench_clip_mask", "masking people in an event clip (the first viewer's wait)"),
    "head-mask": ("gwanje.cli.bench_head_mask", "covering masked people's heads: pose per person, the estimate"),
    "soak": (
        "gwanje.eval.bench_soak",
        "many cameras as fast as possible for N camera-hours; exit 1 when memory, fds or threads grow",
    ),
}


def _run(args: argparse.Namespace) -> int:
    if args.out is not None:
        return run_capacity(args)
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
    p.add_argument(
        "--out",
        type=Path,
        help="find how many cameras this machine sustains in real time, decoding only and with the whole pipeline; "
        "write OUT/bench.json and OUT/cameras_vs_cpu.png (progress on stderr)",
    )
    p.add_argument("--width", type=int, default=1280, help="with --out: generated camera width")
    p.add_argument("--height", type=int, default=720, help="with --out: generated camera height")
    p.add_argument("--files", nargs="+", help="with --out: play these video files (round-robin) as the cameras")
    p.add_argument(
        "--substream",
        metavar="WxH",
        help="with --out: give each generated camera a sub-stream of this size that the pipeline analyses, its clips "
        "recorded from the main stream (source.record_url); decoding only still decodes the main stream",
    )
    p.add_argument(
        "--substream-bit-rate", type=int, default=512_000, help="with --substream: its bit rate (default 512 kbit/s)"
    )
    p.add_argument("--warmup", type=float, default=3.0, help="with --out: seconds each trial runs before measuring")
    p.add_argument("--window", type=float, default=10.0, help="with --out: seconds each trial is measured")
    p.add_argument("--max-cameras", type=int, default=64, help="with --out: the most cameras tried")
    p.add_argument(
        "--confirm",
        type=int,
        default=1,
        help="with --out: extra trials the count found must pass (a failure steps one camera down; 0: none)",
    )
    p.set_defaults(func=_run)
    parts = p.add_subparsers(dest="part", metavar="PART")
    for name, (module_name, help_text) in PARTS.items():
        pp = parts.add_parser(name, help=help_text)
        import_module(module_name).add_arguments(pp)
        pp.set_defaults(func=_run_part)
