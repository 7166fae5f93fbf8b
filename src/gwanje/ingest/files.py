"""Reading files the way the service reads cameras: decoded video frames kept at the analysis rate, and images.

Every offline consumer goes through here, so that what is measured or trained on is what a camera
would deliver: ``gwanje analyze`` and ``gwanje eval`` (through ``iter_file_frames``), the benchmarks,
and the training of the models (``decoded_frames`` once, then ``analysed`` at several rates or phases).

Example:
    >>> for frame in analysed(decoded_frames("clip.mp4"), fps=5.0):  # doctest: +SKIP
    ...     print(frame.pts_s)
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Protocol, TypeVar

import cv2
import numpy as np

from gwanje.config.camera import SourceConfig
from gwanje.core.errors import SourceFormatError
from gwanje.core.frame import Image
from gwanje.ingest.av_source import AvSource
from gwanje.ingest.base import DecodedFrame
from gwanje.ingest.timing import Decimator
from gwanje.ingest.urls import SourceKind, resolve_source


class Timed(Protocol):
    @property
    def pts_s(self) -> float: ...


T = TypeVar("T", bound=Timed)


def open_video_file(path: str | Path) -> AvSource:
    """The source a camera pointed at ``path`` would open, read once, as fast as it decodes.

    Raises ``SourceFormatError`` when the file is not video, ``SourceUnavailable`` when it cannot be read.
    """
    cfg = SourceConfig(url=str(path), loop=False, realtime=False)
    target = resolve_source(cfg)
    if target.kind is not SourceKind.FILE:
        raise ValueError(f"{target.display} is not a file path; offline analysis reads files only")
    return AvSource(target, cfg)


def decoded_frames(path: str | Path) -> Iterator[DecodedFrame]:
    """Every decodable frame of a video file in decode order, with its media time (corrupt ones are skipped)."""
    with open_video_file(path) as source:
        yield from source


def analysed(frames: Iterable[T], fps: float, start_s: float = 0.0) -> Iterator[T]:
    """The frames a camera analysing at ``fps`` keeps: decimation by pts, as ``CameraReader`` does.

    ``start_s`` skips that long from the first frame before the decimator sees any, as when the
    analysis joins the stream at another moment (training samples several such phases of a clip).
    """
    decimator = Decimator(fps)
    joined = start_s <= 0
    first: float | None = None
    for frame in frames:
        if not joined:
            first = frame.pts_s if first is None else first
            if frame.pts_s < first + start_s:
                continue
            joined = True
        if decimator.keep(frame.pts_s):
            yield frame


def read_image(path: str | Path) -> Image:
    """A still image as the BGR uint8 array a decoded camera frame is; ``SourceFormatError`` when unreadable."""
    raw = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if raw is None:
        raise SourceFormatError(f"{path}: not a readable image")
    return np.asarray(raw, dtype=np.uint8)
