"""What a rule sees about one analysed frame."""

from __future__ import annotations

from dataclasses import dataclass, field

from gwanje.core.detections import Detections
from gwanje.core.frame import Frame


@dataclass(frozen=True)
class FrameContext:
    """One analysed frame with everything the detectors and the tracker said about it.

    ``detections`` holds every detector's output for the frame (labels tell them apart);
    ``tracks`` holds the tracked objects (``tracker_id`` set, keypoints when pose ran).
    ``faint`` holds boxes scored below their detector's threshold, given only to a rule that declared a
    score floor (``RuleNeeds.score_floor``), filtered to its labels and floor; they are not in ``detections``
    and not tracked, and every other rule sees it empty.
    ``time_s`` is the frame's stream position, which rules use for dwell times so that a file
    analysed faster than real time behaves like the live stream.
    """

    frame: Frame
    detections: Detections
    tracks: Detections = field(default_factory=Detections.empty)
    faint: Detections = field(default_factory=Detections.empty)

    @property
    def time_s(self) -> float:
        return self.frame.pts_s
