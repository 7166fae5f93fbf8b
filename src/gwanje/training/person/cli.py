"""`gwanje train person`: fine-tune NanoDet-g so that it also finds people lying on the ground.

Writes ``OUTPUT`` (an ONNX file with the exact graph of the packaged ``nanodet-g-416.onnx``, new weights) and
``OUTPUT`` with ``.json`` (settings, data, last losses, export parity).

``--minutes 0 --resume CHECKPOINT`` exports a checkpoint without training.

Example (the generated set is built once, outside the repository, then checked with near_dup.py):
    gwanje train person --synthesize ../person-synth --data ../shared/datasets/fall-action-laifi \
        --minutes 40 --output person-nanodet-g-ft.onnx
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path

import numpy as np

from gwanje.config.datasets import dataset
from gwanje.detect.onnx_session import packaged_model
from gwanje.detect.person import COCO_MODEL_FILE
from gwanje.eval.studies.common import LABELS_DIR
from gwanje.training.person.data import Sample, load_folder, unlabelled_folder
from gwanje.training.person.train import TrainSettings

log = logging.getLogger(__name__)

VAL_SOURCE = "OK56kxE8H9c"
"""The fight-surv-akti source video whose generated pictures are held out."""
LABEL_DIRS = (LABELS_DIR / "person", LABELS_DIR / "rules")
"""Hand-labelled evaluation files (beside the studies): their clips' source videos are never used for training."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, action="append", default=[],
                        help="folder with index.csv + YOLO labels (fall-action-laifi layout); repeatable")  # fmt: skip
    parser.add_argument("--distill", type=Path, action="append", default=[],
                        help="folder of unlabelled pictures learnt from the starting model only; repeatable")  # fmt: skip
    parser.add_argument("--distill-limit", type=int, default=300, help="pictures taken from each --distill folder")
    parser.add_argument("--synthesize", type=Path, help="build the generated lying-person set here first, then use it")
    parser.add_argument("--synthesize-only", action="store_true", help="stop after building the generated set")
    parser.add_argument("--per-scene", type=int, default=2, help="generated pictures per background")
    parser.add_argument("--template", type=Path, help="NanoDet-g ONNX to start from (default: the packaged COCO one)")
    parser.add_argument("--output", type=Path, default=Path("person-nanodet-g-ft.onnx"))
    parser.add_argument("--minutes", type=float, default=TrainSettings.minutes)
    parser.add_argument("--learning-rate", type=float, default=TrainSettings.learning_rate)
    parser.add_argument("--accumulate", type=int, default=TrainSettings.accumulate)
    parser.add_argument("--freeze", type=int, default=TrainSettings.freeze, help="leading convolutions kept fixed")
    parser.add_argument("--resume", type=Path, help="a checkpoint (.pt state dict) to start from")
    parser.add_argument("--reference", type=Path,
                        help="write the trained PyTorch model's outputs on the fixed test pattern here (.npz), which "
                             "the tests compare the shipped ONNX with")  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-teacher", action="store_true", help="train without distillation from the start model")


def run(args: argparse.Namespace) -> int:
    import torch

    from gwanje.training.person.model import to_torch, write_onnx
    from gwanje.training.person.prepare import build
    from gwanje.training.person.train import train

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    folders: list[Path] = list(args.data)
    if args.synthesize is not None:
        labels = [f for d in LABEL_DIRS for f in sorted(d.glob("*.json"))]
        if not labels:
            raise SystemExit(f"the evaluation labels in {LABEL_DIRS} are missing: they must be excluded from training")
        count = build(dataset("fall-action-laifi"), dataset("fight-surv-akti"), labels, args.synthesize,
                      args.per_scene, args.seed, VAL_SOURCE)  # fmt: skip
        print(f"{count} generated pictures in {args.synthesize}; now run near_dup.py on it")
        if args.synthesize_only:
            return 0
        folders.append(args.synthesize)
    samples: list[Sample] = [s for folder in folders for s in load_folder(folder)]
    training = [s for s in samples if s.split == "train"]
    if not training:
        raise SystemExit("no training pictures: pass --data and/or --synthesize")
    if args.distill and args.no_teacher:
        raise SystemExit("--distill needs the teacher: unlabelled pictures learn only from the starting model")
    distilled = [s for folder in args.distill for s in unlabelled_folder(folder, args.distill_limit, args.seed)]
    training += distilled
    template = args.template or packaged_model(COCO_MODEL_FILE)
    model = to_torch(template)
    if args.resume is not None:
        model.load_state_dict(torch.load(args.resume))
    settings = TrainSettings(minutes=args.minutes, learning_rate=args.learning_rate, accumulate=args.accumulate,
                             freeze=args.freeze, seed=args.seed)  # fmt: skip
    checkpoint = args.output.with_suffix(".pt")
    teacher = None if args.no_teacher else to_torch(template)
    losses = train(model, training, settings, checkpoint, teacher)
    model.eval()
    write_onnx(model, template, args.output)
    parity = export_parity(model, args.output, np.random.default_rng(args.seed))
    if args.reference is not None:
        write_reference(model, args.reference)
    report = {"settings": settings.__dict__, "teacher": teacher is not None, "data": [str(f) for f in folders],
              "distill": [str(f) for f in args.distill], "distill_pictures": len(distilled), "train_pictures": len(training),
              "losses": losses, "export_max_abs_diff": parity}  # fmt: skip
    args.output.with_suffix(".json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    return 0


def write_reference(model: object, path: Path) -> None:
    """The model's six outputs on the converter's fixed pattern, in the converter's reference format, so the
    test of the shipped ONNX needs no PyTorch (``tests/detect/test_person.py``)."""
    import torch

    from gwanje.detect.person import preprocess
    from gwanje.training.human_models.convert import enlarge, nanodet_pattern, save_reference

    pattern = nanodet_pattern()
    tensor, _ = preprocess(enlarge(pattern))
    with torch.no_grad():
        outputs = model(torch.from_numpy(tensor))  # type: ignore[operator]
    save_reference(path, pattern, {str(i): o.numpy() for i, o in enumerate(outputs)})


def export_parity(model: object, onnx_path: Path, rng: np.random.Generator) -> float:
    """Largest difference between the PyTorch model and the written ONNX file on a random input."""
    import onnxruntime as ort
    import torch

    x = rng.standard_normal((1, 3, 416, 416)).astype(np.float32)
    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    expected = session.run(None, {session.get_inputs()[0].name: x})
    with torch.no_grad():
        got = model(torch.from_numpy(x))  # type: ignore[operator]
    return max(float(np.abs(e - g.numpy()).max()) for e, g in zip(expected, got, strict=True))
