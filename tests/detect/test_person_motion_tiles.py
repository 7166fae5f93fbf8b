"""``motion_tiles``: the person detector runs only the tiles where the camera's motion gate saw motion, and keeps
its last boxes for the others until the gate asks for the whole picture (keepalive, new segment)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from gwanje.config.detectors import PersonDetectorConfig
from gwanje.core.frame import Frame, Image
from gwanje.detect.person import PersonDetector, moving_regions
from gwanje.ingest.demo import draw_walker, street

LEFT_MOTION = ((20, 200, 80, 300),)
"""A motion box that only the left tile of a 640 x 360 frame holds (tiles: x 0-360 and 280-640)."""


@pytest.fixture(scope="module")
def pictures() -> tuple[Image, Image]:
    """The demo street with the walker on its right side (only in the right tile), and the empty street."""
    empty = street(np.random.default_rng(3))
    walker = empty.copy()
    draw_walker(walker, t=11.2, phase=0.0)
    return walker, empty


@pytest.fixture
def detector() -> Iterator[PersonDetector]:
    found = PersonDetector("person", PersonDetectorConfig())
    yield found
    found.close()


def _count_tiles(detector: PersonDetector, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of tiles each model call ran (the real model runs; only the count is taken)."""
    counts: list[int] = []
    run = detector._model.run_batch

    def counted(feed: dict[str, np.ndarray]) -> list[np.ndarray]:
        counts.append(len(next(iter(feed.values()))))
        return run(feed)

    monkeypatch.setattr(detector._model, "run_batch", counted)
    return counts


def _frame(image: Image, seq: int, motion: tuple[tuple[int, int, int, int], ...] | None, segment: int = 0) -> Frame:
    return Frame("cam", seq, seq / 5, seq / 5, image, segment=segment, motion=motion)


def test_moving_regions_are_the_tiles_a_grown_motion_box_touches() -> None:
    tiles = [(0, 0, 360, 360), (280, 0, 640, 360)]
    assert moving_regions(tiles, [(20, 200, 80, 300)], (640, 360)) == [(0, 0, 360, 360)]
    assert moving_regions(tiles, [(560, 10, 600, 40)], (640, 360)) == [(280, 0, 640, 360)]
    assert moving_regions(tiles, [(300, 10, 320, 40)], (640, 360)) == tiles  # in the overlap
    # Grown by 5 % of the short side (18 px): a box ending 10 px before the right tile still touches it.
    assert moving_regions(tiles, [(200, 10, 270, 40)], (640, 360)) == tiles
    assert moving_regions(tiles, [], (640, 360)) == []


def test_still_tiles_keep_their_boxes_until_the_whole_picture_is_asked_for(
    detector: PersonDetector, pictures: tuple[Image, Image], monkeypatch: pytest.MonkeyPatch
) -> None:
    walker, empty = pictures
    tiles = _count_tiles(detector, monkeypatch)
    (first,) = detector.detect([_frame(walker, 0, None)])
    assert len(first) == 1 and first.xyxy[0, 0] > 400, first.xyxy  # the walker, on the right
    assert tiles == [2]

    (same,) = detector.detect([_frame(walker, 1, LEFT_MOTION)])
    assert tiles == [2, 1]  # only the left tile ran
    np.testing.assert_allclose(same.xyxy, first.xyxy)
    np.testing.assert_allclose(same.confidence, first.confidence)

    # The gate saw nothing move on the right, so the right tile's person stays although the picture lost him:
    # the detector trusts the gate, as the whole-frame reuse does, until the keepalive asks for everything.
    (trusted,) = detector.detect([_frame(empty, 2, LEFT_MOTION)])
    assert len(trusted) == 1 and tiles == [2, 1, 1]
    (refreshed,) = detector.detect([_frame(empty, 3, None)])
    assert len(refreshed) == 0 and tiles == [2, 1, 1, 2]


def test_a_new_segment_another_size_or_another_camera_runs_every_tile(
    detector: PersonDetector, pictures: tuple[Image, Image], monkeypatch: pytest.MonkeyPatch
) -> None:
    walker, _ = pictures
    tiles = _count_tiles(detector, monkeypatch)
    detector.detect([_frame(walker, 0, None)])
    detector.detect([_frame(walker, 1, LEFT_MOTION, segment=1)])  # the stream broke: nothing kept counts
    wide = np.zeros((720, 1280, 3), np.uint8)
    detector.detect([Frame("cam", 2, 0.4, 0.4, wide, segment=1, motion=LEFT_MOTION)])  # the resolution changed
    detector.detect([Frame("other", 0, 0.0, 0.0, walker, motion=LEFT_MOTION)])  # a camera seen for the first time
    assert tiles == [2, 2, 2, 2]
    # Two cameras in one batch: each keeps its own tiles.
    detector.detect([_frame(walker, 3, None, segment=1), Frame("other", 1, 0.2, 0.2, walker, motion=None)])
    detector.detect([_frame(walker, 4, LEFT_MOTION, segment=1), Frame("other", 2, 0.4, 0.4, walker, motion=None)])
    assert tiles[-2:] == [4, 3]


def test_without_motion_tiles_every_tile_always_runs(
    pictures: tuple[Image, Image], monkeypatch: pytest.MonkeyPatch
) -> None:
    walker, empty = pictures
    detector = PersonDetector("person", PersonDetectorConfig(motion_tiles=False))
    try:
        tiles = _count_tiles(detector, monkeypatch)
        detector.detect([_frame(walker, 0, None)])
        (now,) = detector.detect([_frame(empty, 1, LEFT_MOTION)])
        assert tiles == [2, 2] and len(now) == 0
    finally:
        detector.close()
