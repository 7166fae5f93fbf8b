"""`gwanje train fire-smoke --data DIR [--data DIR2 ...]`: train, choose operating thresholds, export ONNX.

Writes ``OUTPUT`` (the ONNX model), ``OUTPUT`` with ``.json`` (operating thresholds, the metrics
where they were chosen, settings) and, with ``--reference``, a small ``.npz`` of a fixed input and
the output of the PyTorch head on the backbone's features (and cues), so the shipped ONNX can
be checked without PyTorch. The features come from NanoDet-g's backbone (frozen; see
``fire_smoke_backbone``), optionally with fixed colour cues (``--cues``, ``fire_smoke_cues``), so only
a small head is trained.

Thresholds: by default the head trains on the train split and the thresholds are chosen on the
val split; with ``--cv-folds K`` they are chosen on out-of-fold scores of a scene-grouped K-fold
over train+val and the head then trains on all of train+val (``fire_smoke_cv``).
The test split is never looked at here: `gwanje study fire-smoke` reports it.

Example:
    gwanje train fire-smoke --data ../shared/datasets/fire-smoke-cctv-yolo \
        --data ../shared/datasets/fire-cair-images --cv-folds 5 --output src/gwanje/detect/models/fire_smoke.onnx
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from gwanje.detect.person import COCO_MODEL_FILE
from gwanje.eval.metrics import binary_report, choose_threshold, group_kfold
from gwanje.training.fire_smoke.data import Sample, load_datasets

if TYPE_CHECKING:
    from gwanje.training.fire_smoke.backbone import BackboneRunner
    from gwanje.training.fire_smoke.model import FireSmokeHead, Head
    from gwanje.training.fire_smoke.train import TrainSettings

log = logging.getLogger(__name__)

REFERENCE_SEED = 1234
NANODET_FILE = COCO_MODEL_FILE
"""The backbone is the published COCO NanoDet-g, never the person fine-tuning."""


def reference_pattern() -> npt.NDArray[np.uint8]:
    """A fixed random 32 x 32 colour pattern: small to store, rich enough to exercise every layer."""
    return np.random.default_rng(REFERENCE_SEED).integers(0, 256, (1, 3, 32, 32), dtype=np.uint8)


def reference_image(pattern: npt.NDArray[np.uint8], size: int = 256) -> npt.NDArray[np.float32]:
    """The model input made from ``pattern``: each value repeated into a block, scaled to 0..1 (exact in float32)."""
    block = size // pattern.shape[-1]
    return np.asarray(np.repeat(np.repeat(pattern, block, axis=2), block, axis=3) / np.float32(255), np.float32)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        type=Path,
        action="append",
        required=True,
        help="data directory: YOLO layout (classes.txt, */images, */labels) or labels.csv layout; repeatable",
    )
    parser.add_argument("--output", type=Path, default=Path("fire_smoke.onnx"), help="ONNX file to write")
    parser.add_argument("--reference", type=Path, help="also write a reference input/output .npz here")
    parser.add_argument(
        "--backbone",
        type=Path,
        help="NanoDet-g ONNX whose backbone gives the features (default: the packaged nanodet-g-416.onnx)",
    )
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--width", type=int, default=96, help="channels of the head")
    parser.add_argument("--dropout", type=float, default=0.2, help="channel dropout on the stride-16 features")
    parser.add_argument("--weight-decay", type=float, default=1e-3)
    parser.add_argument(
        "--paste-rate", type=float, default=0.0, help="share of augmented copies with a fire patch from another scene"
    )
    parser.add_argument("--paste-smoke", action="store_true", help="paste smoke patches too, not only fire")
    parser.add_argument(
        "--synthetic-flames",
        type=float,
        default=0.0,
        help="share of augmented copies of negative or boxed images that get a procedural flame",
    )
    parser.add_argument(
        "--grey-rate", type=float, default=0.0, help="share of augmented copies made greyscale and labelled no fire"
    )
    parser.add_argument(
        "--frame-step",
        type=int,
        default=1,
        help="keep every N-th frame of video-frame sets such as fire-indoor-rf (consecutive frames are near-identical)",
    )
    parser.add_argument("--variants", type=int, default=5, help="augmented copies of each training image")
    parser.add_argument("--cues", action="store_true", help="also give the head per-cell colour cues (fire_smoke_cues)")
    parser.add_argument(
        "--cv-folds",
        type=int,
        default=0,
        help="choose thresholds on out-of-fold scores of a scene-grouped K-fold over train+val, then train on "
        "train+val (0: train on train, thresholds on val)",
    )
    parser.add_argument("--max-fpr", type=float, default=0.08, help="FPR cap when choosing thresholds")
    parser.add_argument("--smoke-max-fpr", type=float, help="FPR cap for the smoke threshold (default: --max-fpr)")
    parser.add_argument(
        "--video-share", type=float, default=0.2, help="sampling share of video-frame sets (TrainSettings.video_share)"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=0, help="PyTorch and ONNX Runtime threads (0: all cores)")


def run(args: argparse.Namespace) -> int:
    try:
        import torch
    except ModuleNotFoundError:
        print("training needs PyTorch: pip install -e '.[train]' (torch==2.13.0, CPU build)")
        return 2
    from gwanje.detect.onnx_session import packaged_model
    from gwanje.training.fire_smoke.model import export_onnx
    from gwanje.training.fire_smoke.train import TrainSettings, torch_scores, train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        samples = load_datasets(args.data)
    except ValueError as exc:
        print(f"cannot read the training data: {exc}")
        return 2
    samples = [s for s in samples if s.frame < 0 or s.frame % args.frame_step == 0]
    train_set = [s for s in samples if s.split == "train"]
    val_set = [s for s in samples if s.split == "val"]
    print(f"samples: {len(train_set)} train, {len(val_set)} val, {sum(s.split == 'test' for s in samples)} test")
    if not train_set or not val_set:
        print("need samples in both the train and the val split (see gwanje.training.fire_smoke.data)")
        return 2
    settings = TrainSettings(
        epochs=args.epochs,
        batch_size=args.batch_size,
        learning_rate=args.learning_rate,
        width=args.width,
        variants=args.variants,
        paste_rate=args.paste_rate,
        paste_smoke=args.paste_smoke,
        synthetic_flame_rate=args.synthetic_flames,
        grey_rate=args.grey_rate,
        dropout=args.dropout,
        weight_decay=args.weight_decay,
        cues=args.cues,
        video_share=args.video_share,
        seed=args.seed,
    )
    nanodet = args.backbone if args.backbone is not None else packaged_model(NANODET_FILE)
    started = time.monotonic()
    if args.cv_folds:
        head, backbone, report = _train_cross_validated(train_set + val_set, settings, nanodet, args)
    else:
        head, backbone = train(train_set, settings, nanodet, args.threads)
        report = _validation_report(torch_scores(head, backbone, val_set), val_set, fpr_caps(args))
    train_seconds = time.monotonic() - started
    report = {
        "settings": {**vars(settings), "frame_step": args.frame_step},
        "train_seconds": round(train_seconds),
        **report,
    }
    print(json.dumps(report, indent=2))

    export_onnx(head, nanodet, args.output)
    torch.save(head.state_dict(), args.output.with_suffix(".pt"))
    args.output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    if args.reference is not None:
        write_reference(head, backbone, args.reference)
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB) in {train_seconds:.0f} s of training")
    return 0


def write_reference(head: Head, backbone: BackboneRunner, path: Path) -> None:
    """The head's cell probabilities on the fixed pattern (``tests/detect/test_fire_smoke.py`` compares the shipped
    ONNX with them, without PyTorch)."""
    import torch

    from gwanje.training.fire_smoke.model import image_cues, probabilities

    pattern = reference_pattern()
    image = reference_image(pattern)
    f16, f32 = backbone.features(image)
    cues = torch.from_numpy(image_cues(image)) if head.uses_cues else None
    cells = probabilities(head, torch.from_numpy(f16), torch.from_numpy(f32), cues).numpy()
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, pattern=pattern, cells=cells)


def fpr_caps(args: argparse.Namespace) -> dict[str, float]:
    """The FPR cap each class's threshold is chosen under."""
    return {"fire": args.max_fpr, "smoke": args.max_fpr if args.smoke_max_fpr is None else args.smoke_max_fpr}


def _validation_report(
    scores: npt.NDArray[np.float32], val_set: list[Sample], max_fpr: dict[str, float]
) -> dict[str, Any]:
    """Thresholds chosen on the validation split (under each class's FPR cap) and the metrics there."""
    report: dict[str, Any] = {"val": {}, "thresholds": {}}
    for channel, label in enumerate(("fire", "smoke")):
        labels = [getattr(s, label) for s in val_set]
        threshold = choose_threshold(labels, scores[:, channel], max_fpr[label])
        report["thresholds"][label] = threshold
        report["val"][label] = binary_report(labels, scores[:, channel], threshold).as_dict()
    return report


def _train_cross_validated(
    samples: list[Sample], settings: TrainSettings, nanodet: Path, args: argparse.Namespace
) -> tuple[FireSmokeHead, BackboneRunner, dict[str, Any]]:
    """Out-of-fold thresholds over train+val (``fire_smoke_cv``), then the head trained on all of it."""
    from gwanje.training.fire_smoke.backbone import BackboneRunner
    from gwanje.training.fire_smoke.cv import cv_report, out_of_fold_scores
    from gwanje.training.fire_smoke.train import cache_features, scoring_features, train_head

    backbone = BackboneRunner(nanodet, args.threads)
    cache = cache_features(samples, backbone, settings)
    folds = group_kfold([s.group for s in samples], args.cv_folds)
    scores = out_of_fold_scores(cache, scoring_features(backbone, samples), samples, folds, settings)
    cv = cv_report(samples, scores, folds, fpr_caps(args))
    return train_head(cache, settings), backbone, {"cv": cv, "thresholds": cv["thresholds"]}
