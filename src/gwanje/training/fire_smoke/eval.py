"""`gwanje study fire-smoke`: held-out figures and latency of a fire/smoke ONNX model (no PyTorch needed).

    gwanje study fire-smoke              # test split, shipped model (datasets from GWANJE_DATASETS)
    gwanje study fire-smoke --latency    # + ms per frame, 1 thread

Scores every image of the chosen split of ``fire-smoke-cctv-yolo`` and ``fire-cair-images`` with
``FireSmokeDetector`` at its configured thresholds (the defaults are the operating point chosen on
the validation split at training time) and prints image-level precision, recall, F1, FPR and AP.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanje.config.datasets import datasets_root
from gwanje.config.detectors import FireSmokeDetectorConfig, RuntimeConfig
from gwanje.core.frame import Frame
from gwanje.detect.fire_smoke import FireSmokeDetector
from gwanje.eval.bench import median_call_ms
from gwanje.eval.metrics import binary_report
from gwanje.ingest.files import read_image
from gwanje.training.fire_smoke.data import Sample, Split, load_datasets

DATASET_DIRS = ("fire-smoke-cctv-yolo", "fire-cair-images")


def split_samples(datasets: Path, split: Split) -> list[Sample]:
    """The samples of ``split`` from the two public fire datasets under ``datasets``."""
    return [s for s in load_datasets(datasets / d for d in DATASET_DIRS) if s.split == split]


def evaluate(detector: FireSmokeDetector, samples: Sequence[Sample]) -> dict[str, Any]:
    """Image-level metrics: all images, plus fire on CCTV frames and on photos separately."""
    images = [read_image(sample.path) for sample in samples]
    scores = detector.scores(images)
    fire_threshold, smoke_threshold = detector.thresholds
    cctv = np.array([s.boxes is not None for s in samples])
    fire = [s.fire for s in samples]
    smoke = [s.smoke for s in samples]

    def part(mask: npt.NDArray[np.bool_], labels: list[int], channel: int, threshold: float) -> dict[str, float | int]:
        chosen = [label for label, keep in zip(labels, mask, strict=True) if keep]
        return binary_report(chosen, scores[mask, channel], threshold).as_dict()

    everything = np.ones(len(samples), bool)
    return {
        "images": len(samples),
        "fire": part(everything, fire, 0, fire_threshold),
        "smoke": part(everything, smoke, 1, smoke_threshold),
        "fire_cctv": part(cctv, fire, 0, fire_threshold),
        "fire_photos": part(~cctv, fire, 0, fire_threshold),
        "smoke_cctv": part(cctv, smoke, 1, smoke_threshold),
    }


def latency_ms(detector: FireSmokeDetector, runs: int = 3, calls: int = 50) -> dict[str, float]:
    """Minimum over ``runs`` of the median per-call time on a 1280x720 frame (model only, and end to end)."""
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    frame = Frame(camera_id="bench", seq=0, pts_s=0.0, wall_time=0.0, image=image)
    batch = np.zeros((1, 3, detector.input_size[1], detector.input_size[0]), np.float32)
    name = detector.model.input.name

    return {
        "model_ms": round(median_call_ms(lambda: detector.model.run({name: batch}), calls, runs), 2),
        "frame_ms": round(median_call_ms(lambda: detector.detect([frame]), calls, runs), 2),
    }


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--datasets", type=Path, default=None, help="datasets folder (default: GWANJE_DATASETS)")
    parser.add_argument("--model", type=Path, help="ONNX file (default: the shipped model)")
    parser.add_argument("--split", choices=("train", "val", "test"), default="test")
    parser.add_argument("--latency", action="store_true", help="also print ms per 1280x720 frame on 1 thread")
    parser.add_argument(
        "--record",
        action="store_true",
        help="store the printed figures in the model's .json (what the regression test checks)",
    )


def run(args: argparse.Namespace) -> int:
    datasets: Path = args.datasets or datasets_root()
    cfg = FireSmokeDetectorConfig(model_path=args.model, runtime=RuntimeConfig(intra_op_threads=1, max_batch=16))
    detector = FireSmokeDetector("fire_smoke", cfg)
    report: dict[str, Any] = {"split": args.split, "model": str(detector.model.path)}
    if datasets.is_dir():
        report["metrics"] = evaluate(detector, split_samples(datasets, args.split))
    else:
        print(f"datasets not found at {datasets} (set GWANJE_DATASETS); metrics skipped")
    if args.latency:
        report["latency_1_thread"] = latency_ms(detector)
    print(json.dumps(report, indent=2))
    if args.record:
        figures_path = detector.model.path.with_suffix(".json")
        figures = json.loads(figures_path.read_text()) if figures_path.is_file() else {}
        figures[args.split] = report.get("metrics", figures.get(args.split))
        if "latency_1_thread" in report:
            figures["latency_1_thread"] = report["latency_1_thread"]
        figures_path.write_text(json.dumps(figures, indent=2) + "\n")
        print(f"recorded in {figures_path}")
    return 0
