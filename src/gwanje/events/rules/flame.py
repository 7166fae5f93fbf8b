"""Flames found by colour and flicker alone, for fires the single-image model scores too low.

A flame is a blob of bright orange-to-yellow pixels that stays where it is while its edge flickers:
from one analysed frame to the next, pixels at the flame's border switch between flame colour and
not, with a large change of brightness. The cue keeps the last ``HISTORY`` small frames and reports
each blob that

* is flame-coloured in every frame of the history (at least ``MIN_PIXELS`` pixels each time),
* stays put: its centre moves less than ``MAX_DRIFT`` x its size between frames (a person in an
  orange jacket, a car's light or a reflection sliding over a wall moves as a whole), and
* flickers: a share of its pixels (``flicker`` in 0..1) switched in or out of flame colour at least
  twice, each time with a brightness change of at least ``TOGGLE_LEVEL`` grey levels (sensor noise and
  compression make thin bright edges such as wood grain switch with small changes; those do not count).
  Switches under a person's box (in either frame of the pair) do not count either: a person walking in
  front of an orange wall or sign makes its pixels switch exactly like a flame's edge.

Static lamps, red signs, orange furniture and sunsets score 0 (nothing switches); a greyscale or
near-IR frame has no flame colour at all. What still passes: blinking amber lights that stay in
place, a screen showing fire. Found on the development clips of ``fire-indoor-rf`` (docs/models/fire-smoke.md,
"Video logic and greyscale").
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.core.frame import Image

HISTORY = 6
MIN_FRAMES = 4
"""Frames of history before a blob can be reported (0.6 s at 5 fps)."""
MIN_PIXELS = 3
"""Flame pixels a blob needs in every frame of the history (on the small frame)."""
MIN_AREA = 6
"""Pixels a blob must have covered at least once (smaller specks are noise)."""
MAX_DRIFT = 0.5
"""Largest frame-to-frame move of a blob's centre, in units of sqrt(area)."""
TOGGLE_LEVEL = 15
"""Grey levels a pixel's brightness must change by for its switch in or out of flame colour to count."""


def flame_colour(small: Image) -> npt.NDArray[np.bool_]:
    """Bright orange-to-yellow pixels (BGR): R >= 200, R >= G >= B, R - B >= 70, G >= 0.4 R."""
    b, g, r = (small[..., i].astype(np.int16) for i in range(3))
    return (r >= 200) & (r >= g) & (g >= b) & (r - b >= 70) & (g * 5 >= r * 2)


@dataclass(frozen=True)
class Flame:
    """A flickering flame-coloured blob on the small frame."""

    box: tuple[int, int, int, int]
    """x1, y1, x2, y2 in pixels of the small frame."""
    flicker: float
    """Share of the blob's pixels that switched in or out of flame colour twice or more, with a large change."""


class FlameCue:
    """Per-camera history of small frames; :meth:`update` returns the flames in the newest one."""

    def __init__(self) -> None:
        self._masks: deque[npt.NDArray[np.bool_]] = deque(maxlen=HISTORY)
        self._greys: deque[npt.NDArray[np.int16]] = deque(maxlen=HISTORY)
        self._people: deque[npt.NDArray[np.bool_]] = deque(maxlen=HISTORY)

    def clear(self) -> None:
        self._masks.clear()
        self._greys.clear()
        self._people.clear()

    def update(
        self, small: Image, grey: npt.NDArray[np.float32], people: npt.NDArray[np.bool_] | None = None
    ) -> list[Flame]:
        """Add a small BGR frame (and its grey copy, and where people are on it); the flames seen over the history."""
        self._masks.append(flame_colour(small))
        self._greys.append(grey.astype(np.int16))
        self._people.append(np.zeros(grey.shape[:2], np.bool_) if people is None else people)
        if len(self._masks) < MIN_FRAMES:
            return []
        ever: npt.NDArray[np.bool_] = np.logical_or.reduce(list(self._masks))
        if not ever.any():
            return []  # nothing flame-coloured in the history: what most cameras see, at the cost of one test
        count, labels, stats, _ = cv2.connectedComponentsWithStats(
            cv2.dilate(ever.astype(np.uint8), np.ones((3, 3), np.uint8)), connectivity=8
        )
        found = []
        for k in range(1, count):
            x, y, w, h = (int(v) for v in stats[k, :4])
            window = np.s_[y : y + h, x : x + w]  # the blob's bounding box: everything below looks only there
            blob = (labels[window] == k) & ever[window]
            area = int(blob.sum())
            if area < MIN_AREA:
                continue
            masks = np.stack([m[window] for m in self._masks])
            seen = masks & blob
            if int(seen.sum(axis=(1, 2)).min()) < MIN_PIXELS or _drift(seen) >= MAX_DRIFT * np.sqrt(area):
                continue
            found.append(Flame((x, y, x + w, y + h), self._flicker(window, masks, blob)))
        return found

    def _flicker(self, window: tuple[slice, slice], masks: npt.NDArray[np.bool_], blob: npt.NDArray[np.bool_]) -> float:
        """Share of the blob's pixels that switched in or out of flame colour twice or more with a large change of
        brightness, away from people (``masks``: the history's flame colour in the blob's window)."""
        changed = np.abs(np.diff(np.stack([g[window] for g in self._greys]), axis=0)) >= TOGGLE_LEVEL
        people_seen = np.stack([p[window] for p in self._people])
        changed &= ~(people_seen[:-1] | people_seen[1:])
        toggles = (np.diff(masks.astype(np.int8), axis=0) != 0) & changed
        return float((toggles.sum(axis=0) >= 2)[blob].mean())


def _drift(seen: npt.NDArray[np.bool_]) -> float:
    """Largest move of a blob's centre between consecutive frames, in pixels (``seen``: its pixels per frame)."""
    counts = seen.sum(axis=(1, 2))
    rows = seen.sum(axis=2) @ np.arange(seen.shape[1])  # per frame, the sum of its pixels' row numbers (exact)
    columns = seen.sum(axis=1) @ np.arange(seen.shape[2])
    centres = np.stack([rows / counts, columns / counts], axis=1)
    return float(np.linalg.norm(np.diff(centres, axis=0), axis=1).max())
