"""Helpers for the ingest tests: camera configs, waiting on conditions, collecting frames, damaged clips."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import av

from gwanje.config.camera import CameraConfig
from gwanje.core.frame import Frame
from gwanje.ingest import CameraReader
from tests.support.media import moving_box_frames


def camera(url: str, camera_id: str = "cam", analysis_fps: float = 5.0, **source: Any) -> CameraConfig:
    return CameraConfig(id=camera_id, analysis_fps=analysis_fps, source={"url": url, **source})


def wait_until(condition: Callable[[], bool], timeout: float = 15.0, poll: float = 0.05) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` passes; the test asserts the result."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return condition()


def collect(reader: CameraReader, until: Callable[[list[Frame]], bool], timeout: float = 15.0) -> list[Frame]:
    """Take frames from ``reader`` until ``until(frames)`` holds (or ``timeout`` passes) and return them."""
    frames: list[Frame] = []
    deadline = time.monotonic() + timeout
    while not until(frames) and time.monotonic() < deadline:
        frame = reader.get(0.2)
        if frame is not None:
            frames.append(frame)
    return frames


def write_faststart_clip(path: Path, frames: int = 100, fps: int = 25) -> Path:
    """An MP4 with its index first (as cameras and web exports write them), so cutting its middle leaves
    a readable index pointing at damaged data."""
    with av.open(str(path), mode="w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = 320, 240, "yuv420p"
        stream.codec_context.gop_size = 10
        stream.options = {"preset": "ultrafast"}
        for img in moving_box_frames(frames):
            for packet in stream.encode(av.VideoFrame.from_ndarray(img, format="bgr24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path
