"""Polygon zones and line geometry in frame pixels, vectorised over many points.

Zones are configured relative to the frame (0..1) so they survive a resolution change; they are
scaled to pixels per call. An object is in a zone when its foot point (bottom centre of its box,
Frigate's convention) is: a person standing in front of a doorway is not inside it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from gwanje.config.camera import ZoneConfig
from gwanje.core.detections import Detections, FloatArray

BoolArray = npt.NDArray[np.bool_]


class PolygonZone:
    """A named polygon in relative coordinates.

    Example:
        >>> zone = PolygonZone("door", [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])
        >>> zone.contains(np.array([[10.0, 50.0], [90.0, 50.0]]), frame_w=100, frame_h=100).tolist()
        [True, False]
    """

    def __init__(self, name: str, polygon_rel: Sequence[tuple[float, float]]) -> None:
        points = np.asarray(polygon_rel, dtype=np.float64)
        if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 3:
            raise ValueError(f"zone {name!r} needs at least 3 points [x, y], got {polygon_rel!r}")
        if not np.all((points >= 0) & (points <= 1)):
            raise ValueError(f"zone {name!r} points must be relative to the frame (0..1), got {polygon_rel!r}")
        self.name = name
        self.polygon_rel = points

    @classmethod
    def from_config(cls, config: ZoneConfig) -> PolygonZone:
        return cls(config.name, config.polygon)

    def polygon_px(self, frame_w: int, frame_h: int) -> FloatArray:
        return np.asarray(self.polygon_rel * np.array([frame_w, frame_h]), dtype=np.float32)

    def contains(self, points_xy_pixels: npt.ArrayLike, frame_w: int, frame_h: int) -> BoolArray:
        """Which points (N x 2, pixels) lie inside; even-odd ray casting, so any simple or self-crossing polygon works."""
        pts = np.asarray(points_xy_pixels, dtype=np.float64).reshape(-1, 2)
        poly = self.polygon_rel * np.array([frame_w, frame_h], dtype=np.float64)
        x, y = pts[:, 0:1], pts[:, 1:2]  # N x 1, broadcast against the M edges
        x1, y1 = poly[:, 0], poly[:, 1]
        x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
        straddles = (y1 > y) != (y2 > y)
        with np.errstate(divide="ignore", invalid="ignore"):
            x_cross = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
        crossings = np.sum(straddles & (x < x_cross), axis=1)
        return np.asarray(crossings % 2 == 1)

    def trigger(self, detections: Detections, frame_w: int, frame_h: int) -> BoolArray:
        """Which detections have their foot point inside the zone."""
        return self.contains(detections.bottom_center, frame_w, frame_h)


def side_of_line(points: npt.ArrayLike, a: Sequence[float], b: Sequence[float]) -> FloatArray:
    """Signed distance (px) of each point from the infinite line a→b.

    In image coordinates (y down), negative is the left of someone walking from ``a`` to ``b``
    as seen on screen, positive their right: for a line drawn left to right, above is negative.
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    ax, ay = float(a[0]), float(a[1])
    dx, dy = float(b[0]) - ax, float(b[1]) - ay
    length = float(np.hypot(dx, dy))
    if length == 0:
        raise ValueError(f"a line needs two different points, got a={tuple(a)} and b={tuple(b)}")
    return ((dx * (pts[:, 1] - ay) - dy * (pts[:, 0] - ax)) / length).astype(np.float32)


def segments_cross(p: npt.ArrayLike, q: npt.ArrayLike, a: Sequence[float], b: Sequence[float]) -> BoolArray:
    """Whether each movement p[i]→q[i] (N x 2 each) crosses the segment a–b (touching counts)."""
    p_arr = np.asarray(p, dtype=np.float64).reshape(-1, 2)
    q_arr = np.asarray(q, dtype=np.float64).reshape(-1, 2)
    a_arr = np.asarray(a, dtype=np.float64)
    b_arr = np.asarray(b, dtype=np.float64)
    move = q_arr - p_arr
    side_a = _cross(move, a_arr - p_arr)
    side_b = _cross(move, b_arr - p_arr)
    side_p = _cross(b_arr - a_arr, p_arr - a_arr)
    side_q = _cross(b_arr - a_arr, q_arr - a_arr)
    moved = np.any(move != 0, axis=1)
    return np.asarray(moved & (side_p * side_q <= 0) & (side_a * side_b <= 0))


def _cross(u: npt.NDArray[np.float64], v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """z of the 2D cross product, row by row (broadcasts)."""
    return np.asarray(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
