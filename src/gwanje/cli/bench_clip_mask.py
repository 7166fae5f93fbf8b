"""`gwanje bench clip-mask`: the cost of masking people in an event clip (what the first viewer of a clip waits for).

A clip of the generated demo street with its walker (the default clip: 15 s at 10 fps, 640x360) is masked with the
shipped person detector the way ``GET /api/events/{id}/clip.mp4`` masks it (``gwanje.api.clip_masking``). It lives
in ``cli`` because it measures the API's masking, which the ``eval`` layer may not import.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av

from gwanje.api.clip_masking import mask_clip
from gwanje.api.masking import SnapshotMasker
from gwanje.ingest.demo import DemoScene, DemoSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.add_argument("--seconds", type=float, default=15.0, help="clip length (default: pre 5 s + post 10 s)")
    parser.add_argument("--fps", type=int, default=10, help="clip frame rate (default: the clip's 10)")


def run(args: argparse.Namespace) -> int:
    scene = DemoScene(DemoSettings(seed=3, fps=float(args.fps), fire_start_s=1e6))
    frames = round(args.seconds * args.fps)
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "clip.mp4"
        with av.open(str(source), mode="w", format="mp4") as container:
            first = scene.render(0)
            stream = container.add_stream("libx264", rate=Fraction(args.fps))
            stream.width, stream.height, stream.pix_fmt = first.shape[1], first.shape[0], "yuv420p"
            for i in range(frames):
                for packet in stream.encode(av.VideoFrame.from_ndarray(scene.render(i), format="bgr24")):
                    container.mux(packet)
            for packet in stream.encode():
                container.mux(packet)
        masker = SnapshotMasker()
        masker.find_people(first)  # the model loads once per server, not per clip
        started = time.perf_counter()
        masked = mask_clip(source, Path(tmp) / "masked.mp4", masker.find_people)
        took = time.perf_counter() - started
    print(
        f"clip masking: {masked} frames ({masked / args.fps:.0f} s at {args.fps} fps, {first.shape[1]}x{first.shape[0]}) "
        f"in {took:.1f} s, {took / masked * 1000:.0f} ms a frame"
    )
    return 0
