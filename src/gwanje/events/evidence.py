"""Snapshot evidence: the frame as a JPEG with the event's boxes, the tracked objects and the zones drawn.

Clips (the pre/post-event video) are recorded by ``gwanje.events.clip.ClipRecorder``.

Example:
    >>> import numpy as np
    >>> jpeg = render_snapshot(np.zeros((120, 160, 3), np.uint8), [(10, 10, 60, 60)], ["fire"], [0.9])
    >>> jpeg[:2] == b"\\xff\\xd8"
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.core.detections import Detections
from gwanje.core.events import Event
from gwanje.core.frame import Image

Box = Sequence[float]
ZoneOutline = tuple[str, Sequence[tuple[float, float]]]
"""A zone name and its polygon relative to the frame (0..1)."""

EVENT_COLOR = (0, 0, 255)  # red, BGR
TRACK_COLOR = (255, 200, 0)
ZONE_COLOR = (0, 215, 255)
KEYPOINT_MIN_SCORE = 0.3


def _scale(width: int) -> tuple[float, int]:
    """Font scale and line thickness that stay readable from 320 px to 4K frames."""
    return max(0.4, 0.6 * width / 1280), max(1, round(width / 640))


def _label(img: Image, text: str, x: int, y: int, color: tuple[int, int, int], font_scale: float) -> None:
    """Text on a filled background above (x, y), or below it at the top edge."""
    (tw, th), base = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, font_scale, 1)
    top = y - th - base - 2 if y - th - base - 2 >= 0 else y
    cv2.rectangle(img, (x, top), (x + tw + 4, top + th + base + 2), color, thickness=-1)
    cv2.putText(img, text, (x + 2, top + th + 1), cv2.FONT_HERSHEY_SIMPLEX, font_scale, (255, 255, 255), 1, cv2.LINE_AA)


def _draw_zones(img: Image, zones: Sequence[ZoneOutline], font_scale: float, thickness: int) -> None:
    height, width = img.shape[:2]
    for name, polygon in zones:
        points = np.round(np.asarray(polygon, np.float64) * (width, height)).astype(np.int32)
        cv2.polylines(img, [points], isClosed=True, color=ZONE_COLOR, thickness=thickness, lineType=cv2.LINE_AA)
        x, y = (int(v) for v in points.min(axis=0))
        _label(img, name, x, y, ZONE_COLOR, font_scale * 0.8)


def _draw_tracks(img: Image, tracks: Detections, font_scale: float) -> None:
    for i, (x1, y1, x2, y2) in enumerate(np.round(tracks.xyxy).astype(int).tolist()):
        cv2.rectangle(img, (x1, y1), (x2, y2), TRACK_COLOR, 1)
        track_id = int(tracks.tracker_id[i])
        text = f"{tracks.label[i]} #{track_id}" if track_id >= 0 else str(tracks.label[i])
        _label(img, text, x1, y1, TRACK_COLOR, font_scale * 0.8)
    if tracks.keypoints is not None:
        for x, y, score in tracks.keypoints.reshape(-1, 3).tolist():
            if score >= KEYPOINT_MIN_SCORE:
                cv2.circle(img, (round(x), round(y)), 2, TRACK_COLOR, -1)


def render_snapshot(
    image: Image,
    boxes: Sequence[Box] | npt.NDArray[Any],
    labels: Sequence[str] = (),
    confidences: Sequence[float] = (),
    tracks: Detections | None = None,
    zones: Sequence[ZoneOutline] | None = None,
    jpeg_quality: int = 85,
) -> bytes:
    """A JPEG of ``image`` (BGR, not modified) with zones, tracks and the event boxes drawn on top.

    ``labels`` and ``confidences`` go with ``boxes`` one to one, or one label for all boxes.
    """
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"render_snapshot needs an H x W x 3 BGR image, got shape {image.shape}")
    img = np.ascontiguousarray(image.copy())
    font_scale, thickness = _scale(img.shape[1])
    if zones:
        _draw_zones(img, zones, font_scale, thickness)
    if tracks is not None and len(tracks):
        _draw_tracks(img, tracks, font_scale)
    for i, (x1, y1, x2, y2) in enumerate(np.round(np.asarray(boxes, np.float64).reshape(-1, 4)).astype(int).tolist()):
        cv2.rectangle(img, (x1, y1), (x2, y2), EVENT_COLOR, thickness + 1)
        label = labels[i] if i < len(labels) else (labels[0] if labels else "")
        text = f"{label} {confidences[i]:.2f}".strip() if i < len(confidences) else label
        if text:
            _label(img, text, x1, y1, EVENT_COLOR, font_scale)
    ok, encoded = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
    if not ok:
        raise ValueError(f"JPEG encoding of a {img.shape[1]}x{img.shape[0]} snapshot failed")
    return bytes(encoded.tobytes())


def render_event_snapshot(
    image: Image,
    event: Event,
    tracks: Detections | None = None,
    zones: Sequence[ZoneOutline] | None = None,
) -> bytes:
    """The snapshot of an event: its peak boxes labelled with its label (or type) and peak confidence.

    The boxes are rescaled when ``image`` is not the size of the frame they were found on.
    """
    boxes = np.asarray(event.boxes, np.float64).reshape(-1, 4)
    width, height = event.frame_size
    if width and height and (width, height) != (image.shape[1], image.shape[0]):
        boxes = boxes * np.array([image.shape[1] / width, image.shape[0] / height] * 2)
    label = event.label or event.event_type.value
    return render_snapshot(image, boxes, [label], [event.peak_confidence] * len(boxes), tracks, zones)
