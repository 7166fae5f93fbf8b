from __future__ import annotations

import numpy as np
import pytest

from gwanje.core.detections import Detections
from gwanje.track.tracker import Tracker, box_iou
from tests.track.scenes import person_box

FPS = 5.0


def dets(boxes: list[list[float]], conf: float | list[float] = 0.9, label: str | list[str] = "person") -> Detections:
    c = [conf] * len(boxes) if isinstance(conf, float) else conf
    return Detections.from_arrays(np.asarray(boxes, np.float32).reshape(-1, 4), c, label)


def id_at(out: Detections, x: float) -> int:
    """Id of the returned row whose box centre x is nearest ``x``."""
    centres = (out.xyxy[:, 0] + out.xyxy[:, 2]) / 2
    return int(out.tracker_id[np.argmin(np.abs(centres - x))])


def test_crossing_paths_keep_their_ids() -> None:
    tracker = Tracker()
    first: dict[str, int] = {}
    for i in range(21):  # 4 s: A walks left to right, B right to left, crossing mid-frame
        t = i / FPS
        ax, bx = 100 + 20 * i, 540 - 20 * i
        out = tracker.update(dets([person_box(ax, 300), person_box(bx, 310)]), t)
        if i == 2:
            first = {"a": id_at(out, ax), "b": id_at(out, bx)}
            assert first["a"] != first["b"]
        if i > 2 and abs(ax - bx) > 40:  # whenever the two can be told apart
            assert id_at(out, ax) == first["a"]
            assert id_at(out, bx) == first["b"]


def test_occlusion_within_max_age_keeps_id_and_longer_gap_gets_new_id() -> None:
    tracker = Tracker(max_age_s=2.0)
    ids = []
    for i in range(30):
        t = i / FPS
        hidden = 10 <= i < 18  # 1.6 s behind a pillar, walking on
        box = person_box(100 + 10 * i, 300)
        out = tracker.update(Detections.empty() if hidden else dets([box]), t)
        if not hidden and i > 1:
            ids.append(int(out.tracker_id[0]))
    assert set(ids) == {1}

    late = Tracker(max_age_s=1.0)
    for i in range(3):
        late.update(dets([person_box(100, 300)]), i / FPS)
    back = late.update(dets([person_box(100, 300)]), 2 / FPS + 1.2)
    assert len(back) == 0  # a new track, not confirmed yet
    assert late.update(dets([person_box(100, 300)]), 2 / FPS + 1.4).tracker_id.tolist() == [2]


def test_new_object_gets_new_id_and_ids_are_confirmed_after_min_hits() -> None:
    tracker = Tracker(min_hits=2)
    assert len(tracker.update(dets([person_box(100, 300)]), 0.0)) == 0
    assert tracker.update(dets([person_box(105, 300)]), 0.2).tracker_id.tolist() == [1]
    out = tracker.update(dets([person_box(110, 300), person_box(500, 300)]), 0.4)
    assert out.tracker_id.tolist() == [1]
    out = tracker.update(dets([person_box(115, 300), person_box(500, 300)]), 0.6)
    assert out.tracker_id.tolist() == [1, 2]


def test_low_confidence_detections_extend_tracks_but_never_start_them() -> None:
    tracker = Tracker(high_threshold=0.5, low_threshold=0.1)
    for i in range(3):
        tracker.update(dets([person_box(100 + 5 * i, 300)]), i / FPS)
    for i in range(3, 8):  # half hidden: the detector is unsure
        out = tracker.update(dets([person_box(100 + 5 * i, 300), person_box(500, 300)], [0.3, 0.3]), i / FPS)
        assert out.tracker_id.tolist() == [1]
        assert out.confidence[0] == pytest.approx(0.3)
    out = tracker.update(dets([person_box(140, 300)], 0.05), 8 / FPS)
    assert len(out) == 0  # below low_threshold: ignored
    assert tracker.update(dets([person_box(145, 300)]), 9 / FPS).tracker_id.tolist() == [1]


def test_labels_never_match_each_other() -> None:
    tracker = Tracker(min_hits=1)
    tracker.update(dets([person_box(100, 300)], label="person"), 0.0)
    out = tracker.update(dets([person_box(100, 300)], label="car"), 0.2)
    assert out.tracker_id.tolist() == [2]


def test_rows_keep_their_columns_and_order() -> None:
    tracker = Tracker(min_hits=1)
    kps = np.arange(2 * 17 * 3, dtype=np.float32).reshape(2, 17, 3)
    d = Detections.from_arrays([person_box(100, 300), person_box(400, 300)], [0.9, 0.8], "person", keypoints=kps)
    out = tracker.update(d, 0.0)
    np.testing.assert_array_equal(out.keypoints, kps)
    np.testing.assert_array_equal(out.xyxy, d.xyxy)
    assert out.tracker_id.tolist() == [1, 2]


def test_a_new_stream_segment_restarts_tracks() -> None:
    tracker = Tracker(min_hits=1)
    tracker.update(dets([person_box(100, 300)]), 10.0)
    assert tracker.update(dets([person_box(100, 300)]), 10.2).tracker_id.tolist() == [1]
    out = tracker.update(dets([person_box(100, 300)]), 0.0, segment=1)  # the source reconnected
    assert out.tracker_id.tolist() == [2]
    assert tracker.active_count == 1
    assert tracker.update(dets([person_box(100, 300)]), 0.2, segment=1).tracker_id.tolist() == [2]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"high_threshold": 1.5}, "high_threshold"),
        ({"low_threshold": 0.6, "high_threshold": 0.5}, "must not exceed high_threshold"),
        ({"new_track_threshold": 0.3}, "new_track_threshold"),
        ({"min_hits": 0}, "min_hits"),
        ({"min_hits": 1.5}, "min_hits"),
        ({"max_age_s": 0}, "max_age_s"),
        ({"max_age_s": float("nan")}, "max_age_s"),
        ({"match_iou": -0.1}, "match_iou"),
    ],
)
def test_bad_arguments_are_rejected_with_the_argument_name(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Tracker(**kwargs)  # type: ignore[arg-type]


def test_update_rejects_a_non_finite_time() -> None:
    with pytest.raises(ValueError, match="finite stream time"):
        Tracker().update(Detections.empty(), float("nan"))


def test_box_iou() -> None:
    a = np.array([[0, 0, 10, 10]], np.float32)
    b = np.array([[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]], np.float32)
    np.testing.assert_allclose(box_iou(a, b), [[1.0, 1 / 3, 0.0]], rtol=1e-6)


def test_turning_round_keeps_the_id() -> None:
    # a narrow box moving 15 px per frame turns back: it lands 30 px (its own width) from the prediction
    tracker = Tracker()
    xs = [100 + 15 * i for i in range(10)] + [235 - 15 * i for i in range(1, 6)]
    ids = [tracker.update(dets([person_box(x, 300, width=30)]), i / FPS).tracker_id.tolist() for i, x in enumerate(xs)]
    assert ids[1:] == [[1]] * (len(xs) - 1)
