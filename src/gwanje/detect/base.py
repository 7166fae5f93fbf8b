"""The contracts every detector and track analyser follows."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from gwanje.core.detections import Detections
from gwanje.core.frame import Frame


@runtime_checkable
class Detector(Protocol):
    """Turns frames into detections. Frames of several cameras may arrive in one batch.

    A detector is shared by every camera that uses it and is called from one inference thread,
    so it may keep per-camera state keyed by ``frame.camera_id`` (clip models keep their
    windows that way). ``labels`` lists what it can output.

    Example:
        >>> class Nothing:
        ...     name = "nothing"
        ...     labels = ("thing",)
        ...     def detect(self, frames): return [Detections.empty() for _ in frames]
        ...     def close(self): pass
        >>> isinstance(Nothing(), Detector)
        True
    """

    name: str
    labels: tuple[str, ...]

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        """One Detections per frame, boxes in that frame's pixels."""
        ...

    def close(self) -> None:
        """Release sessions and per-camera state."""
        ...


@runtime_checkable
class TrackAnalyzer(Protocol):
    """Runs after tracking on one camera's frame and its tracked people (fight windows, pose).

    Returns extra detections for the frame (for example a ``fight`` box with its confidence, or
    the same people with ``keypoints`` filled). Per-camera state is keyed by ``frame.camera_id``.
    ``regions`` are the frame's untracked region detections (fire, smoke: boxes that are places,
    not objects); an analyser of motion uses them to ignore what is not people moving, others may
    ignore them. None means not known (the same as no regions).
    """

    name: str
    labels: tuple[str, ...]

    def analyze(self, frame: Frame, tracks: Detections, regions: Detections | None = None) -> Detections: ...

    def close(self) -> None: ...


@runtime_checkable
class FaintReporter(Protocol):
    """A detector that can also report boxes scored below its threshold, down to a floor ("faint" boxes).

    Its boxes above the threshold must not change; callers tell faint boxes by their score. The person
    detector does it for the fall rule (people lying flat score low).
    """

    def report_faint(self, down_to: float) -> None: ...


@runtime_checkable
class ImageScorer(Protocol):
    """A detector that can also score whole frames below its operating point (for precision-recall curves).

    Scores are confidences on the detector's own scale: >= 0.5 exactly where ``detect`` reports a region.
    """

    def image_scores(self, frames: Sequence[Frame]) -> list[dict[str, float]]: ...
