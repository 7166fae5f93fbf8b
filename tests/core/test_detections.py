from __future__ import annotations

import numpy as np
import pytest

from gwanje.core.detections import NO_TRACK, Detections


def test_from_arrays_and_selection() -> None:
    d = Detections.from_arrays([[0, 0, 10, 20], [5, 5, 6, 6]], [0.9, 0.2], ["person", "fire"])
    assert len(d) == 2
    assert list(d.tracker_id) == [NO_TRACK, NO_TRACK]
    people = d.with_label("person")
    assert len(people) == 1 and people.confidence[0] == pytest.approx(0.9)
    assert d.area.tolist() == [200.0, 1.0]
    assert d.bottom_center[0].tolist() == [5.0, 20.0]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"xyxy": np.zeros((2, 3), np.float32)}, "N x 4"),
        ({"confidence": np.zeros((3,), np.float32)}, "confidence has 3 rows"),
        ({"xyxy": np.array([[0, 0, np.nan, 1], [0, 0, 1, 1]], np.float32)}, "NaN"),
    ],
)
def test_rejects_inconsistent_columns(kwargs: dict[str, np.ndarray], message: str) -> None:
    base = Detections.from_arrays([[0, 0, 1, 1], [1, 1, 2, 2]], [0.5, 0.5], "x")
    with pytest.raises(ValueError, match=message):
        base.replace(**kwargs)


def test_merge_keeps_rows_and_common_data() -> None:
    a = Detections.from_arrays([[0, 0, 1, 1]], [0.5], "a", data={"z": np.array([1.0])})
    b = Detections.from_arrays([[1, 1, 2, 2]], [0.6], "b", data={"z": np.array([2.0])})
    m = Detections.merge([a, Detections.empty(), b])
    assert m.label.tolist() == ["a", "b"]
    assert m.data["z"].tolist() == [1.0, 2.0]
