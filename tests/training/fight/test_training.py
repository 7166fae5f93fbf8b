"""The fight trainer end to end on generated clips, and ONNX == training model on a fixed input."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")
pytest.importorskip("skl2onnx")
pytest.importorskip("onnx")

from gwanje.config.detectors import FightDetectorConfig
from gwanje.detect.fight import FightAnalyzer
from gwanje.detect.fight_features import WINDOW_DIM
from gwanje.training.fight import cli as fight
from gwanje.training.fight.export import calibrated, export_onnx
from gwanje.training.fight.model import ClassifierKind, make_classifier
from tests.detect.fight_scenes import write_dataset


def _args(data: Path, out: Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    fight.add_arguments(parser)
    return parser.parse_args(["--data", str(data), "--out", str(out), "--folds", "3", "--phases", "2"])


@pytest.mark.slow
def test_training_on_generated_clips_exports_a_model_that_separates_them(tmp_path: Path) -> None:
    data = write_dataset(tmp_path / "data", videos=6, clips_per_video=2)
    out = tmp_path / "fight.onnx"

    assert fight.run(_args(data, out)) == 0

    report = json.loads(out.with_suffix(".metrics.json").read_text())
    held = report["holdout"]
    assert held["source_videos"], "a held-out split of whole source videos is reported"
    assert held["metrics"]["window_auc"] > 0.9
    assert len(report["folds"]["per_fold"]) == 3
    analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=out))
    try:
        rng = np.random.default_rng(0)
        scores = analyzer.score(rng.random((4, WINDOW_DIM), dtype=np.float32))
        assert scores.shape == (4,)
        assert np.all((scores >= 0) & (scores <= 1))
    finally:
        analyzer.close()


@pytest.mark.parametrize("kind", ["logistic", "boosting"])
def test_onnx_export_matches_the_training_model(tmp_path: Path, kind: ClassifierKind) -> None:
    rng = np.random.default_rng(1)
    x = rng.random((200, WINDOW_DIM), dtype=np.float32)
    y = (x[:, 0] + 0.3 * rng.random(200) > 0.6).astype(np.int64)
    model = make_classifier(kind).fit(x, y)
    threshold = 0.63
    path = tmp_path / "m.onnx"
    export_onnx(model, threshold, {"note": "test"}, path)

    analyzer = FightAnalyzer("fight", FightDetectorConfig(model_path=path))
    try:
        got = analyzer.score(x[:20])
    finally:
        analyzer.close()
    expected = calibrated(model.predict_proba(x[:20])[:, 1], threshold)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    # the operating threshold maps to 0.5
    assert calibrated(np.array([threshold]), threshold)[0] == pytest.approx(0.5, abs=1e-6)
