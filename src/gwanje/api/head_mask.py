"""Heads in the privacy mask: a solid cover over each masked person's head, on top of the body's pixelation.

A body pixelated to 8 blocks still leaves a large close-up face a few blocks of skin and hair; the head gets a
solid fill instead. Where BlazePose (``gwanje.detect.pose``) reads the person, the head box is placed on the face
landmarks (nose, eyes, ears, mouth) it sees; otherwise (no pose run, a pose flag too low, no face landmark visible,
or pose failed) the head is estimated from the person box: its top band, across the box's width.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np
import numpy.typing as npt

from gwanje.core.frame import Image

Box = tuple[float, float, float, float]
HeadFinder = Callable[[Image, Sequence[Box]], list[Box | None]]
"""(image, person boxes) -> a head box for each person, None where the pose model could not read it."""

HEAD_FILL = (128, 128, 128)
"""BGR of the solid cover over heads."""
FACE_LANDMARKS = tuple(range(11))
"""BlazePose's nose, eyes (inner, centre, outer), ears and mouth corners."""
SHOULDERS = (11, 12)
MIN_VISIBILITY = 0.5
"""A landmark places the head only when the model is at least this sure that it is visible."""
HEAD_PER_SHOULDER = 0.9
"""Head box side per shoulder width (a head is about 0.4 of the shoulder width; the rest is margin for hair,
a turned head and landmark error)."""
HEAD_PER_BOX = 0.3
"""Head box side per the person box's long side, when the shoulders are not seen (about twice a standing
person's head height)."""
HEAD_PER_SPREAD = 2.0
"""The head box is at least this many times the spread of the face landmarks seen (a close-up face)."""
HEAD_RAISE = 0.1
"""The face landmarks sit below the head's centre (hair, forehead): the box is moved up by this share of its side."""
TOP_BAND = 0.2
"""Estimated head without pose: the top of the box, this share of its height, ..."""
TOP_BAND_PER_WIDTH = 0.5
"""... or half its width when that is more (a close-up of head and shoulders); a box wider than tall (someone lying,
head at either end) is covered whole."""


def estimated_head(box: Box) -> Box:
    """The head of a person box without pose: its top band, across the box's width."""
    x1, y1, x2, y2 = box
    height = min(y2 - y1, max(TOP_BAND * (y2 - y1), TOP_BAND_PER_WIDTH * (x2 - x1)))
    return (x1, y1, x2, y1 + height)


def head_from_keypoints(keypoints: npt.NDArray[np.float32], box: Box) -> Box | None:
    """A head-sized square on the face landmarks seen (33 x 3 BlazePose keypoints in frame pixels), sized from the
    shoulder width (or the box), None when no face landmark is visible enough."""
    face = keypoints[list(FACE_LANDMARKS)]
    seen = face[np.isfinite(face).all(axis=1) & (face[:, 2] >= MIN_VISIBILITY), :2]
    if not len(seen):
        return None
    shoulders = keypoints[list(SHOULDERS)]
    if np.isfinite(shoulders).all() and (shoulders[:, 2] >= MIN_VISIBILITY).all():
        side = HEAD_PER_SHOULDER * float(np.linalg.norm(shoulders[0, :2] - shoulders[1, :2]))
    else:
        side = HEAD_PER_BOX * max(box[2] - box[0], box[3] - box[1])
    spread = float(np.ptp(seen, axis=0).max()) if len(seen) > 1 else 0.0
    side = max(side, HEAD_PER_SPREAD * spread, 1.0)
    cx, cy = (float(v) for v in seen.mean(axis=0))
    cy -= HEAD_RAISE * side
    return (cx - side / 2, cy - side / 2, cx + side / 2, cy + side / 2)


def heads_of(people: Sequence[Box], posed: Sequence[Box | None]) -> list[Box]:
    """Each person's head: from pose where given, else estimated from the box."""
    return [head if head is not None else estimated_head(box) for box, head in zip(people, posed, strict=True)]


def cover_heads(image: Image, heads: Iterable[Box]) -> Image:
    """``image`` (changed in place and returned) with each head box, clipped to the image, filled solid."""
    height, width = image.shape[:2]
    for x1, y1, x2, y2 in heads:
        left, top = max(0, int(x1)), max(0, int(y1))
        right, bottom = min(width, int(np.ceil(x2))), min(height, int(np.ceil(y2)))
        if right > left and bottom > top:
            image[top:bottom, left:right] = HEAD_FILL
    return image
