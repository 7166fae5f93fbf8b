"""The fire/smoke training loop (PyTorch, CPU).

Loss per image = cell loss + image loss, for each class:
* cell loss: binary cross-entropy on cells whose target is known (boxes give 1 for covered
  cells and 0 for untouched ones; negative images give 0 everywhere);
* image loss: binary cross-entropy of the highest cell logit against the image label
  (multiple-instance learning: the only signal for image-labelled data such as CAIR).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from gwanje.detect.fire_smoke import to_input
from gwanje.training.fire_smoke_augment import augment, cell_targets
from gwanje.training.fire_smoke_data import UNKNOWN, Sample, box_masks
from gwanje.training.fire_smoke_model import INPUT_SIZE, STRIDE, FireSmokeNet, probabilities

log = logging.getLogger(__name__)

PRELOAD_SIZE = 320
"""Training images are kept in memory at this size; random crops are then resized to INPUT_SIZE."""


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 30
    batch_size: int = 32
    learning_rate: float = 3e-3
    weight_decay: float = 1e-4
    width: int = 32
    negative_rate: float = 0.25
    seed: int = 0


@dataclass
class _Loaded:
    image: npt.NDArray[np.uint8]
    mask: npt.NDArray[np.uint8]
    sample: Sample


def read_image(sample: Sample) -> npt.NDArray[np.uint8]:
    image = cv2.imread(str(sample.path), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f"cannot decode training image {sample.path}")
    return np.asarray(image, np.uint8)


def _preload(samples: Sequence[Sample]) -> list[_Loaded]:
    loaded = []
    for sample in samples:
        image = np.asarray(
            cv2.resize(read_image(sample), (PRELOAD_SIZE, PRELOAD_SIZE), interpolation=cv2.INTER_AREA), np.uint8
        )
        loaded.append(_Loaded(image, box_masks(sample.boxes, PRELOAD_SIZE, PRELOAD_SIZE), sample))
    return loaded


def _targets(
    item: _Loaded, mask: npt.NDArray[np.uint8], grid: int
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(cell targets [2, G, G], image labels [2]) after augmentation; -1 = unknown."""
    sample = item.sample
    if sample.boxes is not None:
        cells = cell_targets(mask, grid)
        labels = mask.reshape(-1, 2).max(axis=0).astype(np.float32)
        return cells, labels
    cells = np.full((2, grid, grid), -1.0, np.float32)
    labels = np.array([sample.fire, sample.smoke], np.float32)
    for channel, value in enumerate((sample.fire, sample.smoke)):
        if value == 0:
            cells[channel] = 0.0
    labels[labels == UNKNOWN] = -1.0
    return cells, labels


def _batch(
    items: Sequence[_Loaded], rng: np.random.Generator, settings: TrainSettings
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    grid = INPUT_SIZE // STRIDE
    images, cells, labels = [], [], []
    for item in items:
        image, mask = augment(item.image, item.mask, INPUT_SIZE, rng, settings.negative_rate)
        cell, label = _targets(item, mask, grid)
        images.append(image)
        cells.append(cell)
        labels.append(label)
    size = (INPUT_SIZE, INPUT_SIZE)
    return (
        torch.from_numpy(to_input(images, size)),
        torch.from_numpy(np.stack(cells)),
        torch.from_numpy(np.stack(labels)),
    )


def _loss(logits: torch.Tensor, cells: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    bce = nn.functional.binary_cross_entropy_with_logits
    known = cells >= 0
    cell_loss = bce(logits[known], cells[known]) if known.any() else logits.sum() * 0
    image_logits = logits.flatten(2).max(dim=2).values
    known_img = labels >= 0
    image_loss = bce(image_logits[known_img], labels[known_img]) if known_img.any() else logits.sum() * 0
    return cell_loss + image_loss


def sample_weights(samples: Sequence[Sample]) -> npt.NDArray[np.float64]:
    """Balance box-labelled (CCTV) and image-labelled (photo) data, and fire-positive images."""
    weights = np.ones(len(samples))
    boxed = np.array([s.boxes is not None for s in samples])
    for part in (boxed, ~boxed):
        if part.any():
            weights[part] = 0.5 / part.sum()
    fire = np.array([s.fire == 1 for s in samples])
    weights[fire] *= 1.5
    return np.asarray(weights / weights.sum(), np.float64)


def train(samples: Sequence[Sample], settings: TrainSettings) -> FireSmokeNet:
    """Train on ``samples`` (the training split) and return the network in eval mode."""
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    loaded = _preload(samples)
    weights = sample_weights(samples)
    net = FireSmokeNet(settings.width)
    optimiser = torch.optim.AdamW(net.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    steps_per_epoch = max(1, len(loaded) // settings.batch_size)
    total = steps_per_epoch * settings.epochs
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=settings.learning_rate, total_steps=total, pct_start=0.15
    )
    for epoch in range(settings.epochs):
        net.train()
        started, losses = time.monotonic(), []
        for _ in range(steps_per_epoch):
            picks = rng.choice(len(loaded), size=min(settings.batch_size, len(loaded)), p=weights)
            images, cells, labels = _batch([loaded[i] for i in picks], rng, settings)
            loss = _loss(net(images), cells, labels)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
        log.info(
            "epoch %d/%d loss %.4f (%.0f s)", epoch + 1, settings.epochs, np.mean(losses), time.monotonic() - started
        )
    net.eval()
    return net


def torch_scores(net: FireSmokeNet, samples: Sequence[Sample], batch_size: int = 32) -> npt.NDArray[np.float32]:
    """Image-level (fire, smoke) probabilities [N, 2] with the detector's own pre-processing."""
    out = []
    for start in range(0, len(samples), batch_size):
        images = [read_image(s) for s in samples[start : start + batch_size]]
        batch = torch.from_numpy(to_input(images, (INPUT_SIZE, INPUT_SIZE)))
        out.append(probabilities(net, batch).flatten(2).max(dim=2).values.numpy())
    return np.concatenate(out) if out else np.zeros((0, 2), np.float32)
