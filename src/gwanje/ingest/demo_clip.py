"""Write the demo scene to an MP4 file: ``python -m gwanje.ingest.demo_clip out.mp4 --seconds 45``.

Kept apart from ``demo`` so that running it as a module does not re-import a module the package already loaded.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import av
import cv2
import numpy as np

from gwanje.ingest.demo import HEIGHT, WIDTH, DemoScene, DemoSettings


def write_demo_clip(
    path: Path,
    seconds: float,
    settings: DemoSettings | None = None,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    bit_rate: int = 2_000_000,
) -> Path:
    """Encode ``seconds`` of the scene to an H.264 MP4 (x264 veryfast, no B-frames, GOP 2 s) at ``size``."""
    settings = settings or DemoSettings()
    scene = DemoScene(settings)
    fps = round(settings.fps)
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = size[0], size[1], "yuv420p"
        stream.bit_rate = bit_rate
        stream.codec_context.gop_size = 2 * fps
        stream.options = {"preset": "veryfast", "bf": "0"}
        for i in range(int(seconds * settings.fps)):
            img = scene.render(i)
            if size != (WIDTH, HEIGHT):
                img = np.asarray(cv2.resize(img, size, interpolation=cv2.INTER_LINEAR), dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the demo scene to an MP4 file.")
    parser.add_argument("output", type=Path)
    parser.add_argument("--seconds", type=float, default=45.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--fps", type=float, default=15.0)
    parser.add_argument("--fire-start", type=float, default=12.0, help="seconds before the first fire")
    args = parser.parse_args(argv)
    settings = DemoSettings(seed=args.seed, fps=args.fps, fire_start_s=args.fire_start)
    write_demo_clip(args.output, args.seconds, settings)
    print(
        f"wrote {args.output}: {args.seconds:g} s, fire from {args.fire_start:g} s for {settings.fire_duration_s:g} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
