"""Image operations shared by the stages that look at a frame at reduced size."""

from __future__ import annotations

import cv2
import numpy as np
import numpy.typing as npt


def shrink(image: npt.NDArray[np.uint8], size: tuple[int, int]) -> npt.NDArray[np.uint8]:
    """``image`` area-averaged down to ``size`` = (width, height), halving first while it is twice as large.

    OpenCV's area averaging is fast for an exact halving and slow for a ratio that is not a whole number
    (1280x720 to 192x108: about five times the time of two halvings and the rest; the command is in
    docs/benchmarks.md); the result differs from one direct averaging by under one grey level on average. Images
    no larger than ``size`` are resized directly (a stretch, not an average).
    """
    width, height = size
    while image.shape[1] >= 2 * width and image.shape[0] >= 2 * height:
        half = (image.shape[1] // 2, image.shape[0] // 2)
        image = np.asarray(cv2.resize(image, half, interpolation=cv2.INTER_AREA), np.uint8)
    if (image.shape[1], image.shape[0]) == size:
        return image
    return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
