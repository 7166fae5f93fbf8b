"""One validated, columnar set of detections passed between every stage.

Detectors produce it, the tracker fills ``tracker_id``, pose fills ``keypoints``, rules read it
and the snapshot renderer draws it. Boxes are in pixels of the frame the detections belong to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]
StrArray = npt.NDArray[np.str_]

NO_TRACK = -1


def _check_len(name: str, value: np.ndarray[Any, Any], n: int) -> None:
    if value.shape[0] != n:
        raise ValueError(
            f"Detections.{name} has {value.shape[0]} rows but xyxy has {n}; every column needs one row per box"
        )


@dataclass(frozen=True)
class Detections:
    """Boxes with confidence, label and optional track id, keypoints and extra columns.

    Example:
        >>> d = Detections.from_arrays([[0, 0, 10, 20]], [0.9], ["person"])
        >>> len(d), d.label[0]
        (1, 'person')
        >>> len(d[d.confidence > 0.95])
        0
    """

    xyxy: FloatArray
    confidence: FloatArray
    label: StrArray
    tracker_id: IntArray
    keypoints: FloatArray | None = None
    """N x K x 3 (x, y, score) in frame pixels, when a pose model ran."""
    data: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.xyxy.ndim != 2 or self.xyxy.shape[1] != 4:
            raise ValueError(f"Detections.xyxy must be N x 4 (x1, y1, x2, y2), got shape {self.xyxy.shape}")
        n = self.xyxy.shape[0]
        _check_len("confidence", self.confidence, n)
        _check_len("label", self.label, n)
        _check_len("tracker_id", self.tracker_id, n)
        if self.keypoints is not None:
            _check_len("keypoints", self.keypoints, n)
            if self.keypoints.ndim != 3 or self.keypoints.shape[2] != 3:
                raise ValueError(f"Detections.keypoints must be N x K x 3, got shape {self.keypoints.shape}")
        for key, column in self.data.items():
            _check_len(f"data[{key!r}]", column, n)
        if n and not np.all(np.isfinite(self.xyxy)):
            raise ValueError("Detections.xyxy contains NaN or infinite coordinates")

    @classmethod
    def empty(cls) -> Detections:
        return cls(
            xyxy=np.zeros((0, 4), np.float32),
            confidence=np.zeros((0,), np.float32),
            label=np.zeros((0,), dtype="<U32"),
            tracker_id=np.zeros((0,), np.int64),
        )

    @classmethod
    def from_arrays(
        cls,
        xyxy: Sequence[Sequence[float]] | np.ndarray[Any, Any],
        confidence: Sequence[float] | np.ndarray[Any, Any],
        label: Sequence[str] | np.ndarray[Any, Any] | str,
        tracker_id: Sequence[int] | np.ndarray[Any, Any] | None = None,
        keypoints: np.ndarray[Any, Any] | None = None,
        data: dict[str, np.ndarray[Any, Any]] | None = None,
    ) -> Detections:
        """Build from plain sequences; a single string label applies to every box."""
        boxes = np.asarray(xyxy, dtype=np.float32).reshape(-1, 4)
        n = boxes.shape[0]
        labels = np.full((n,), label, dtype="<U32") if isinstance(label, str) else np.asarray(label, dtype="<U32")
        ids = np.full((n,), NO_TRACK, np.int64) if tracker_id is None else np.asarray(tracker_id, np.int64)
        return cls(
            xyxy=boxes,
            confidence=np.asarray(confidence, dtype=np.float32).reshape(-1),
            label=labels,
            tracker_id=ids,
            keypoints=None if keypoints is None else np.asarray(keypoints, np.float32),
            data=dict(data or {}),
        )

    def __len__(self) -> int:
        return int(self.xyxy.shape[0])

    def __getitem__(self, index: npt.NDArray[np.bool_] | npt.NDArray[np.integer[Any]] | slice) -> Detections:
        """Select rows by boolean mask, index array or slice."""
        return Detections(
            xyxy=self.xyxy[index],
            confidence=self.confidence[index],
            label=self.label[index],
            tracker_id=self.tracker_id[index],
            keypoints=None if self.keypoints is None else self.keypoints[index],
            data={k: v[index] for k, v in self.data.items()},
        )

    def with_label(self, *labels: str) -> Detections:
        """Only the rows whose label is one of ``labels``."""
        return self[np.isin(self.label, labels)]

    def replace(self, **columns: Any) -> Detections:
        """A copy with some columns replaced (validated again)."""
        values: dict[str, Any] = {
            "xyxy": self.xyxy,
            "confidence": self.confidence,
            "label": self.label,
            "tracker_id": self.tracker_id,
            "keypoints": self.keypoints,
            "data": self.data,
        }
        values.update(columns)
        return Detections(**values)

    @property
    def area(self) -> FloatArray:
        w = np.clip(self.xyxy[:, 2] - self.xyxy[:, 0], 0, None)
        h = np.clip(self.xyxy[:, 3] - self.xyxy[:, 1], 0, None)
        return (w * h).astype(np.float32)

    @property
    def bottom_center(self) -> FloatArray:
        """Foot points (x centre, y bottom): where a person stands, as zones judge presence."""
        return np.stack([(self.xyxy[:, 0] + self.xyxy[:, 2]) / 2, self.xyxy[:, 3]], axis=1).astype(np.float32)

    @staticmethod
    def merge(parts: Sequence[Detections]) -> Detections:
        """Concatenate detections of one frame (for example from several detectors)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return Detections.empty()
        if len(parts) == 1:
            return parts[0]
        keys = set(parts[0].data)
        data = {k: np.concatenate([p.data[k] for p in parts]) for k in keys if all(k in p.data for p in parts)}
        kps = [p.keypoints for p in parts]
        keypoints = None
        if all(k is not None for k in kps) and len({k.shape[1] for k in kps if k is not None}) == 1:
            keypoints = np.concatenate([k for k in kps if k is not None])
        return Detections(
            xyxy=np.concatenate([p.xyxy for p in parts]),
            confidence=np.concatenate([p.confidence for p in parts]),
            label=np.concatenate([p.label for p in parts]).astype("<U32"),
            tracker_id=np.concatenate([p.tracker_id for p in parts]),
            keypoints=keypoints,
            data=data,
        )
