"""The studies' detector cache answers exactly what the live detector answers, so its figures are the pipeline's."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from gwanje.config.camera import CameraConfig, SourceConfig, ZoneConfig
from gwanje.config.rules import FallRuleConfig, IntrusionRuleConfig
from gwanje.config.schema import AppConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector
from gwanje.detect.registry import build_detector
from gwanje.eval.studies.common import CachedDetector, cached_detectors
from gwanje.ingest.source import iter_file_frames
from gwanje.runtime.analyze import FileAnalyzer
from gwanje.runtime.detectors import build_detectors, close_all
from tests.support.collapse import CollapseScene
from tests.support.media import write_clip


@pytest.fixture(scope="module")
def collapse_clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The drawn walker who collapses at 2 s and lies still, as H.264 at 10 fps (6 s)."""
    scene = CollapseScene(fps=10.0, collapse_s=2.0)
    return write_clip(tmp_path_factory.mktemp("clip") / "collapse.mp4", scene.frames(6.0), fps=10)


class Counting:
    """A detector that counts the frames it is asked about."""

    def __init__(self, inner: Detector) -> None:
        self.inner, self.name, self.produces, self.frames = inner, inner.name, inner.produces, 0

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        self.frames += len(frames)
        return self.inner.detect(frames)

    def close(self) -> None:
        self.inner.close()


def _same(a: Detections, b: Detections) -> bool:
    return (
        np.array_equal(a.xyxy, b.xyxy) and np.array_equal(a.confidence, b.confidence) and list(a.label) == list(b.label)
    )


def _person(floor: float | None = None) -> Detector:
    detector = build_detector("person", AppConfig().detectors["person"], floor=floor)
    assert isinstance(detector, Detector)
    return detector


def test_cached_person_detector_gives_the_live_detections_then_replays_them(collapse_clip: Path) -> None:
    frames = list(iter_file_frames(collapse_clip, 5.0))
    live, counting = _person(), Counting(_person())
    cached = CachedDetector(counting)
    try:
        first = [cached.detect([f])[0] for f in frames]
        expected = [live.detect([f])[0] for f in frames]
        assert sum(len(d) for d in expected) > 0  # the walker is found: the comparison is not of empty answers
        assert all(_same(a, b) for a, b in zip(first, expected, strict=True))
        again = [cached.detect([f])[0] for f in frames]
        assert counting.frames == len(frames)  # the second pass came from the cache
        assert all(_same(a, b) for a, b in zip(again, expected, strict=True))

    finally:
        live.close()
        cached.close()


def test_cached_detector_built_with_a_faint_floor_gives_the_live_faint_people(collapse_clip: Path) -> None:
    """A detector built for a fall rule reports faint people; the cache replays exactly those."""
    frames = list(iter_file_frames(collapse_clip, 5.0))
    plain, live, cached = _person(), _person(floor=0.1), CachedDetector(_person(floor=0.1))
    try:
        confident = [plain.detect([f])[0] for f in frames]
        faint = [live.detect([f])[0] for f in frames]
        assert sum(len(d) for d in faint) > sum(len(d) for d in confident)
        assert all(_same(cached.detect([f])[0], d) for f, d in zip(frames, faint, strict=True))
        assert all(_same(cached.detect([f])[0], d) for f, d in zip(frames, faint, strict=True))
    finally:
        plain.close()
        live.close()
        cached.close()


@pytest.mark.slow
def test_a_study_with_the_cache_raises_the_events_the_live_pipeline_raises(collapse_clip: Path) -> None:
    app = AppConfig()
    camera = CameraConfig(
        id="cache",
        source=SourceConfig(url="file"),
        detectors=["person"],
        zones=[ZoneConfig(name="all", polygon=[[0, 0], [1, 0], [1, 1], [0, 1]])],
        rules=[FallRuleConfig(down_time_s=1.0), IntrusionRuleConfig(zone="all")],  # the fall rule: faint people too
    )
    live = build_detectors(app, [camera])
    cached = cached_detectors(app, camera)
    try:
        expected = FileAnalyzer(app, camera, live).run(collapse_clip)
        assert expected.events  # the walker raises an intrusion: the comparison is not of empty lists
        assert isinstance(cached["person"], CachedDetector)
        for _ in range(2):  # computed, then replayed
            got = FileAnalyzer(app, camera, cached).run(collapse_clip)
            assert got.events == expected.events
            assert got.frames == expected.frames
    finally:
        close_all(live)
        close_all(cached)
