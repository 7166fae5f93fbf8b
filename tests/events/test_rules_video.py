"""Tracker and rules on a real decoded H.264 clip, with boxes found by thresholding (no model needed)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import av
import numpy as np

from gwanje.config.camera import CameraConfig
from gwanje.config.detectors import PersonDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.events import Observation
from gwanje.core.frame import Frame
from gwanje.events.context import FrameContext
from gwanje.events.rules.factory import build_rules
from gwanje.track.tracker import Tracker
from tests.support.media import frames_from, write_clip
from tests.track.scenes import WALL_START

W, H, FPS = 320, 240, 10


def scene(i: int) -> np.ndarray:
    """Two bright 'people' on a dark floor: one walks right across the door line, one stands still."""
    img = np.full((H, W, 3), 30, np.uint8)
    x = min(40 + 6 * i, 260)  # walks 60 px/s, stops inside the yard
    img[150:200, x : x + 20] = 255
    img[140:190, 5:25] = 255
    return img


def blobs(image: np.ndarray) -> Detections:
    """Boxes of the bright columns of the image, found by thresholding: a stand-in for a person detector."""
    bright = image.mean(axis=2) > 128
    cols = np.flatnonzero(bright.any(axis=0))
    if not len(cols):
        return Detections.empty()
    runs = np.split(cols, np.flatnonzero(np.diff(cols) > 1) + 1)
    boxes = []
    for run in runs:
        rows = np.flatnonzero(bright[:, run].any(axis=1))
        boxes.append([run[0], rows[0], run[-1] + 1, rows[-1] + 1])
    return Detections.from_arrays(boxes, [0.9] * len(boxes), "person")


def test_tracker_and_rules_on_a_decoded_clip(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "walk.mp4", frames_from(scene, 80), fps=FPS)
    cam = CameraConfig.model_validate(
        {
            "id": "cam",
            "source": {"url": str(clip)},
            "detectors": ["person"],
            "zones": [{"name": "yard", "polygon": [[0.6, 0.5], [1, 0.5], [1, 1], [0.6, 1]]}],
            "rules": [
                {"type": "line_crossing", "name": "door", "line": [[0.5, 0.3], [0.5, 1.0]], "direction": "b_to_a"},
                {"type": "intrusion", "zone": "yard", "min_dwell_s": 1.0},
                {"type": "loitering", "zone": "yard", "min_time_s": 3.0},
            ],
        }
    )
    rules = build_rules(cam, {"person": PersonDetectorConfig()})
    tracker = Tracker()
    observations: list[tuple[float, Observation]] = []
    ids: set[int] = set()
    with av.open(str(clip)) as container:
        for seq, decoded in enumerate(container.decode(video=0)):
            image = decoded.to_ndarray(format="bgr24")
            t = float(decoded.time)
            frame = Frame("cam", seq, t, WALL_START + t, image)
            tracked = tracker.update(blobs(image), t)
            ids.update(int(i) for i in tracked.tracker_id)
            ctx = FrameContext(frame=frame, detections=tracked, tracks=tracked)
            for rule in rules:
                observations += [(t, o) for o in rule.evaluate(ctx)]
    assert seq == 79
    assert ids == {1, 2}  # two objects, two ids, for the whole clip
    kinds = Counter(o.event_type.value for _, o in observations)
    assert kinds["line_crossing"] == 1  # the walker crosses x = 160 once, left to right (b_to_a)
    crossing_t = next(t for t, o in observations if o.event_type.value == "line_crossing")
    assert 1.8 <= crossing_t <= 2.0  # foot x = 50 + 6i passes 160 at i = 19
    intrusion_t = min(t for t, o in observations if o.event_type.value == "intrusion")
    loitering_t = min(t for t, o in observations if o.event_type.value == "loitering")
    # the walker's foot reaches x = 192 (0.6 W) at i = 24, so intrusion 1 s later and loitering 3 s later
    assert 3.3 <= intrusion_t <= 3.5
    assert 5.3 <= loitering_t <= 5.5
    walker = next(o for _, o in observations).boxes.tracker_id.tolist()
    assert all(o.boxes.tracker_id.tolist() == walker for _, o in observations)
