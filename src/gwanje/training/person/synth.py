"""Synthetic lying people: a person cut out with a soft mask, turned 60-100 degrees and laid on a floor.

Pure numpy/OpenCV (no PyTorch), so tests can make lying-person images with it too.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

Image = npt.NDArray[np.uint8]
Mask = npt.NDArray[np.float32]
Box = tuple[float, float, float, float]

MIN_TURN, MAX_TURN = 60.0, 100.0
"""Degrees a standing person is turned to lie down, either way."""
FOREGROUND_DIFF = 28.0
"""Grey-level difference from the background that counts as the person in background subtraction."""
MIN_COVER, MAX_COVER = 0.2, 0.9
"""A subtraction mask covering less or more of the box than this is not trusted (the ellipse is used)."""


@dataclass(frozen=True)
class Cutout:
    """A person cut out of a picture: the pixels of their box and a 0..1 mask of the same size."""

    pixels: Image
    mask: Mask
    subtracted: bool = False
    """Whether the mask came from background subtraction (else it is the ellipse around the box)."""


def ellipse_mask(height: int, width: int) -> Mask:
    """A soft ellipse filling the box: the fallback when background subtraction does not isolate the person."""
    mask = np.zeros((height, width), np.float32)
    cv2.ellipse(mask, (width // 2, height // 2), (max(1, int(width * 0.46)), max(1, int(height * 0.49))), 0, 0, 360,
                1.0, -1)  # fmt: skip
    return soften(mask)


def soften(mask: Mask) -> Mask:
    """Feather a hard mask over about 3 % of the box side, so the pasted edge does not give the person away."""
    sigma = max(1.0, 0.03 * min(mask.shape))
    return np.clip(cv2.GaussianBlur(mask.astype(np.float32), (0, 0), sigma), 0.0, 1.0)


def cut_out(image: Image, box: Box, background: Image | None) -> Cutout | None:
    """The person in ``box`` of ``image``, masked by difference to ``background`` (same size) when that
    isolates them, else by an ellipse. None for boxes smaller than 8 pixels."""
    height, width = image.shape[:2]
    x1, y1 = max(0, int(box[0])), max(0, int(box[1]))
    x2, y2 = min(width, round(box[2])), min(height, round(box[3]))
    if x2 - x1 < 8 or y2 - y1 < 8:
        return None
    pixels = image[y1:y2, x1:x2].copy()
    if background is not None and background.shape == image.shape:
        diff = np.abs(pixels.astype(np.int16) - background[y1:y2, x1:x2].astype(np.int16)).max(axis=2)
        hard = (diff > FOREGROUND_DIFF).astype(np.uint8)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
        hard = cv2.morphologyEx(cv2.morphologyEx(hard, cv2.MORPH_OPEN, kernel), cv2.MORPH_CLOSE, kernel, iterations=2)
        cover = float(hard.mean())
        if MIN_COVER <= cover <= MAX_COVER:
            return Cutout(pixels, soften(hard.astype(np.float32) * ellipse_mask(*hard.shape).round()), True)
    return Cutout(pixels, ellipse_mask(y2 - y1, x2 - x1))


def turn(cutout: Cutout, degrees: float, length: float) -> Cutout:
    """The cutout turned by ``degrees`` (counter-clockwise) and scaled so that its long side is ``length`` px."""
    height, width = cutout.mask.shape
    scale = length / max(height, width)
    centre = (width / 2.0, height / 2.0)
    matrix = cv2.getRotationMatrix2D(centre, degrees, scale)
    cos, sin = abs(matrix[0, 0]), abs(matrix[0, 1])
    new_w, new_h = int(np.ceil(height * sin + width * cos)) + 2, int(np.ceil(height * cos + width * sin)) + 2
    matrix[0, 2] += new_w / 2.0 - centre[0]
    matrix[1, 2] += new_h / 2.0 - centre[1]
    pixels = np.asarray(cv2.warpAffine(cutout.pixels, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR), np.uint8)
    mask = cv2.warpAffine(cutout.mask, matrix, (new_w, new_h), flags=cv2.INTER_LINEAR)
    return Cutout(pixels, mask.astype(np.float32), cutout.subtracted)


def paste(background: Image, cutout: Cutout, x: int, y: int, match_light: bool = True) -> tuple[Image, Box] | None:
    """``background`` with ``cutout`` blended in with its top-left corner at (x, y), and the person's box
    (where the mask is over one half). ``match_light`` moves the cutout's brightness a third of the way towards
    the floor it lies on. None when the cutout does not fit in the picture."""
    height, width = background.shape[:2]
    ch, cw = cutout.mask.shape
    if x < 0 or y < 0 or x + cw > width or y + ch > height:
        return None
    region = background[y : y + ch, x : x + cw].astype(np.float32)
    pixels = cutout.pixels.astype(np.float32)
    alpha = cutout.mask[..., None]
    if match_light and float(cutout.mask.sum()) > 1.0:
        inside = (pixels * alpha).sum(axis=(0, 1)) / float(cutout.mask.sum())
        floor = region.mean(axis=(0, 1))
        pixels = pixels + (floor - inside) / 3.0
    out = background.copy()
    out[y : y + ch, x : x + cw] = np.clip(pixels * alpha + region * (1.0 - alpha), 0, 255).astype(np.uint8)
    ys, xs = np.nonzero(cutout.mask > 0.5)
    if ys.size == 0:
        return None
    return out, (float(x + xs.min()), float(y + ys.min()), float(x + xs.max() + 1), float(y + ys.max() + 1))


def lay_down(
    background: Image, cutout: Cutout, rng: np.random.Generator, length: float, floor_top: float = 0.35
) -> tuple[Image, Box] | None:
    """Lay ``cutout`` (a standing person) on the floor of ``background``: turned 60-100 degrees either way,
    ``length`` px long, somewhere below ``floor_top`` (share of the height) where it fits."""
    degrees = float(rng.uniform(MIN_TURN, MAX_TURN)) * (1.0 if rng.random() < 0.5 else -1.0)
    lying = turn(cutout, degrees, length)
    height, width = background.shape[:2]
    ch, cw = lying.mask.shape
    top = int(floor_top * height)
    if cw >= width or ch >= height - top:
        return None
    x = int(rng.integers(0, width - cw))
    y = int(rng.integers(top, height - ch))
    return paste(background, lying, x, y)
