"""Re-checks the recall and precision published in docs/models/person-nanodet.md (only when datasets exist)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

from tests.support.scripts import load_script

DOCUMENTED = {"none": (0.378, 0.857), "auto": (0.459, 0.911)}
"""(recall, precision) per tiling mode as published; a different model build may move a box or two."""


def _eval_module() -> ModuleType:
    return load_script("eval_person")


@pytest.mark.datasets
@pytest.mark.slow
def test_published_recall_and_precision_hold(datasets_dir: Path) -> None:
    evaluation = _eval_module()
    frames = evaluation.load_frames(datasets_dir)
    assert len(frames) >= 30
    for mode, (recall, precision) in DOCUMENTED.items():
        score, _ = evaluation.evaluate(frames, mode)
        assert score.recall == pytest.approx(recall, abs=0.02), mode
        assert score.precision == pytest.approx(precision, abs=0.03), mode
