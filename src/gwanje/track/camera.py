"""The tracker of one camera, set to the operating point of the detectors that feed it.

ByteTrack splits detections at one score: above it are the boxes the system trusts as objects
(matched first, to every track, and allowed to start tracks); below it are boxes it would
otherwise throw away, used only to extend tracks seen on the previous frame. That score is the
detector's operating point. Gwanje's detectors already cut at their own ``threshold``, and what
they report is what the rest of the system calls a person (or a watched object), so the tracker's
high threshold is that same threshold: a person the detector reports at 0.45 with threshold 0.4
starts a track, and zone rules see them. The low stage keeps whatever a detector gives below its
threshold (nothing from the shipped detectors, which report only above it).
"""

from __future__ import annotations

from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import OnnxObjectDetectorConfig, PersonDetectorConfig
from gwanje.config.schema import AppConfig
from gwanje.track.tracker import Tracker

DEFAULT_LOW_THRESHOLD = Tracker().low_threshold


def track_threshold(app: AppConfig, camera: CameraConfig) -> float | None:
    """The lowest ``threshold`` of the camera's detectors whose labels are tracked, None when it has none.

    With several such detectors every box any of them reports is at least this confident, so each
    counts as a confident detection for the tracker, as it does for its own detector.
    """
    thresholds = [
        config.threshold
        for name in camera.detectors
        if isinstance(config := app.detectors.get(name), PersonDetectorConfig | OnnxObjectDetectorConfig)
    ]
    return min(thresholds) if thresholds else None


def tracker_from(high: float) -> Tracker:
    """A tracker whose confident detections (matched first, may start tracks) score at least ``high``."""
    return Tracker(high_threshold=high, low_threshold=min(DEFAULT_LOW_THRESHOLD, high))


def camera_tracker(app: AppConfig, camera: CameraConfig) -> Tracker:
    """A tracker whose confident detections (matched first, may start tracks) are those the detectors report."""
    high = track_threshold(app, camera)
    return Tracker() if high is None else tracker_from(high)
