"""Generated pictures of people lying on the demo street, with their boxes: the drawn demo walker, cut out
with its exact mask, turned 60-100 degrees by the training compositor and laid on the pavement or the road.

Everything is drawn (``gwanje.ingest.demo``), nothing comes from a data set, so the pictures are made here at
test time from fixed seeds instead of being committed. They check that the shipped person model boxes a lying
figure at all; they say nothing about accuracy on real footage (docs/models/person-nanodet.md has that).
"""

from __future__ import annotations

import numpy as np

from gwanje.core.frame import Image
from gwanje.ingest.demo import draw_walker, street
from gwanje.training.person.synth import Box, Cutout, lay_down, soften

COUNT = 12
LENGTHS = (90.0, 200.0)
"""Long side of the lying figure in pixels (the standing walker is about 90 px tall)."""


def walker_cutout(t: float, phase: float) -> Cutout:
    """The demo walker at time ``t``, cut out of a black canvas with its drawn pixels as the mask."""
    canvas = np.zeros_like(street(np.random.default_rng(0)))
    draw_walker(canvas, t, phase)
    ys, xs = np.nonzero(canvas.sum(axis=2) > 0)
    y1, y2, x1, x2 = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    pixels = canvas[y1:y2, x1:x2].copy()
    mask = (pixels.sum(axis=2) > 0).astype(np.float32)
    return Cutout(pixels, soften(mask) * 0.5 + mask * 0.5, True)


def lying_people(count: int = COUNT, seed: int = 11) -> list[tuple[Image, Box]]:
    """``count`` street pictures, each with one lying figure and its box (x1, y1, x2, y2)."""
    rng = np.random.default_rng(seed)
    pictures: list[tuple[Image, Box]] = []
    while len(pictures) < count:
        background = street(rng)
        cutout = walker_cutout(float(rng.uniform(0, 20)), float(rng.uniform(0, 1)))
        laid = lay_down(background, cutout, rng, float(rng.uniform(*LENGTHS)), floor_top=0.45)
        if laid is not None:
            pictures.append(laid)
    return pictures
