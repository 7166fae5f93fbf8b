"""`gwanje analyze VIDEO`: run the configured detectors and event engine over a file, print the events."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from tqdm import tqdm

from gwanje.config import AppConfig, load_config
from gwanje.ingest.source import probe_duration
from gwanje.runtime.analyze import FileAnalyzer, analysis_camera
from gwanje.runtime.detectors import build_detectors, close_all


def _run(args: argparse.Namespace) -> int:
    app = load_config(args.config) if args.config else AppConfig()
    camera = analysis_camera(app, args.camera)
    path = Path(args.video)
    if not path.is_file():
        print(f"gwanje analyze: {path}: file not found", file=sys.stderr)
        return 2
    detectors = build_detectors(app, [camera])
    try:
        total = probe_duration(path)
        bar = tqdm(
            total=round(total, 1) if total else None,
            unit="s",
            desc=path.name,
            disable=not sys.stderr.isatty(),
            bar_format="{l_bar}{bar}| {n:.1f}/{total_fmt} s [{elapsed}<{remaining}]",
        )
        with bar:

            def progress(pts: float) -> None:
                bar.update(max(0.0, round(pts, 1) - bar.n))

            result = FileAnalyzer(app, camera, detectors).run(path, on_progress=progress)
    finally:
        close_all(detectors)
    if args.json:
        print(json.dumps([e.as_json() for e in result.events], indent=2))
    else:
        print(f"{path}: {len(result.events)} event(s) in {result.duration_s:.1f} s ({result.frames} frames analysed)")
        for e in result.events:
            end = "open" if e.end_s is None else f"{e.end_s:7.2f}"
            where = f" zone={e.zone}" if e.zone else ""
            print(
                f"  {e.type:<13} start {e.start_s:7.2f} s  end {end} s  alert {e.alert_s:7.2f} s  "
                f"confidence {e.confidence:.2f}{where}"
            )
    return 0


def register(sub: Any) -> None:
    p = sub.add_parser("analyze", help="run detectors and the event engine over a video file and print the events")
    p.add_argument("video", help="video file (anything FFmpeg decodes)")
    p.add_argument("--config", help="YAML config; its first camera's detectors, zones, rules and tuning apply")
    p.add_argument("--camera", help="use this camera of the config instead of the first")
    p.add_argument("--json", action="store_true", help="print a JSON list of events (type, start_s, end_s, confidence)")
    p.set_defaults(func=_run)
