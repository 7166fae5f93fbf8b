"""The contracts every detector and track analyser follows, and what each declares it produces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Protocol, runtime_checkable

from gwanje.core.detections import Detections
from gwanje.core.frame import Frame


class LabelKind(StrEnum):
    """What a detected label stands for."""

    REGION = "region"
    """A place (fire, smoke, a fight): never given a track id."""
    OBJECT = "object"
    """A thing that moves (a person, a user model's car): tracked."""


@dataclass(frozen=True)
class Produces:
    """What a detector or track analyser outputs; the pipeline builds itself per camera from this.

    ``labels``: each label it may output and whether it is a region or a tracked object.
    ``threshold``: the score its reported boxes are above (its operating point), None when its scores
    have no such cut. ``faint``: it can also report boxes scored at or below ``threshold``, down to a
    floor fixed when it is built (``build_detector(..., floor=)``); a camera splits them off by score and
    hands them only to the rules that declared a score floor. ``floor``: on a built detector with faint
    boxes, the lowest score it reports (its threshold when built without a lower floor); None in a
    declaration made from the configuration alone.
    For analysers: ``enriches_tracks``: it returns the tracks it was given, every row, with more filled in
    (the pipeline replaces the tracks with them); otherwise it adds detections of its own (a fight box).
    ``keypoints``: what it fills in or outputs carries pose keypoints (rules that need pose get it).

    Example:
        >>> Produces({"person": LabelKind.OBJECT}, threshold=0.4).objects
        frozenset({'person'})
    """

    labels: Mapping[str, LabelKind] = field(default_factory=dict)
    threshold: float | None = None
    faint: bool = False
    floor: float | None = None
    enriches_tracks: bool = False
    keypoints: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", MappingProxyType(dict(self.labels)))
        if self.faint and self.threshold is None:
            raise ValueError("a detector that reports faint boxes needs the threshold they are below")

    @property
    def objects(self) -> frozenset[str]:
        """The labels it outputs as tracked objects."""
        return frozenset(label for label, kind in self.labels.items() if kind is LabelKind.OBJECT)

    @property
    def regions(self) -> frozenset[str]:
        """The labels it outputs as regions (places, never tracked)."""
        return frozenset(label for label, kind in self.labels.items() if kind is LabelKind.REGION)


@runtime_checkable
class Detector(Protocol):
    """Turns frames into detections. Frames of several cameras may arrive in one batch.

    A detector is shared by every camera that uses it and is called from one inference thread,
    so it may keep per-camera state keyed by ``frame.camera_id`` (clip models keep their
    windows that way); that state restarts with a new ``frame.segment``. Its output for a frame never
    depends on what else it was asked; it may reuse what it found on the camera's earlier frames where
    ``frame.motion`` says the picture stayed still (the person detector's tiles). ``produces`` declares what
    it outputs.

    Example:
        >>> class Nothing:
        ...     name = "nothing"
        ...     produces = Produces({"thing": LabelKind.OBJECT})
        ...     def detect(self, frames): return [Detections.empty() for _ in frames]
        ...     def close(self): pass
        >>> isinstance(Nothing(), Detector)
        True
    """

    name: str
    produces: Produces

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
    ignore them. None means not known (the same as no regions). ``produces`` declares whether it enriches
    the tracks (pose) or adds detections (fight).
    """

    name: str
    produces: Produces

    def analyze(self, frame: Frame, tracks: Detections, regions: Detections | None = None) -> Detections: ...

    def close(self) -> None: ...


@runtime_checkable
class ImageScorer(Protocol):
    """A detector that can also score whole frames below its operating point (for precision-recall curves).

    Scores are confidences on the detector's own scale: >= 0.5 exactly where ``detect`` reports a region.
    """

    def image_scores(self, frames: Sequence[Frame]) -> list[dict[str, float]]: ...
