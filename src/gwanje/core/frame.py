"""A decoded video frame as it travels from ingest to the detectors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""An H x W x 3 BGR uint8 image (OpenCV's order)."""
PixelBox = tuple[int, int, int, int]
"""x1, y1, x2, y2 in frame pixels."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame of one camera.

    ``pts_s`` is the position in the stream in seconds (monotonic within one connection of a
    source; for files it is the media time, so analysis of a file is reproducible whatever the
    speed). ``wall_time`` is the UNIX time when the frame was decoded (or, for files analysed
    faster than real time, the media time added to the start of the analysis).

    ``segment`` numbers the continuous stretches of the stream: ingest increments it at every
    discontinuity (a new connection, pts going back, a looped file starting over). Within one segment
    ``pts_s`` never goes back; state kept across frames (tracks, dwell timers, windows) restarts when
    the segment changes (see :class:`SegmentWatch`), so no stage has to guess from times.

    ``motion``: where the camera's motion gate saw something move since the background it keeps, when the
    analysis knows it and every other part of the picture is as it was when the detectors last ran on this
    camera; None when not known or when the detectors must look at the whole picture (keepalive, a new
    segment). A detector may then reuse, for the still parts, what it found there before (the person
    detector's tiles).

    The image is read-only by convention: stages that draw on it copy it first.
    """

    camera_id: str
    seq: int
    pts_s: float
    wall_time: float
    image: Image
    segment: int = 0
    motion: tuple[PixelBox, ...] | None = None

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])


class SegmentWatch:
    """Tells a stateful stage when frames of a new stream segment start, so it drops what it kept.

    Example:
        >>> watch = SegmentWatch()
        >>> [watch.changed(s) for s in (0, 0, 1, 1, 3)]
        [False, False, True, False, True]
    """

    def __init__(self) -> None:
        self._segment: int | None = None

    def changed(self, segment: int) -> bool:
        """True on the first frame of a segment other than the previous frame's (never on the very first)."""
        new = self._segment is not None and segment != self._segment
        self._segment = segment
        return new
