"""Read a multipart JPEG stream (``live.mjpeg``, the live wall's ``/api/live/frames``) the way a browser does, timing each part's arrival."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

BOUNDARY = b"--gwanje-frame\r\n"


@dataclass(frozen=True)
class Part:
    frame_time: float
    """The part's X-Frame-Time: when the camera's frame was decoded."""
    arrived: float
    """When the whole part (and the boundary that closes it) had arrived here (UNIX seconds)."""
    jpeg: bytes
    camera: str | None = None
    """The part's X-Camera (the live wall's stream of several cameras)."""

    @property
    def latency_s(self) -> float:
        return self.arrived - self.frame_time


def parts(response: httpx.Response) -> Iterator[Part]:
    """The stream's parts as they arrive; AssertionError when the stream is not well formed."""
    buffer = b""
    chunks = response.iter_bytes()

    def need(size: int) -> None:
        nonlocal buffer
        while len(buffer) < size:
            buffer += next(chunks)

    need(len(BOUNDARY))
    assert buffer.startswith(BOUNDARY), buffer[:40]
    buffer = buffer[len(BOUNDARY) :]
    while True:
        while b"\r\n\r\n" not in buffer:
            buffer += next(chunks)
        head, buffer = buffer.split(b"\r\n\r\n", 1)
        headers = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        assert headers["Content-Type"] == "image/jpeg"
        size = int(headers["Content-Length"])
        need(size + 2 + len(BOUNDARY))
        jpeg, tail, buffer = buffer[:size], buffer[size : size + 2 + len(BOUNDARY)], buffer[size + 2 + len(BOUNDARY) :]
        assert tail == b"\r\n" + BOUNDARY, tail
        yield Part(float(headers["X-Frame-Time"]), time.time(), jpeg, headers.get("X-Camera"))
