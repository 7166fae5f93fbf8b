"""Privacy masking of event clips: every frame re-encoded with the people the person detector finds pixelated.

Their heads are covered solid on top, estimated from the person boxes (``gwanje.api.head_mask``): a pose call per
person on every detection frame would add about a fifth to a clip's masking per person (docs/web.md).

A clip is masked once, when it is first asked for, and the masked copy is kept in ``<data_dir>/masked-clips`` (the
last ``CACHED_CLIPS``, oldest dropped first), so players' many Range requests and later viewings cost nothing more.
The detector runs on every ``DETECT_EVERY``-th frame; a frame in between is masked with the boxes of the last two
detections, which also covers someone moving between them. Clips are small (15 s at 10 fps by default): on 2 cores
masking one takes a few seconds (docs/web.md says how long); the first viewer waits for it.
"""

from __future__ import annotations

import contextlib
import math
import os
import threading
from collections.abc import Callable, Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

from gwanje.api.head_mask import Box
from gwanje.api.masking import mask_people
from gwanje.core.frame import Image

CACHED_CLIPS = 32
DETECT_EVERY = 2
MAX_FPS = 10.0
"""A clip remuxed from the camera runs at its full rate (25–30 fps); its masked copy keeps at most this many
frames a second, so masking costs what it did for the re-encoded 10 fps clips."""


def mask_clip(source: Path, target: Path, people: Callable[[Image], Sequence[Box]]) -> int:
    """Write ``source`` to ``target`` (H.264 MP4, same size, at most ``MAX_FPS``) with people pixelated; returns
    the frames written.

    ValueError when the source cannot be decoded (nothing is written then)."""
    frames = 0
    try:
        with (
            av.open(str(source)) as reader,
            av.open(str(target), mode="w", format="mp4", options={"movflags": "+faststart"}) as writer,
        ):
            video = reader.streams.video[0]
            rate = min(Fraction(video.average_rate or MAX_FPS), Fraction(MAX_FPS)).limit_denominator(1001)
            first_at: float | None = None
            last_slot = -1
            out = writer.add_stream("libx264", rate=rate)
            out.width, out.height, out.pix_fmt = video.codec_context.width, video.codec_context.height, "yuv420p"
            out.options = {"preset": "ultrafast", "crf": "26"}
            last: list[Box] = []
            before: list[Box] = []
            for decoded in reader.decode(video):
                if decoded.time is not None:  # one frame per 1/rate slot of the source's time
                    first_at = decoded.time if first_at is None else first_at
                    slot = math.floor((decoded.time - first_at) * float(rate) + 1e-6)
                    if slot <= last_slot:
                        continue
                    last_slot = slot
                image: Image = np.asarray(decoded.to_ndarray(format="bgr24"), np.uint8)
                if frames % DETECT_EVERY == 0:
                    before, last = last, list(people(image))
                frame = av.VideoFrame.from_ndarray(mask_people(image, [*last, *before]), format="bgr24")
                frame.pts = frames
                for packet in out.encode(frame):
                    writer.mux(packet)
                frames += 1
            for packet in out.encode():
                writer.mux(packet)
    except (av.error.FFmpegError, IndexError) as error:
        target.unlink(missing_ok=True)
        raise ValueError(f"the clip could not be masked: {error}") from error
    return frames


class ClipMasker:
    """Masked copies of clips, made on first request and kept (thread-safe; one masking per clip at a time)."""

    def __init__(self, people: Callable[[Image], Sequence[Box]], cache_dir: Path, keep: int = CACHED_CLIPS) -> None:
        self._people = people
        self._dir = cache_dir
        self._keep = keep
        self._lock = threading.Lock()
        self._busy: dict[str, threading.Lock] = {}

    def masked(self, clip: Path, key: str) -> Path:
        """The masked copy of ``clip`` (``key``: a name for it, e.g. the event id); ValueError when it cannot be
        masked (then it is not served at all)."""
        target = self._dir / f"{key}.mp4"
        with self._lock:
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:
            if target.is_file() and target.stat().st_mtime >= clip.stat().st_mtime:
                os.utime(target)  # recently used: kept longest
                return target
            self._dir.mkdir(parents=True, exist_ok=True)
            partial = self._dir / f"{key}.partial.mp4"
            mask_clip(clip, partial, self._people)
            os.replace(partial, target)
        self._drop_old()
        return target

    def _drop_old(self) -> None:
        copies = sorted(
            (p for p in self._dir.glob("*.mp4") if not p.name.endswith(".partial.mp4")),
            key=lambda p: p.stat().st_mtime,
        )
        for old in copies[: max(0, len(copies) - self._keep)]:
            with contextlib.suppress(FileNotFoundError):  # another request dropped it first
                old.unlink()
