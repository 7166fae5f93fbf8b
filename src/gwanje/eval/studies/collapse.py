"""A generated clip of a person who walks along the demo street, collapses and lies still.

The walker is the demo camera's (``gwanje.ingest.demo``); at ``collapse_s`` the figure stops and turns about its
feet to lying flat over ``fall_s``, then stays down. Drawn, not filmed: it exercises the fall rule and the event
flow, and says nothing about accuracy on real footage (docs/models/fall.md). The tests use it too
(``tests.support.collapse``); ``gwanje study falls drawn`` reports what the shipped models make of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import av
import cv2
import numpy as np
import numpy.typing as npt

from gwanje.core.frame import Image
from gwanje.ingest.demo import HEIGHT, WIDTH, draw_walker, street

FEET_Y = 228.0
"""Where the demo walker's feet touch the pavement (pixel row)."""


@dataclass(frozen=True)
class CollapseScene:
    fps: float = 10.0
    collapse_s: float = 4.0
    fall_s: float = 0.6
    seed: int = 3
    walk_phase: float = 0.05

    def frames(self, seconds: float) -> list[Image]:
        rng = np.random.default_rng(self.seed)
        background = street(rng)
        noise = rng.normal(0.0, 2.2, size=(4, HEIGHT, WIDTH, 1)).astype(np.int16)
        return [self._render(i, background, noise[i % 4]) for i in range(round(seconds * self.fps))]

    def down_s(self) -> float:
        """When the figure lies flat."""
        return self.collapse_s + self.fall_s

    def _render(self, index: int, background: Image, noise: npt.NDArray[np.int16]) -> Image:
        t = index / self.fps
        figure = np.zeros_like(background)
        draw_walker(figure, min(t, self.collapse_s), self.walk_phase)
        mask = (figure.sum(axis=2) > 0).astype(np.uint8)
        if t > self.collapse_s:
            angle = 90.0 * min(1.0, (t - self.collapse_s) / self.fall_s)
            feet_x = float(np.nonzero(mask)[1].mean())
            turn = cv2.getRotationMatrix2D((feet_x, FEET_Y), angle, 1.0)
            figure = np.asarray(cv2.warpAffine(figure, turn, (WIDTH, HEIGHT)), np.uint8)
            mask = np.asarray(cv2.warpAffine(mask, turn, (WIDTH, HEIGHT)), np.uint8)
        img = background.copy()
        img[mask > 0] = figure[mask > 0]
        out: Image = np.clip(img.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        return out


def write_clip(path: Path, frames: list[Image], fps: int) -> Path:
    """Encode BGR frames as an H.264 MP4 (x264 ultrafast, zero latency: as the tests write their clips)."""
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = frames[0].shape[1], frames[0].shape[0], "yuv420p"
        stream.options = {"preset": "ultrafast", "tune": "zerolatency"}
        for image in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(image), format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
