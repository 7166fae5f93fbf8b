"""Generate small real H.264 clips with PyAV, so tests decode real video without shipping any."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]


def write_clip(
    path: Path, frames: Iterable[Image], fps: int = 25, codec: str = "libx264", gop: int | None = None
) -> Path:
    """Encode BGR frames into an MP4 (H.264 by default) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with av.open(str(path), mode="w") as container:
        stream = None
        for img in frames:
            if stream is None:
                stream = container.add_stream(codec, rate=fps)
                stream.width = img.shape[1]
                stream.height = img.shape[0]
                stream.pix_fmt = "yuv420p"
                if gop is not None:
                    stream.codec_context.gop_size = gop
                if codec == "libx264":
                    stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(img), format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        if stream is not None:
            for packet in stream.encode():
                container.mux(packet)
    return path


def moving_box_frames(
    n: int, width: int = 320, height: int = 240, color: tuple[int, int, int] = (255, 255, 255), size: int = 40
) -> Iterable[Image]:
    """A box sliding left to right over a dark, slightly noisy background."""
    rng = np.random.default_rng(0)
    for i in range(n):
        img = np.full((height, width, 3), 30, np.uint8)
        img += rng.integers(0, 6, size=img.shape, dtype=np.uint8)
        x = int((width - size) * i / max(n - 1, 1))
        y = height // 2 - size // 2
        img[y : y + size, x : x + size] = color
        yield img


def static_frames(n: int, width: int = 320, height: int = 240, value: int = 80) -> Iterable[Image]:
    for _ in range(n):
        yield np.full((height, width, 3), value, np.uint8)


def frames_from(fn: Callable[[int], Image], n: int) -> Iterable[Image]:
    for i in range(n):
        yield fn(i)
