"""Frames with a detailed (noisy) 'person' square, and a stand-in person detector that finds it (clip masking tests)."""

from __future__ import annotations

import numpy as np

from gwanje.core.frame import Image

SIZE = 48


def frames(n: int = 20, step_px: float = 4.0) -> list[Image]:
    """A detailed (noisy) 'person' square sliding right over a flat background, ``step_px`` per frame."""
    rng = np.random.default_rng(1)
    out = []
    for i in range(n):
        image = np.full((120, 160, 3), 90, np.uint8)
        x = 10 + round(step_px * i)
        image[40 : 40 + SIZE, x : x + SIZE] = rng.integers(0, 256, (SIZE, SIZE, 3), dtype=np.uint8)
        out.append(image)
    return out


def square(image: Image) -> list[tuple[float, float, float, float]]:
    """A stand-in person detector: the box of the noisy square (where the image differs from the background)."""
    ys, xs = np.nonzero(np.abs(image.astype(int) - 90).sum(axis=2) > 60)
    if not len(xs):
        return []
    return [(float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1))]
