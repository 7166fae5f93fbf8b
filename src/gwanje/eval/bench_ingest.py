"""`gwanje bench ingest`: H.264 decode cost per frame with PyAV (1 thread) and the motion gate's cost.

    gwanje bench ingest [--seconds 20] [--width 1280 --height 720] [--clip PATH]

It encodes a clip of the demo street scene (static background, a walking person, a fire with smoke) with
libx264 (veryfast, no B-frames, GOP 50, 2 Mbit/s), then decodes it several ways and prints ms per frame and
frames per second. Numbers are wall time on one core; the decoder uses one thread, as the reader does by default.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import av

from gwanje.config.camera import MotionConfig, SourceConfig
from gwanje.core.frame import Frame
from gwanje.ingest import MotionGate, open_source
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip


def _timed(run: Callable[[], int], repeats: int) -> tuple[float, float, int]:
    """Best-of-``repeats`` wall and CPU seconds of ``run`` (which returns the frames it handled).

    CPU time of this process is reported too: on a busy machine wall time includes waiting for a core.
    """
    best_wall, best_cpu, frames = float("inf"), float("inf"), 0
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        frames = run()
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    return best_wall, best_cpu, frames


def decode_only(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        return sum(1 for packet in container.demux(stream) for _ in packet.decode())


def decode_to_bgr(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        count = 0
        for packet in container.demux(stream):
            for frame in packet.decode():
                frame.to_ndarray(format="bgr24")
                count += 1
        return count


def through_source(path: Path) -> int:
    with open_source(SourceConfig(url=str(path), realtime=False, decode_threads=1)) as source:
        return sum(1 for _ in source)


def motion_costs(path: Path) -> list[float]:
    gate = MotionGate(MotionConfig(keepalive_s=0))
    costs = []
    with open_source(SourceConfig(url=str(path), realtime=False)) as source:
        for i, decoded in enumerate(source):
            frame = Frame("bench", i, decoded.pts_s, decoded.pts_s, decoded.image)
            start = time.perf_counter()
            gate.check(frame)
            costs.append(time.perf_counter() - start)
    return costs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=720)
    parser.add_argument("--repeats", type=int, default=3, help="best of N runs for each decode measurement")
    parser.add_argument("--clip", type=Path, help="benchmark this file instead of generating one")


def run(args: argparse.Namespace) -> int:

    with tempfile.TemporaryDirectory() as tmp:
        clip = args.clip or write_demo_clip(
            Path(tmp) / "bench.mp4", args.seconds, DemoSettings(fps=25, fire_start_s=4.0), (args.width, args.height)
        )
        with av.open(str(clip)) as probe:
            vs = probe.streams.video[0]
            desc = f"{vs.codec_context.name} {vs.codec_context.width}x{vs.codec_context.height}"
            kbps = (probe.bit_rate or 0) / 1000
        print(f"clip: {clip if args.clip else 'generated demo scene'}; {desc}, {kbps:.0f} kbit/s")
        print(f"{'stage':<46}{'ms/frame wall':>14}{'ms/frame CPU':>13}{'frames/s':>10}")
        for name, stage in (
            ("decode (PyAV, 1 thread)", lambda: decode_only(clip)),
            ("decode + convert to BGR numpy", lambda: decode_to_bgr(clip)),
            ("open_source iteration (what the reader does)", lambda: through_source(clip)),
        ):
            wall, cpu, frames = _timed(stage, args.repeats)
            print(f"{name:<46}{1000 * wall / frames:>14.2f}{1000 * cpu / frames:>13.2f}{frames / wall:>10.0f}")
        costs = motion_costs(clip)
        mean = statistics.fmean(costs)
        p95 = sorted(costs)[int(0.95 * (len(costs) - 1))]
        print(f"{'motion gate per analysed frame, mean (wall)':<46}{1000 * mean:>14.3f}{'':>13}{1 / mean:>10.0f}")
        print(f"{'motion gate per analysed frame, p95 (wall)':<46}{1000 * p95:>14.3f}")
        print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} cores")
    return 0
