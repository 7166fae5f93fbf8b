"""Constructed scenes for tracker and rule tests: frames, contexts and people moving in time."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.events.context import FrameContext

WIDTH, HEIGHT = 640, 480
WALL_START = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC, a Tuesday
_IMAGE = np.zeros((HEIGHT, WIDTH, 3), np.uint8)
_IMAGE.flags.writeable = False


def frame_at(time_s: float, wall_start: float = WALL_START, seq: int = 0, segment: int = 0) -> Frame:
    return Frame(camera_id="cam", seq=seq, pts_s=time_s, wall_time=wall_start + time_s, image=_IMAGE, segment=segment)


def tracks(
    boxes: Sequence[Sequence[float]],
    ids: Sequence[int],
    confidence: float | Sequence[float] = 0.9,
    label: str | Sequence[str] = "person",
    keypoints: np.ndarray | None = None,
) -> Detections:
    conf = [confidence] * len(boxes) if isinstance(confidence, float) else list(confidence)
    return Detections.from_arrays(
        np.asarray(boxes, np.float32).reshape(-1, 4),
        conf,
        label if isinstance(label, str) else list(label),
        ids,
        keypoints,
    )


def ctx_at(
    time_s: float, rows: Detections | None = None, wall_start: float = WALL_START, segment: int = 0
) -> FrameContext:
    rows = Detections.empty() if rows is None else rows
    return FrameContext(frame=frame_at(time_s, wall_start, segment=segment), detections=rows, tracks=rows)


def person_box(foot_x: float, foot_y: float, height: float = 120.0, width: float = 40.0) -> list[float]:
    """A box standing on (foot_x, foot_y)."""
    return [foot_x - width / 2, foot_y - height, foot_x + width / 2, foot_y]


def coco_keypoints(box: Sequence[float], lying: bool, hips_high: bool = False) -> np.ndarray:
    """17 x 3 COCO keypoints with only shoulders and hips confident, upright or lying in ``box``."""
    x1, y1, x2, y2 = box
    kps = np.zeros((17, 3), np.float32)
    if lying:  # head to the left, torso horizontal near the ground
        hip_y = y1 + (y2 - y1) * (0.3 if hips_high else 0.6)
        shoulders = [(x1 + 0.2 * (x2 - x1), hip_y)] * 2
        hips = [(x1 + 0.55 * (x2 - x1), hip_y + 3)] * 2
    else:
        cx = (x1 + x2) / 2
        shoulders = [(cx - 8, y1 + 0.2 * (y2 - y1)), (cx + 8, y1 + 0.2 * (y2 - y1))]
        hips = [(cx - 6, y1 + 0.55 * (y2 - y1)), (cx + 6, y1 + 0.55 * (y2 - y1))]
    for idx, (x, y) in zip((5, 6, 11, 12), [*shoulders, *hips], strict=True):
        kps[idx] = (x, y, 0.9)
    return kps


def to_blazepose(coco: np.ndarray) -> np.ndarray:
    """The same shoulders and hips in BlazePose-33 order."""
    kps = np.zeros((33, 3), np.float32)
    kps[[11, 12, 23, 24]] = coco[[5, 6, 11, 12]]
    return kps
