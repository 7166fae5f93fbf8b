"""Is a person upright or down? From the torso angle when keypoints are good, else from the box shape."""

from __future__ import annotations

import math
from enum import Enum

import numpy as np

from gwanje.core.detections import FloatArray
from gwanje.track.history import TrackSample

TORSO_JOINTS: dict[int, tuple[tuple[int, int], tuple[int, int]]] = {
    17: ((5, 6), (11, 12)),  # COCO-17 (MoveNet, YOLO-pose): shoulders, hips
    33: ((11, 12), (23, 24)),  # BlazePose-33 (MediaPipe)
}
"""Keypoint count -> (left/right shoulder, left/right hip) indices."""

MIN_KEYPOINT_SCORE = 0.3
UPRIGHT_TORSO_DEG = 35.0
"""Torso within this angle of vertical: upright (standing, walking, sitting straight)."""
DOWN_TORSO_DEG = 55.0
"""Torso at least this far from vertical, with the hips low: down."""
LOW_HIPS = 0.35
"""Hips this close to the box bottom, in reference body heights, count as on the ground (not bending over)."""
UPRIGHT_ASPECT = 1.3
"""Without keypoints: box height / width at least this is upright."""
DOWN_ASPECT = 1.2
"""Without keypoints: box width / height at least this is down (lying across the view)."""


class Posture(Enum):
    UPRIGHT = "upright"
    DOWN = "down"
    UNCLEAR = "unclear"


def torso(keypoints: FloatArray, min_score: float = MIN_KEYPOINT_SCORE) -> tuple[float, float] | None:
    """(angle from vertical in degrees, hip y in px) of one person's K x 3 keypoints, or None.

    Needs at least one confident shoulder and one confident hip; the layout is told by K
    (17: COCO, 33: BlazePose). Other layouts give None, so the caller falls back to the box.
    """
    joints = TORSO_JOINTS.get(int(keypoints.shape[0]))
    if joints is None:
        return None
    shoulders, hips = (keypoints[list(idx)] for idx in joints)
    shoulders = shoulders[shoulders[:, 2] >= min_score]
    hips = hips[hips[:, 2] >= min_score]
    if not len(shoulders) or not len(hips):
        return None
    top = shoulders[:, :2].mean(axis=0)
    bottom = hips[:, :2].mean(axis=0)
    dx, dy = float(top[0] - bottom[0]), float(bottom[1] - top[1])
    if dx == 0 and dy == 0:
        return None
    return math.degrees(math.atan2(abs(dx), dy)), float(bottom[1])


def posture(sample: TrackSample, reference_height: float | None = None) -> Posture:
    """Posture of one sample; ``reference_height`` is the person's upright box height when known."""
    w, h = sample.width, sample.height
    if sample.keypoints is not None and np.all(np.isfinite(sample.keypoints)):
        found = torso(sample.keypoints)
        if found is not None:
            angle, hip_y = found
            if angle <= UPRIGHT_TORSO_DEG:
                # Pose models read an upright torso into a body lying across the view now and then (a side view
                # of someone on the floor, 0.1-0.3 s at a time): a box this wide is not someone standing.
                return Posture.UNCLEAR if w > 0 and h > 0 and w / h >= DOWN_ASPECT else Posture.UPRIGHT
            ref = reference_height or h
            if angle >= DOWN_TORSO_DEG and sample.xyxy[3] - hip_y <= LOW_HIPS * ref:
                return Posture.DOWN
            return Posture.UNCLEAR
    if w <= 0 or h <= 0:
        return Posture.UNCLEAR
    if h / w >= UPRIGHT_ASPECT:
        return Posture.UPRIGHT
    if w / h >= DOWN_ASPECT:
        return Posture.DOWN
    return Posture.UNCLEAR
