"""Snapshots: valid JPEGs whose pixels change where boxes, tracks and zones are drawn."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from gwanje.core.detections import Detections
from gwanje.core.events import Event, EventState, EventType
from gwanje.events.evidence import render_event_snapshot, render_snapshot


def _decode(jpeg: bytes) -> np.ndarray:
    assert jpeg[:2] == b"\xff\xd8" and jpeg[-2:] == b"\xff\xd9"
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image is not None
    return image


def _red(image: np.ndarray) -> np.ndarray:
    b, g, r = (image[..., c].astype(int) for c in range(3))
    return (r > 150) & (g < 100) & (b < 100)


def test_box_is_drawn_where_it_belongs_and_the_input_is_untouched() -> None:
    image = np.full((240, 320, 3), 60, np.uint8)
    before = image.copy()
    out = _decode(render_snapshot(image, [(100, 120, 200, 220)], ["fire"], [0.87]))
    assert out.shape == image.shape
    np.testing.assert_array_equal(image, before)
    red = _red(out)
    assert red[170, 98:103].any()  # left edge of the box
    assert not red[170, 130:170].any()  # inside stays the scene
    assert not red[:, :80].any()  # far from the box nothing is red
    assert red[95:120, 100:180].any()  # the label sits above the box


def test_plain_frame_is_unchanged_apart_from_jpeg_loss() -> None:
    image = np.full((120, 160, 3), 90, np.uint8)
    out = _decode(render_snapshot(image, []))
    assert np.abs(out.astype(int) - 90).max() <= 3


def test_tracks_keypoints_and_zones_are_drawn() -> None:
    image = np.zeros((200, 200, 3), np.uint8)
    tracks = Detections.from_arrays(
        [[20, 20, 60, 100]], [0.9], "person", tracker_id=[7], keypoints=np.array([[[150, 150, 0.9]]])
    )
    zones = [("door", [(0.5, 0.05), (0.95, 0.05), (0.95, 0.5), (0.5, 0.5)])]
    out = _decode(render_snapshot(image, [], tracks=tracks, zones=zones))
    assert out[60, 18:23].max() > 100  # track box edge
    assert out[148:153, 148:153].max() > 100  # keypoint
    assert out[98:103, 140].max() > 100  # bottom edge of the zone at y = 100
    assert out[150, 20:60].max() < 30  # away from drawings it stays dark


def test_event_snapshot_rescales_boxes_to_the_image() -> None:
    event = Event(
        id="e",
        camera_id="c",
        event_type=EventType.FIRE,
        state=EventState.START,
        start_time=0.0,
        start_pts_s=0.0,
        peak_confidence=0.9,
        boxes=[(200, 240, 400, 440)],
        frame_size=(640, 480),
    )
    out = _decode(render_event_snapshot(np.zeros((240, 320, 3), np.uint8), event))
    red = _red(out)
    assert red[170, 98:103].any()  # x = 200 in the 640-wide frame is x = 100 here
    assert not red[170, 195:198].any()


def test_bad_image_is_refused() -> None:
    with pytest.raises(ValueError, match="H x W x 3"):
        render_snapshot(np.zeros((10, 10), np.uint8), [])
