"""Whole-frame scores (used for precision-recall curves) agree with the regions at the operating point."""

from __future__ import annotations

import numpy as np

from gwanje.config.detectors import FireSmokeDetectorConfig
from gwanje.core.frame import Frame
from gwanje.detect.base import ImageScorer
from gwanje.detect.fire_smoke import FireSmokeDetector
from gwanje.ingest.demo import DemoScene, DemoSettings


def test_image_scores_cross_one_half_exactly_where_regions_are_reported() -> None:
    scene = DemoScene(DemoSettings(fire_start_s=0.0, fps=5.0))
    images = [scene.render(i) for i in range(0, 60, 6)] + [np.full((360, 640, 3), 40, np.uint8)]
    frames = [Frame("cam", i, float(i), 0.0, img) for i, img in enumerate(images)]
    detector = FireSmokeDetector("fire_smoke", FireSmokeDetectorConfig())
    try:
        assert isinstance(detector, ImageScorer)
        scores = detector.image_scores(frames)
        regions = detector.detect(frames)
    finally:
        detector.close()
    for per_label, d in zip(scores, regions, strict=True):
        for label in ("fire", "smoke"):
            assert 0.0 <= per_label[label] <= 1.0
            # regions below 0.5 are fire candidates for the video rule, not detections at the operating point
            assert (per_label[label] >= 0.5) == bool(np.any((d.label == label) & (d.confidence >= 0.5)))
    assert any(s["fire"] >= 0.5 for s in scores)  # the demo fire is seen in some frames
    assert scores[-1]["fire"] < 0.5  # a flat dark frame is not fire
