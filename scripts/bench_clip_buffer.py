"""Memory and CPU of the evidence-clip ring buffer per camera, on a real CCTV video.

Usage: python scripts/bench_clip_buffer.py [VIDEO] [--width 1280]
Prints, for the default ClipConfig (pre 5 s at 10 fps), the JPEG bytes held per camera, the
cost of push() per kept frame and the time to encode a pre+post clip. Frames are resized to
--width (a 720p camera by default) so the figure matches the usual CCTV stream size.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

import av
import cv2
import numpy as np

from gwanje.config.events import ClipConfig
from gwanje.core.frame import Frame
from gwanje.events.clip import ClipRecorder

DEFAULT_VIDEO = (
    Path(__file__).resolve().parents[2] / "shared" / "datasets" / "normal-cctv-intel-samples" / "car-detection.mp4"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("video", nargs="?", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--width", type=int, default=1280, help="resize frames to this width (keeps aspect)")
    args = parser.parse_args()
    clip = ClipConfig()
    done = threading.Event()
    with tempfile.TemporaryDirectory() as tmp:
        recorder = ClipRecorder("bench", clip, on_done=lambda *_: done.set())
        push_s, pushes, peak_bytes = 0.0, 0, 0
        started_at: float | None = None
        with av.open(str(args.video)) as container:
            stream = container.streams.video[0]
            for i, vf in enumerate(container.decode(stream)):
                if vf.pts is None or vf.time_base is None:
                    continue
                pts = float(vf.pts * vf.time_base)
                img = vf.to_ndarray(format="bgr24")
                height = round(img.shape[0] * args.width / img.shape[1])
                img = np.asarray(cv2.resize(img, (args.width, height)), np.uint8)
                t0 = time.perf_counter()
                recorder.push(Frame("bench", i, pts, time.time(), img))
                push_s += time.perf_counter() - t0
                pushes += 1
                peak_bytes = max(peak_bytes, recorder.buffer_bytes)
                if started_at is None and pts >= clip.pre_s + 1:
                    recorder.start("bench", Path(tmp) / "bench.mp4")
                    started_at = pts
                if started_at is not None and pts >= started_at + clip.post_s + 1:
                    break
        if started_at is None:
            raise SystemExit(f"{args.video} is shorter than pre_s + 1 s; give a longer video")
        t0 = time.perf_counter()
        recorder.close()
        done.wait(60)
        close_s = time.perf_counter() - t0
        size = (Path(tmp) / "bench.mp4").stat().st_size
    print(f"video: {args.video.name}, frames resized to width {args.width}")
    print(f"clip config: pre {clip.pre_s} s, post {clip.post_s} s, {clip.fps} fps, max_width {clip.max_width}")
    print(f"ring buffer peak: {peak_bytes / 1e6:.2f} MB JPEG data in {recorder.buffered_frames} frames")
    print(f"per buffered frame: {peak_bytes / max(recorder.buffered_frames, 1) / 1e3:.1f} kB")
    rate = stream.average_rate
    print(f"push(): {1000 * push_s / max(pushes, 1):.2f} ms per call, {pushes} calls of a {rate} fps source")
    print(f"clip: {size / 1e6:.2f} MB MP4; finishing the encode after the last frame took {close_s:.2f} s")


if __name__ == "__main__":
    main()
