"""A decoded video frame as it travels from ingest to the detectors."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
"""An H x W x 3 BGR uint8 image (OpenCV's order)."""


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded frame of one camera.

    ``pts_s`` is the position in the stream in seconds (monotonic within one connection of a
    source; for files it is the media time, so analysis of a file is reproducible whatever the
    speed). ``wall_time`` is the UNIX time when the frame was decoded (or, for files analysed
    faster than real time, the media time added to the start of the analysis).

    The image is read-only by convention: stages that draw on it copy it first.
    """

    camera_id: str
    seq: int
    pts_s: float
    wall_time: float
    image: Image

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])
