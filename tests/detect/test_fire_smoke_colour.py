"""No fire without fire colour: a colour fire frame gives fire, the same frame in greyscale never does."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from gwanje.config.detectors import FireSmokeDetectorConfig
from gwanje.core.frame import Frame
from gwanje.detect.fire_smoke import FireSmokeDetector, chroma_cells
from gwanje.ingest.demo import DemoScene, DemoSettings


def _grey(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)


def _frames(images: list[np.ndarray]) -> list[Frame]:
    return [Frame("cam", i, float(i), 0.0, img) for i, img in enumerate(images)]


@pytest.fixture(scope="module")
def detector() -> FireSmokeDetector:
    return FireSmokeDetector("fire_smoke", FireSmokeDetectorConfig())


def test_chroma_is_zero_on_grey_and_high_on_flame_orange() -> None:
    orange = np.zeros((64, 64, 3), np.uint8)
    orange[:, :32] = (30, 140, 250)
    colour = chroma_cells([orange, _grey(orange)], (4, 4))
    assert colour[1].max() == 0.0
    assert colour[0][:, :3].min() >= 40  # orange cells and their neighbours
    assert colour[0][:, 3].max() == 0.0  # two cells away from any colour


def test_generated_fire_is_fire_in_colour_and_nothing_in_greyscale(detector: FireSmokeDetector) -> None:
    scene = DemoScene(DemoSettings(fire_start_s=0.0, fps=5.0))
    images = [scene.render(i) for i in range(10, 60, 5)]
    colour = detector.image_scores(_frames(images))
    grey = detector.image_scores(_frames([_grey(img) for img in images]))
    assert max(s["fire"] for s in colour) >= 0.5
    assert max(s["fire"] for s in grey) == 0.0
    ungated = FireSmokeDetector("ungated", FireSmokeDetectorConfig(fire_min_chroma=0))
    # without the gate the model's answer on grey frames is not 0: the gate, not the model, is what says no
    assert max(float(p) for p in ungated.scores([_grey(img) for img in images])[:, 0]) > 0.0
    assert all(not np.any(d.label == "fire") for d in detector.detect(_frames([_grey(img) for img in images])))


@pytest.mark.datasets
def test_real_indoor_fire_frames_lose_fire_in_greyscale(datasets_dir: Path, detector: FireSmokeDetector) -> None:
    root = datasets_dir / "fire-indoor-rf"
    with (root / "index.csv").open(newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["image_label"] == "fire"]
    images = [cv2.imread(str(root / r["image"])) for r in rows[::40]]
    colour = detector.scores(images)[:, 0]
    fire = [img for img, p in zip(images, colour, strict=True) if p >= detector.thresholds[0]]
    assert len(fire) >= 5, "the model should find fire on some of these frames in colour"
    ungated = FireSmokeDetector("ungated", FireSmokeDetectorConfig(fire_min_chroma=0))
    grey = [_grey(img) for img in fire]
    assert float(ungated.scores(grey)[:, 0].max()) >= detector.thresholds[0]  # the model alone says fire on grey
    assert float(detector.scores(grey)[:, 0].max()) == 0.0
    # a camera declared greyscale/near-IR keeps fire where the model says so and the cell is blown out (hot)
    ir = FireSmokeDetector("ir", FireSmokeDetectorConfig(ir_fire=True))
    assert float(ir.scores(grey)[:, 0].max()) >= detector.thresholds[0]
    dark = [np.minimum(img, 200).astype(np.uint8) for img in grey]  # the same frames with nothing blown out
    assert float(ir.scores(dark)[:, 0].max()) == 0.0
