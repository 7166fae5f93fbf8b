"""What the real-clip rule evaluations share (``eval_rules.py``, ``eval_falls.py``, ``eval_crowding.py``): paths,
the analysis rate, and a detector cache so that several rule settings on one video pay for inference once."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from gwanje.config.camera import CameraConfig  # noqa: E402
from gwanje.config.schema import AppConfig  # noqa: E402
from gwanje.core.detections import Detections  # noqa: E402
from gwanje.core.frame import Frame  # noqa: E402
from gwanje.runtime.analyze import AnalyzedEvent  # noqa: E402
from gwanje.runtime.detectors import AnyDetector, build_detectors  # noqa: E402

LABELS_DIR = REPO / "tests" / "data" / "rule_labels"
DEFAULT_DATASETS = REPO.parent / "shared" / "datasets"
ANALYSIS_FPS = 5.0


class CachedDetector:
    """Runs a detector once per frame of a file and replays its answers when the file is analysed again.

    Several rule configurations are evaluated on the same video; the person detector is what costs.
    Frames are known by their time and a hash of their pixels (different files share times).
    """

    def __init__(self, inner: AnyDetector) -> None:
        self.inner = inner
        self.name = inner.name
        self.labels = inner.labels
        self._seen: dict[tuple[float, bytes], Detections] = {}
        self._faint_floor: float | None = None

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        out: list[Detections] = []
        for frame in frames:
            key = (round(frame.pts_s, 4), hashlib.blake2b(frame.image.tobytes(), digest_size=16).digest())
            if key not in self._seen:
                self._seen[key] = self.inner.detect([frame])[0]  # type: ignore[union-attr]
            out.append(self._seen[key])
        return out

    def report_faint(self, down_to: float) -> None:
        """Pass the fall rule's request on; answers kept from before the floor went down are forgotten."""
        self.inner.report_faint(down_to)  # type: ignore[union-attr]
        if self._faint_floor is None or down_to < self._faint_floor:
            self._faint_floor = down_to
            self._seen.clear()

    def close(self) -> None:
        self.inner.close()


def cached_detectors(app: AppConfig, camera: CameraConfig) -> dict[str, AnyDetector]:
    """The camera's detectors, the person detector behind a ``CachedDetector``."""
    built = build_detectors(app, [camera])
    return {name: CachedDetector(d) if name == "person" else d for name, d in built.items()}


def alerts(events: list[AnalyzedEvent], event_type: str) -> list[float]:
    """Alert times of the events of one type."""
    return [e.alert_s for e in events if e.type == event_type]
