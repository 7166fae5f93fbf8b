"""`gwanje bench clip-buffer`: memory and CPU of the evidence-clip ring buffer per camera.

For the default ``ClipConfig`` (pre 5 s, post 10 s) it prints the bytes held per camera, the cost per frame
and the time to finish a pre+post clip, for either way a clip is made:

* ``--mode jpeg`` (the fallback for sources without H.264 packets): analysed frames JPEG-compressed at 10 fps,
  re-encoded to H.264 per clip; on a real CCTV video decoded by ingest's source, its frames resized to
  ``--width`` (a 720p camera by default);
* ``--mode packets`` (H.264 cameras): the camera's packets copied into the buffer and remuxed per clip; on a
  generated 1280x720 25 fps H.264 clip at 2 Mbit/s (a camera's usual main stream), or the video given, as it
  is (packets cannot be resized).
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from gwanje.config.camera import SourceConfig
from gwanje.config.datasets import dataset
from gwanje.config.events import ClipConfig
from gwanje.core.frame import Frame
from gwanje.events.clip import ClipRecorder
from gwanje.ingest import open_source
from gwanje.ingest.demo import DemoSettings
from gwanje.ingest.demo_clip import write_demo_clip

DEFAULT_VIDEO = ("normal-cctv-intel-samples", "car-detection.mp4")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument(
        "video", nargs="?", type=Path, default=None, help="default: car-detection.mp4 of normal-cctv-intel-samples"
    )
    parser.add_argument("--width", type=int, default=1280, help="jpeg mode: resize frames to this width")
    parser.add_argument("--mode", choices=["jpeg", "packets"], default="jpeg", help="which clip path to measure")


def run(args: argparse.Namespace) -> int:
    if args.mode == "packets":
        return _run_packets(args.video)
    video: Path = args.video or dataset(DEFAULT_VIDEO[0]) / DEFAULT_VIDEO[1]
    clip = ClipConfig()
    done = threading.Event()
    push_s, pushes, peak_bytes = 0.0, 0, 0
    started_at: float | None = None
    last_pts = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        recorder = ClipRecorder("bench", clip, on_done=lambda *_: done.set())
        with open_source(SourceConfig(url=str(video), realtime=False)) as source:
            for i, decoded in enumerate(source):
                img = decoded.image
                height = round(img.shape[0] * args.width / img.shape[1])
                frame = Frame("bench", i, decoded.pts_s, time.time(), np.asarray(cv2.resize(img, (args.width, height))))
                t0 = time.perf_counter()
                recorder.push(frame)
                push_s += time.perf_counter() - t0
                pushes += 1
                last_pts = decoded.pts_s
                peak_bytes = max(peak_bytes, recorder.buffer_bytes)
                if started_at is None and decoded.pts_s >= clip.pre_s + 1:
                    recorder.start("bench", Path(tmp) / "bench.mp4")
                    started_at = decoded.pts_s
                if started_at is not None and decoded.pts_s >= started_at + clip.post_s + 1:
                    break
        if started_at is None:
            print(f"{video} is shorter than pre_s + 1 s; give a longer video")
            return 2
        close_s, size = _finish(recorder, done, Path(tmp) / "bench.mp4")
    print(f"video: {video.name}, frames resized to width {args.width}")
    print(f"clip config: pre {clip.pre_s} s, post {clip.post_s} s, {clip.fps} fps, max_width {clip.max_width}")
    print(f"ring buffer peak: {peak_bytes / 1e6:.2f} MB JPEG data in {recorder.buffered_frames} frames")
    print(f"per buffered frame: {peak_bytes / max(recorder.buffered_frames, 1) / 1e3:.1f} kB")
    rate = pushes / last_pts if last_pts > 0 else float("nan")
    print(f"push(): {1000 * push_s / max(pushes, 1):.2f} ms per call, {pushes} calls of a {rate:.0f} fps source")
    print(f"clip: {size / 1e6:.2f} MB MP4; finishing the encode after the last frame took {close_s:.2f} s")
    return 0


def _run_packets(given: Path | None) -> int:
    clip = ClipConfig()
    done = threading.Event()
    push_s, pushes, peak_bytes, peak_packets = 0.0, 0, 0, 0
    started_at: float | None = None
    with tempfile.TemporaryDirectory() as tmp:
        video = given or write_demo_clip(Path(tmp) / "camera.mp4", 40.0, DemoSettings(fps=25.0), (1280, 720))
        recorder = ClipRecorder("bench", clip, on_done=lambda *_: done.set())
        with open_source(SourceConfig(url=str(video), realtime=False)) as source:
            source.keep_packets = True
            for decoded in source:
                t0 = time.perf_counter()
                recorder.push_packets(decoded.packets, 0)
                push_s += time.perf_counter() - t0
                pushes += 1
                peak_bytes = max(peak_bytes, recorder.buffer_bytes)
                peak_packets = max(peak_packets, recorder.buffered_packets)
                if started_at is None and decoded.pts_s >= clip.pre_s + 10:
                    # What the camera thread does with an analysed frame while packets flow: note its time.
                    recorder.push(Frame("bench", pushes, decoded.pts_s, time.time(), decoded.image))
                    if not recorder.start("bench", Path(tmp) / "bench.mp4"):
                        print(f"{video}: no H.264 packets to remux; measure it with --mode jpeg")
                        return 2
                    started_at = decoded.pts_s
                if started_at is not None and decoded.pts_s >= started_at + clip.post_s + 1:
                    break
        if started_at is None:
            print(f"{video} is shorter than pre_s + 10 s; give a longer video")
            return 2
        close_s, size = _finish(recorder, done, Path(tmp) / "bench.mp4")
        width, height = decoded.width, decoded.height
    print(f"video: {video.name}, {width}x{height}, packets remuxed (--mode packets)")
    print(f"clip config: pre {clip.pre_s} s, post {clip.post_s} s; the camera's own frame rate and size")
    print(f"ring buffer peak: {peak_bytes / 1e6:.2f} MB of packets ({peak_packets} packets)")
    print(f"push_packets(): {1000 * push_s / max(pushes, 1):.3f} ms per decoded frame, {pushes} calls")
    print(f"clip: {size / 1e6:.2f} MB MP4, complete {close_s:.3f} s after the last packet (remuxed as packets came)")
    return 0


def _finish(recorder: ClipRecorder, done: threading.Event, clip: Path) -> tuple[float, int]:
    """Close the recorder and wait for the clip: seconds it took after the last input, and the clip's bytes."""
    t0 = time.perf_counter()
    recorder.close()
    done.wait(60)
    return time.perf_counter() - t0, clip.stat().st_size
