"""Re-checks the recall and precision published in docs/models/person-nanodet.md (only when datasets exist)."""

from __future__ import annotations

import pytest

from gwanje.eval.studies import person

DOCUMENTED = {"none": (0.378, 0.857), "auto": (0.477, 0.855)}
"""(recall, precision) per tiling mode as published; a different model build may move a box or two."""


@pytest.mark.datasets
@pytest.mark.slow
@pytest.mark.usefixtures("datasets_dir")
def test_published_recall_and_precision_hold() -> None:
    frames = person.load_frames()
    assert len(frames) >= 30
    for mode, (recall, precision) in DOCUMENTED.items():
        score, _ = person.evaluate(frames, mode)
        assert score.metrics.recall == pytest.approx(recall, abs=0.02), mode
        assert score.metrics.precision == pytest.approx(precision, abs=0.03), mode
