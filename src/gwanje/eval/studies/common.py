"""What the studies share: their labels, the datasets they read, the analysis rate, and a detector cache.

The cache lets several rule settings on one video pay for the person detector once; it answers exactly what the
live detector answers (``tests/eval/test_studies_cache.py`` checks it on a generated clip).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import av

from gwanje.config.camera import CameraConfig
from gwanje.config.datasets import DATASETS_ENV, dataset, datasets_root
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import GwanjeError
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.ingest.source import iter_file_frames
from gwanje.runtime.analyze import AnalyzedEvent
from gwanje.runtime.detectors import AnyDetector, build_detectors

LABELS_DIR = Path(__file__).resolve().parent / "labels"
"""Hand labels of the studies: ``person/`` (boxes on decoded frames), ``rules/`` (times, zones, counts)."""
ANALYSIS_FPS = 5.0
"""The default analysis rate of a camera."""
EVERY_FRAME_FPS = 1000.0
"""An analysis rate above any video's frame rate: ingest keeps every decoded frame."""


class DatasetMissing(GwanjeError):
    """A study's public dataset is not where ``GWANJE_DATASETS`` points."""


def require_dataset(name: str) -> Path:
    """The folder of dataset ``name``; raises DatasetMissing saying what to set when it is absent."""
    folder = dataset(name)
    if not folder.is_dir():
        raise DatasetMissing(
            f"dataset {name!r} not found at {folder}: set {DATASETS_ENV} to the folder that holds the public "
            f"datasets (now {datasets_root()}; default ../shared/datasets from the working directory)"
        )
    return folder


def rule_labels(name: str) -> dict[str, Any]:
    """One labels file of ``labels/rules/`` (``name`` without ``.json``)."""
    loaded: dict[str, Any] = json.loads((LABELS_DIR / "rules" / f"{name}.json").read_text())
    return loaded


def frame_rate(path: Path) -> float:
    """The video's average frame rate from its container (25 when it does not say)."""
    with av.open(str(path)) as container:
        return float(container.streams.video[0].average_rate or 25)


def every_frame(path: Path) -> Iterator[tuple[int, Frame]]:
    """Every decoded frame of a file through ingest (as the service decodes it), with its 0-based decode index."""
    return enumerate(iter_file_frames(path, EVERY_FRAME_FPS))


class CachedDetector:
    """A detector that runs once per frame of a file and replays its answers when the file is analysed again.

    Several rule configurations are evaluated on the same video; the person detector is what costs.
    Frames are known by their time and a hash of their pixels (different files share times). The inner
    detector's faint floor is fixed when it is built, so a kept answer is always the answer it would give again.
    """

    def __init__(self, inner: Detector) -> None:
        self.inner = inner
        self.name = inner.name
        self.produces = inner.produces
        self._seen: dict[tuple[float, bytes], Detections] = {}

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        out: list[Detections] = []
        for frame in frames:
            key = (round(frame.pts_s, 4), hashlib.blake2b(frame.image.tobytes(), digest_size=16).digest())
            if key not in self._seen:
                self._seen[key] = self.inner.detect([frame])[0]
            out.append(self._seen[key])
        return out

    def close(self) -> None:
        self.inner.close()


def cached_detectors(app: AppConfig, camera: CameraConfig) -> dict[str, AnyDetector]:
    """The camera's detectors as the service builds them, the person detector behind a ``CachedDetector``."""
    built = build_detectors(app, [camera])
    return {name: CachedDetector(d) if name == "person" and isinstance(d, Detector) else d for name, d in built.items()}


def alerts(events: list[AnalyzedEvent], event_type: str) -> list[float]:
    """Alert times of the events of one type."""
    return [e.alert_s for e in events if e.type == event_type]
