"""Compare a candidate fire/smoke model with the shipped one on data no training run uses (no PyTorch needed).

    gwanje study fire-smoke-holdout --model CANDIDATE.onnx   # thresholds from CANDIDATE.json
    gwanje study fire-smoke-holdout                          # the shipped model, its defaults

Prints, at the model's own operating thresholds (the ``thresholds`` of the ``.json`` next to the
model, chosen at training time on out-of-fold or validation scores; the shipped model's are the
config defaults):

* ``test``: the held-out test split of ``fire-smoke-cctv-yolo`` + ``fire-cair-images``, scored by
  ``fire_smoke.eval.evaluate`` (the model card's figures and the regression test's);
* ``indoor``: the held-out scenes of ``fire-indoor-rf`` (``data.VIDEO_TEST_SCENES``, every frame has a
  fire box: recall per scene, and the share of frames scored above the threshold);
* ``grey``: the test split's fire images turned greyscale (no flame colour: the share still called fire).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from gwanje.config.datasets import datasets_root
from gwanje.config.detectors import FireSmokeDetectorConfig, RuntimeConfig
from gwanje.detect.fire_smoke import FireSmokeDetector
from gwanje.ingest.files import read_image
from gwanje.training.fire_smoke.data import Sample, load_dataset
from gwanje.training.fire_smoke.eval import evaluate, split_samples

INDOOR_DIR = "fire-indoor-rf"


def _images(samples: Sequence[Sample], grey: bool = False) -> list[np.ndarray[Any, np.dtype[np.uint8]]]:
    out = []
    for sample in samples:
        image = read_image(sample.path)
        if grey:
            image = np.asarray(cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), np.uint8)
        out.append(np.asarray(image, np.uint8))
    return out


def indoor_recall(detector: FireSmokeDetector, datasets: Path) -> dict[str, Any]:
    """Fire recall on the held-out scenes of fire-indoor-rf, overall and per scene."""
    samples = [s for s in load_dataset(datasets / INDOOR_DIR) if s.split == "test" and s.fire == 1]
    fire = detector.scores(_images(samples))[:, 0] >= detector.thresholds[0]
    scenes = sorted({s.group for s in samples})
    per_scene = {}
    for scene in scenes:
        mask = np.array([s.group == scene for s in samples])
        per_scene[scene] = {"frames": int(mask.sum()), "recall": round(float(fire[mask].mean()), 4)}
    return {"frames": len(samples), "recall": round(float(fire.mean()), 4), "scenes": per_scene}


def grey_fire_rate(detector: FireSmokeDetector, samples: Sequence[Sample]) -> dict[str, Any]:
    """How many of the fire images, turned greyscale, still score as fire (the target is none)."""
    fire_samples = [s for s in samples if s.fire == 1]
    scores = detector.scores(_images(fire_samples, grey=True))[:, 0]
    return {
        "images": len(fire_samples),
        "called_fire": round(float(np.mean(scores >= detector.thresholds[0])), 4),
        "max_score": round(float(scores.max()), 4),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--datasets", type=Path, default=None, help="datasets folder (default: GWANJE_DATASETS)")
    parser.add_argument("--model", type=Path, help="ONNX file (default: the shipped model at its default thresholds)")


def run(args: argparse.Namespace) -> int:
    datasets: Path = args.datasets or datasets_root()
    cfg = FireSmokeDetectorConfig(runtime=RuntimeConfig(intra_op_threads=1, max_batch=16))
    if args.model is not None:
        thresholds = json.loads(args.model.with_suffix(".json").read_text())["thresholds"]
        cfg = cfg.model_copy(
            update={
                "model_path": args.model,
                "fire_threshold": thresholds["fire"],
                "smoke_threshold": thresholds["smoke"],
            }
        )
    detector = FireSmokeDetector("fire_smoke", cfg)
    test = split_samples(datasets, "test")
    report = {
        "model": str(detector.model.path),
        "thresholds": {"fire": detector.thresholds[0], "smoke": detector.thresholds[1]},
        "test": evaluate(detector, test),
        "indoor": indoor_recall(detector, datasets),
        "grey": grey_fire_rate(detector, test),
    }
    detector.close()
    print(json.dumps(report, indent=2))
    return 0
