"""End-to-end fine-tuning of the whole fire/smoke model: NanoDet-g backbone and head, every layer trained.

The cached-feature recipe (``fire_smoke.train``) trains only the head on a frozen COCO backbone. Here
the backbone is converted from the shipped ``nanodet-g-416.onnx`` to PyTorch with onnx2torch (its
batch norms are already folded into the convolutions, so a small batch is harmless), the head starts
from a trained head (``--head``, the ``.pt`` written next to ``gwanje train fire-smoke``'s output),
and both train on augmented images made on the fly (``train.Augmenter``) for a fixed time budget,
the backbone at a lower learning rate. The train split trains; the thresholds are chosen on the val
split's scores; the test split is never read. The whole network is then exported as one ONNX file
with the same contract as the head-only model (input ``image`` [N, 3, 256, 256] BGR / 255, output
``cells`` [N, 2, 16, 16]).

    python -m gwanje.training.fire_smoke.finetune --data ../shared/datasets/fire-smoke-cctv-yolo \\
        --data ../shared/datasets/fire-cair-images --data ../shared/datasets/fire-indoor-rf --frame-step 4 \\
        --head HEAD.pt --settings HEAD.json --seconds 2400 --output fire_smoke.onnx
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import torch
from torch import nn

from gwanje.detect.fire_smoke import to_input
from gwanje.detect.person import COCO_MODEL_FILE
from gwanje.eval.metrics import binary_report, choose_threshold
from gwanje.ingest.files import read_image
from gwanje.training.fire_smoke.backbone import MEAN_BGR, STD_BGR, backbone_graph
from gwanje.training.fire_smoke.cues import ColourCues
from gwanje.training.fire_smoke.data import Sample, load_datasets
from gwanje.training.fire_smoke.model import INPUT_SIZE, OPSET, OUTPUT_NAME, FireSmokeHead
from gwanje.training.fire_smoke.train import Augmenter, TrainSettings, cell_and_image_loss, sample_weights
from gwanje.training.onnx_to_torch import to_torch

log = logging.getLogger(__name__)

SCORE_BATCH = 16


class FireSmokeNet(nn.Module):  # type: ignore[misc,unused-ignore]  # torch is untyped where mypy runs
    """image [N, 3, H, W] BGR / 255 -> fire/smoke cell logits [N, 2, H / 16, W / 16], every layer trainable."""

    def __init__(self, nanodet: Path, head: FireSmokeHead) -> None:
        super().__init__()
        self.backbone = to_torch(backbone_graph(nanodet))
        self.head = head
        self.cues = ColourCues()
        self.register_buffer("scale", torch.from_numpy(255.0 / STD_BGR).reshape(1, 3, 1, 1))
        self.register_buffer("offset", torch.from_numpy(-MEAN_BGR / STD_BGR).reshape(1, 3, 1, 1))

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        f16, f32 = self.backbone(image * self.scale + self.offset)
        logits: torch.Tensor = self.head(f16, f32, self.cues(image) if self.head.uses_cues else None)
        return logits


class _Probabilities(nn.Module):  # type: ignore[misc,unused-ignore]
    def __init__(self, net: FireSmokeNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(image))


@dataclass(frozen=True)
class FinetuneSettings:
    seconds: float = 2400.0
    """Time budget of the training loop (the machine is a shared CPU: a budget, not a step count)."""
    batch_size: int = 8
    backbone_learning_rate: float = 5e-5
    head_learning_rate: float = 3e-4
    weight_decay: float = 1e-4
    checkpoint_every: int = 50
    """Steps between checkpoints of the weights (``--checkpoint``)."""


def finetune(
    net: FireSmokeNet,
    augmenter: Augmenter,
    settings: FinetuneSettings,
    checkpoint: Path | None = None,
) -> dict[str, float]:
    """Train every layer on freshly augmented batches until the time budget is spent; returns loss figures.

    The head's batch norms keep their statistics (eval mode): batches of 8 would make them noisy.
    """
    weights = sample_weights(augmenter.samples)
    optimiser = torch.optim.AdamW(
        [
            {"params": net.backbone.parameters(), "lr": settings.backbone_learning_rate},
            {"params": net.head.parameters(), "lr": settings.head_learning_rate},
        ],
        weight_decay=settings.weight_decay,
    )
    net.train()
    for module in net.head.modules():
        if isinstance(module, nn.BatchNorm2d):
            module.eval()
    started, step, losses = time.monotonic(), 0, []
    while time.monotonic() - started < settings.seconds:
        picks = augmenter.rng.choice(len(weights), size=settings.batch_size, p=weights)
        examples = [augmenter.example(int(i)) for i in picks]
        batch = torch.from_numpy(to_input([e.image for e in examples], (INPUT_SIZE, INPUT_SIZE)))
        cells = torch.from_numpy(np.stack([e.cells for e in examples]))
        labels = torch.from_numpy(np.stack([e.labels for e in examples]))
        loss = cell_and_image_loss(net(batch), cells, labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        losses.append(loss.item())
        step += 1
        if step % settings.checkpoint_every == 0:
            log.info("step %d, %.0f s, loss %.4f", step, time.monotonic() - started, np.mean(losses[-50:]))
            if checkpoint is not None:
                torch.save(net.state_dict(), checkpoint)
    net.eval()
    return {"steps": step, "images": step * settings.batch_size, "seconds": round(time.monotonic() - started)}


def image_scores(net: FireSmokeNet, samples: Sequence[Sample]) -> npt.NDArray[np.float32]:
    """Image-level (fire, smoke) probabilities [N, 2] with the detector's pre-processing."""
    net.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(samples), SCORE_BATCH):
            images = [read_image(s.path) for s in samples[start : start + SCORE_BATCH]]
            logits = net(torch.from_numpy(to_input(images, (INPUT_SIZE, INPUT_SIZE))))
            out.append(torch.sigmoid(logits).flatten(2).max(dim=2).values.numpy())
    return np.asarray(np.concatenate(out) if out else np.zeros((0, 2)), np.float32)


def export_net(net: FireSmokeNet, path: Path) -> None:
    """The whole network as one ONNX file: input ``image`` [N, 3, 256, 256], output ``cells`` (sigmoid)."""
    wrapper = _Probabilities(net).eval()  # the exporter restores the wrapper's mode onto ``net`` afterwards
    buffer = io.BytesIO()
    torch.onnx.export(
        wrapper,
        (torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE),),
        buffer,
        input_names=["image"],
        output_names=[OUTPUT_NAME],
        dynamic_axes={"image": {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )
    model = onnx.load_from_string(buffer.getvalue())
    onnx.checker.check_model(model)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, action="append", required=True, help="data directory; repeatable")
    parser.add_argument("--frame-step", type=int, default=1, help="keep every N-th frame of video-frame sets")
    parser.add_argument("--head", type=Path, required=True, help="trained head weights (.pt of gwanje train)")
    parser.add_argument("--settings", type=Path, required=True, help="that run's .json (augmentation settings)")
    parser.add_argument("--nanodet", type=Path, help="NanoDet-g ONNX (default: the packaged one)")
    parser.add_argument("--seconds", type=float, default=FinetuneSettings.seconds)
    parser.add_argument("--batch-size", type=int, default=FinetuneSettings.batch_size)
    parser.add_argument("--backbone-lr", type=float, default=FinetuneSettings.backbone_learning_rate)
    parser.add_argument("--head-lr", type=float, default=FinetuneSettings.head_learning_rate)
    parser.add_argument("--max-fpr", type=float, default=0.08, help="FPR cap when choosing thresholds")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--output", type=Path, required=True, help="ONNX file to write (.pt and .json beside it)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    from gwanje.detect.onnx_session import packaged_model

    args = _arguments(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    samples = [s for s in load_datasets(args.data) if s.frame < 0 or s.frame % args.frame_step == 0]
    train_set = [s for s in samples if s.split == "train"]
    val_set = [s for s in samples if s.split == "val"]
    recorded = json.loads(args.settings.read_text())["settings"]
    train_settings = TrainSettings(**{k: v for k, v in recorded.items() if k in TrainSettings.__dataclass_fields__})
    head = FireSmokeHead(train_settings.width, train_settings.dropout, train_settings.cues)
    head.load_state_dict(torch.load(args.head))
    net = FireSmokeNet(args.nanodet or packaged_model(COCO_MODEL_FILE), head)
    settings = FinetuneSettings(
        seconds=args.seconds,
        batch_size=args.batch_size,
        backbone_learning_rate=args.backbone_lr,
        head_learning_rate=args.head_lr,
    )
    augmenter = Augmenter(train_set, train_settings, np.random.default_rng(train_settings.seed + 7))
    print(f"samples: {len(train_set)} train, {len(val_set)} val")
    run = finetune(net, augmenter, settings, args.output.with_suffix(".pt"))
    torch.save(net.state_dict(), args.output.with_suffix(".pt"))
    scores = image_scores(net, val_set)
    report: dict[str, Any] = {"settings": vars(settings), "train": run, "thresholds": {}, "val": {}}
    for channel, name in enumerate(("fire", "smoke")):
        labels = [getattr(s, name) for s in val_set]
        threshold = choose_threshold(labels, scores[:, channel], args.max_fpr)
        report["thresholds"][name] = threshold
        report["val"][name] = binary_report(labels, scores[:, channel], threshold).as_dict()
    export_net(net, args.output)
    args.output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
