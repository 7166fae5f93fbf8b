from __future__ import annotations

import numpy as np
import pytest

from gwanje.config.camera import ZoneConfig
from gwanje.core.detections import Detections
from gwanje.events.zones import PolygonZone, segments_cross, side_of_line


def test_contains_scales_relative_polygon_to_pixels() -> None:
    zone = PolygonZone("left half", [(0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0)])
    points = np.array([[10, 10], [319, 200], [321, 200], [650, 10]], np.float32)
    assert zone.contains(points, 640, 480).tolist() == [True, True, False, False]
    assert zone.contains(points, 1280, 960).tolist() == [True, True, True, False]


def test_concave_polygon() -> None:
    # a U shape: the notch in the middle top is outside
    u = [(0.1, 0.1), (0.3, 0.1), (0.3, 0.6), (0.7, 0.6), (0.7, 0.1), (0.9, 0.1), (0.9, 0.9), (0.1, 0.9)]
    zone = PolygonZone.from_config(ZoneConfig(name="u", polygon=u))
    inside = zone.contains([[20, 20], [50, 30], [80, 20], [50, 80], [95, 50]], 100, 100)
    assert inside.tolist() == [True, False, True, True, False]


def test_trigger_uses_the_foot_point() -> None:
    zone = PolygonZone("floor", [(0.0, 0.5), (1.0, 0.5), (1.0, 1.0), (0.0, 1.0)])
    # box centre above the zone but feet inside; and a box entirely above
    d = Detections.from_arrays([[100, 100, 140, 260], [300, 10, 340, 200]], [0.9, 0.9], "person")
    assert zone.trigger(d, 640, 480).tolist() == [True, False]
    assert zone.trigger(Detections.empty(), 640, 480).tolist() == []


def test_bad_polygons_are_rejected() -> None:
    with pytest.raises(ValueError, match="at least 3 points"):
        PolygonZone("z", [(0, 0), (1, 1)])
    with pytest.raises(ValueError, match="relative to the frame"):
        PolygonZone("z", [(0, 0), (100, 0), (100, 100)])


def test_side_of_line_sign_follows_the_walker() -> None:
    # walking along a line drawn left to right: above (smaller y) is on the walker's left, negative
    sides = side_of_line([[50, 40], [50, 60], [500, 50]], (0, 50), (100, 50))
    assert sides.tolist() == [-10.0, 10.0, 0.0]
    # a vertical line drawn top to bottom: the right of the screen is the walker's left
    assert side_of_line([[60, 0]], (50, 0), (50, 100))[0] < 0
    with pytest.raises(ValueError, match="two different points"):
        side_of_line([[0, 0]], (1, 1), (1, 1))


def test_segments_cross() -> None:
    a, b = (0.0, 50.0), (100.0, 50.0)
    p = [[50, 40], [50, 40], [150, 40], [50, 40], [50, 40]]
    q = [[50, 60], [60, 45], [150, 60], [50, 50], [50, 40]]
    # crosses; stays above; crosses beyond the segment's end; touches; does not move
    assert segments_cross(p, q, a, b).tolist() == [True, False, False, True, False]
