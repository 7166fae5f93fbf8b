"""The shipped fight model still scores the committed figures on its held-out source videos."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gwanje.training.fight.check import METRICS_FILE, check_holdout


@pytest.mark.slow
@pytest.mark.datasets
def test_shipped_model_reproduces_its_held_out_figures(datasets_dir: Path) -> None:
    saved = json.loads(METRICS_FILE.read_text())
    assert not Path(saved["data"]).is_absolute(), "the shipped figures name their data relative to the datasets root"
    got = check_holdout(datasets_dir / saved["data"], METRICS_FILE.with_name("fight.onnx"), saved)
    committed = saved["holdout"]["metrics"]
    assert got["n_fight"] == committed["n_fight"] and got["n_no_fight"] == committed["n_no_fight"]
    for key in ("f1", "recall", "fpr", "precision"):
        assert got[key] == pytest.approx(committed[key], abs=0.03), key
    assert got["window_auc"] == pytest.approx(committed["window_auc"], abs=0.01)
