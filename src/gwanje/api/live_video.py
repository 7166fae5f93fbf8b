"""Live video as MJPEG: each camera's newest frame, people masked, pushed to every viewer at a preview rate.

One producer task per (camera, masked or not) runs while somebody watches: every tick (``PREVIEW_FPS``) it takes the
camera's newest frame (encoded once per frame by the camera worker) and, for the masked stream, its masked copy
(``SnapshotMasker``: one person-detector run per frame, cached), and hands the same bytes to all its viewers. A
viewer that cannot keep up skips frames instead of queueing them, so what it sees stays at most a tick or two behind
the camera; nothing is encoded or masked per viewer.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncGenerator, Callable, Sequence
from dataclasses import dataclass

log = logging.getLogger(__name__)

LatestFrame = Callable[[str], tuple[float, bytes] | None]
"""A camera's newest frame: (UNIX time it was decoded, JPEG), or None while it has none."""
Masker = Callable[[bytes, str], bytes]
"""(JPEG, camera id) -> the JPEG with people pixelated; ValueError when it cannot be masked."""

PREVIEW_FPS = 5.0
"""Frames a second a live stream sends at most (the issue's preview rate; the analysis rate may be lower)."""
BOUNDARY = "gwanje-frame"
WAIT_S = 0.5
"""A viewer waiting for a frame looks this often whether the streams were closed (server shutting down)."""


@dataclass(frozen=True)
class LiveFrame:
    seq: int
    wall_time: float
    """When the camera's frame was decoded (UNIX seconds): the viewer's latency is its arrival minus this."""
    jpeg: bytes


class _Feed:
    def __init__(self) -> None:
        self.viewers = 0
        self.latest: LiveFrame | None = None
        self.changed = asyncio.Condition()
        self.task: asyncio.Task[None] | None = None


class LiveVideo:
    """Shared live streams of the cameras; use from one event loop (the server's)."""

    def __init__(self, latest: LatestFrame, mask: Masker, fps: float = PREVIEW_FPS) -> None:
        if fps <= 0:
            raise ValueError(f"fps must be positive, got {fps}")
        self._latest = latest
        self._mask = mask
        self._period = 1.0 / fps
        self._feeds: dict[tuple[str, bool], _Feed] = {}
        self._closed = False
        self.frames_prepared = 0
        """Frames taken from cameras (and masked) by the producers: one per camera and new frame, whatever the
        number of viewers."""

    @property
    def watched(self) -> int:
        """Producers running now: one per camera (and masked or not) that somebody watches."""
        return len(self._feeds)

    def close(self) -> None:
        """End every stream within ``WAIT_S`` (any thread: call before stopping the HTTP server)."""
        self._closed = True

    async def frames(self, camera_id: str, masked: bool) -> AsyncGenerator[LiveFrame, None]:
        """The camera's frames as they come, newest only; ends when the streams are closed."""
        key = (camera_id, masked)
        feed = self._feeds.get(key)
        if feed is None:
            feed = self._feeds[key] = _Feed()
            feed.task = asyncio.create_task(self._produce(camera_id, masked, feed), name=f"live-{camera_id}")
        feed.viewers += 1
        try:
            seen = -1
            while not self._closed:
                async with feed.changed:
                    if feed.latest is None or feed.latest.seq == seen:
                        with contextlib.suppress(TimeoutError):
                            await asyncio.wait_for(feed.changed.wait(), WAIT_S)
                    frame = feed.latest
                if frame is not None and frame.seq != seen:
                    seen = frame.seq
                    yield frame
        finally:
            feed.viewers -= 1
            if feed.viewers == 0 and self._feeds.get(key) is feed:
                del self._feeds[key]
                if feed.task is not None:
                    feed.task.cancel()

    async def many(self, camera_ids: Sequence[str], masked: bool) -> AsyncGenerator[tuple[str, LiveFrame], None]:
        """Several cameras' frames over one stream (the live wall's), each camera's newest only: a consumer slower
        than the cameras gets each camera's latest frame when it asks again, never a queue. The cameras take turns,
        so a busy one cannot starve the others. Each camera's frames come from its shared producer (``frames``);
        ends when the streams are closed."""
        pending: dict[str, LiveFrame] = {}
        ready = asyncio.Event()

        async def follow(camera_id: str) -> None:
            async for frame in self.frames(camera_id, masked):
                pending.pop(camera_id, None)  # to the back of the turns
                pending[camera_id] = frame
                ready.set()

        tasks = [asyncio.create_task(follow(c), name=f"live-wall-{c}") for c in dict.fromkeys(camera_ids)]
        try:
            while pending or not all(task.done() for task in tasks):
                ready.clear()
                if not pending:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(ready.wait(), WAIT_S)
                while pending:
                    camera_id = next(iter(pending))
                    yield camera_id, pending.pop(camera_id)
        finally:  # the viewer left: each camera's ``frames`` ends, and its producer with the last viewer
            for task in tasks:
                task.cancel()

    async def _produce(self, camera_id: str, masked: bool, feed: _Feed) -> None:
        loop = asyncio.get_running_loop()
        seq, last_time, failing = 0, None, False
        while not self._closed:
            started = loop.time()
            try:
                taken = await asyncio.to_thread(self._take, camera_id, masked, last_time)
                failing = False
            except Exception:  # a broken frame source costs this tick, never the stream or another camera's
                if not failing:
                    log.exception("camera %s: live frames not taken until it recovers", camera_id)
                failing, taken = True, None
            if taken is not None:
                last_time, jpeg = taken
                if jpeg is not None:
                    seq += 1
                    async with feed.changed:
                        feed.latest = LiveFrame(seq, last_time, jpeg)
                        feed.changed.notify_all()
            await asyncio.sleep(max(0.0, self._period - (loop.time() - started)))

    def _take(self, camera_id: str, masked: bool, last_time: float | None) -> tuple[float, bytes | None] | None:
        """The camera's frame if newer than ``last_time`` (None if not), masked when asked: a frame that cannot be
        masked comes without JPEG (skipped, never sent unmasked, not tried again)."""
        latest = self._latest(camera_id)
        if latest is None or latest[0] == last_time:
            return None
        wall_time, jpeg = latest
        if masked:
            try:
                jpeg = self._mask(jpeg, camera_id)
            except ValueError:
                return wall_time, None
        self.frames_prepared += 1
        return wall_time, jpeg


def multipart_part(frame: LiveFrame, camera_id: str | None = None) -> bytes:
    """One part of the ``multipart/x-mixed-replace`` body, closed by the next boundary at once: browsers show a
    part when its boundary arrives, so sending it with the frame (not before the next one) saves a frame's delay.
    ``camera_id`` (the live wall's stream of several cameras) adds an ``X-Camera`` header."""
    camera = f"X-Camera: {camera_id}\r\n" if camera_id is not None else ""
    head = (
        f"Content-Type: image/jpeg\r\nContent-Length: {len(frame.jpeg)}\r\n{camera}"
        f"X-Frame-Time: {frame.wall_time:.3f}\r\n\r\n"
    ).encode()
    return head + frame.jpeg + f"\r\n--{BOUNDARY}\r\n".encode()
