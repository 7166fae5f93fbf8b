"""Points and polygons in relative coordinates (0..1 of the frame width and height)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

RelCoord = Annotated[float, Field(ge=0.0, le=1.0)]
RelPoint = tuple[RelCoord, RelCoord]


def _check_polygon(points: list[RelPoint]) -> list[RelPoint]:
    if len(points) < 3:
        raise ValueError(f"a polygon needs at least 3 points [x, y], got {len(points)}")
    area2 = 0.0
    for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
        area2 += x1 * y2 - x2 * y1
    if abs(area2) < 1e-9:
        raise ValueError("the polygon's points are all on one line (zero area)")
    return points


Polygon = Annotated[list[RelPoint], AfterValidator(_check_polygon)]
"""At least three [x, y] points, each in 0..1 relative to the frame (0,0 = top left)."""


def _check_line(points: list[RelPoint]) -> list[RelPoint]:
    if len(points) != 2:
        raise ValueError(f"a line has exactly 2 points [[x1, y1], [x2, y2]], got {len(points)}")
    if points[0] == points[1]:
        raise ValueError("the two points of the line are the same")
    return points


Line = Annotated[list[RelPoint], AfterValidator(_check_line)]
