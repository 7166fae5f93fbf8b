"""The fire/smoke training loop (PyTorch, CPU): cache backbone features of augmented images, train the head.

The NanoDet backbone is frozen, so each training image is augmented ``variants`` times once, its
features are cached (float16) and the head trains for many epochs on the cache in seconds.

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
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt
import torch
from torch import nn

from gwanje.detect.fire_smoke import to_input
from gwanje.ingest.files import read_image
from gwanje.training.fire_smoke.augment import (
    augment,
    cell_targets,
    cut_patches,
    paste_patch,
    paste_synthetic_flame,
)
from gwanje.training.fire_smoke.backbone import BackboneRunner
from gwanje.training.fire_smoke.data import UNKNOWN, Sample, box_masks
from gwanje.training.fire_smoke.model import INPUT_SIZE, STRIDE, FireSmokeHead, image_cues, probabilities

log = logging.getLogger(__name__)

PRELOAD_SIZE = 320
"""Training images are read at this size; random crops are then resized to INPUT_SIZE."""
FEATURE_BATCH = 32


@dataclass(frozen=True)
class TrainSettings:
    epochs: int = 40
    batch_size: int = 64
    learning_rate: float = 2e-3
    weight_decay: float = 1e-3
    width: int = 96
    variants: int = 5
    """Augmented copies of each training image whose features are cached (the first is un-augmented)."""
    dropout: float = 0.2
    negative_rate: float = 0.25
    paste_rate: float = 0.0
    """Share of augmented copies that get a fire (and with ``paste_smoke`` smoke) patch from another scene."""
    paste_smoke: bool = False
    synthetic_flame_rate: float = 0.0
    """Share of augmented copies of negative or box-labelled images that get a procedural flame."""
    grey_rate: float = 0.0
    """Share of augmented copies turned greyscale and labelled "no fire" (no flame colour, no fire)."""
    cues: bool = False
    """Give the head the per-cell colour cues of ``fire_smoke_cues`` besides the backbone's features."""
    video_share: float = 0.2
    """Sampling share of video-frame sets (fire-indoor-rf: all fire, few scenes); the rest is split evenly
    between CCTV frames and photos, as before the video set was added."""
    seed: int = 0


@dataclass
class FeatureCache:
    """Backbone features and colour cues of the augmented training images, with their targets.

    ``source`` is each entry's sample index and ``pasted`` the group of the patch pasted into it
    ("" if none), so a cross-validation fold can leave out everything that shows a held-out scene.
    """

    f16: npt.NDArray[np.float16]
    f32: npt.NDArray[np.float16]
    cues: npt.NDArray[np.float16]
    cells: npt.NDArray[np.float32]
    labels: npt.NDArray[np.float32]
    weights: npt.NDArray[np.float64]
    source: npt.NDArray[np.int64]
    pasted: npt.NDArray[np.str_]

    def subset(self, keep: npt.NDArray[np.bool_]) -> FeatureCache:
        """The entries where ``keep`` is true, weights renormalised."""
        w = self.weights[keep]
        return FeatureCache(
            f16=self.f16[keep],
            f32=self.f32[keep],
            cues=self.cues[keep],
            cells=self.cells[keep],
            labels=self.labels[keep],
            weights=w / w.sum(),
            source=self.source[keep],
            pasted=self.pasted[keep],
        )


def _preload(sample: Sample) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.uint8]]:
    image = cv2.resize(read_image(sample.path), (PRELOAD_SIZE, PRELOAD_SIZE), interpolation=cv2.INTER_AREA)
    return np.asarray(image, np.uint8), box_masks(sample.boxes, PRELOAD_SIZE, PRELOAD_SIZE)


def _targets(
    sample: Sample, mask: npt.NDArray[np.uint8], grid: int, boxed: bool
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """(cell targets [2, G, G], image labels [2]) after augmentation; -1 = unknown.

    ``boxed``: the mask describes every fire/smoke pixel (box-annotated image, or a negative image
    with a pasted patch), so cells and labels come from it.
    """
    if boxed:
        cells, labels = cell_targets(mask, grid), mask.reshape(-1, 2).max(axis=0).astype(np.float32)
        if sample.smoke == UNKNOWN and labels[1] == 0:  # boxes of a fire-only set say nothing about smoke
            cells[1], labels[1] = -1.0, -1.0
        return cells, labels
    cells = np.full((2, grid, grid), -1.0, np.float32)
    labels = np.array([sample.fire, sample.smoke], np.float32)
    for channel, value in enumerate((sample.fire, sample.smoke)):
        if value == 0:
            cells[channel] = 0.0
    labels[labels == UNKNOWN] = -1.0
    return cells, labels


def sample_weights(
    samples: Sequence[Sample], video_share: float = TrainSettings.video_share
) -> npt.NDArray[np.float64]:
    """Balance CCTV frames, photos and video frames (``video_share`` of the draws), and fire-positive images."""
    weights = np.ones(len(samples))
    video = np.array([s.frame >= 0 for s in samples])
    boxed = np.array([s.boxes is not None for s in samples]) & ~video
    rest = 1.0 - video_share if video.any() else 1.0
    for part, share in ((boxed, rest / 2), (~boxed & ~video, rest / 2), (video, video_share)):
        if part.any():
            weights[part] = share / part.sum()
    fire = np.array([s.fire == 1 for s in samples])
    weights[fire] *= 1.5
    return np.asarray(weights / weights.sum(), np.float64)


def to_grey_negative(
    image: npt.NDArray[np.uint8], cells: npt.NDArray[np.float32], labels: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """A greyscale copy with every fire target 0: without flame colour the model must not say fire.

    Greyscale and IR cameras gave 0.95 fire scores on grey walkways; this teaches the head that
    shape and brightness alone are not fire (smoke targets are kept: smoke is grey anyway).
    """
    grey = cv2.cvtColor(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    cells, labels = cells.copy(), labels.copy()
    cells[0], labels[0] = 0.0, 0.0
    return np.asarray(grey, np.uint8), cells, labels


@dataclass(frozen=True)
class Example:
    """One augmented training image with its targets (cells [2, G, G], labels [2]; -1 = unknown)."""

    image: npt.NDArray[np.uint8]
    cells: npt.NDArray[np.float32]
    labels: npt.NDArray[np.float32]
    pasted_group: str
    """Group of the patch pasted into the image ("" if none)."""


class Augmenter:
    """Makes augmented examples of preloaded samples: used once per copy for the feature cache, and on the
    fly by end-to-end fine-tuning (``fire_smoke.finetune``)."""

    def __init__(self, samples: Sequence[Sample], settings: TrainSettings, rng: np.random.Generator) -> None:
        self.samples = list(samples)
        self.settings = settings
        self.rng = rng
        self.loaded = [_preload(sample) for sample in self.samples]
        channels = (0, 1) if settings.paste_smoke else (0,)
        self.patches = [
            p
            for (image, _), sample in zip(self.loaded, self.samples, strict=True)
            for p in cut_patches(image, sample.boxes, sample.group)
            if p.channel in channels
        ]

    def example(self, index: int, augmented: bool = True) -> Example:
        """Sample ``index`` resized (``augmented`` false) or augmented, with its targets."""
        image, mask = self.loaded[index]
        sample, settings, rng = self.samples[index], self.settings, self.rng
        size = (INPUT_SIZE, INPUT_SIZE)
        eligible = sample.boxes is not None or (sample.fire == 0 and sample.smoke == 0)
        boxed = sample.boxes is not None
        pasted_group = ""
        if not augmented:
            out = np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_AREA), np.uint8)
            out_mask = np.asarray(cv2.resize(mask, size, interpolation=cv2.INTER_NEAREST), np.uint8)
        else:
            src, src_mask = image, mask
            if self.patches and eligible and rng.random() < settings.paste_rate:
                patch = self.patches[int(rng.integers(len(self.patches)))]
                if patch.group != sample.group:
                    src, src_mask = paste_patch(image, mask, patch, rng)
                    pasted_group = patch.group
                    boxed = True  # a negative image with a pasted box now has known cells everywhere
            if eligible and settings.synthetic_flame_rate > 0 and rng.random() < settings.synthetic_flame_rate:
                src, src_mask = paste_synthetic_flame(src, src_mask, rng)
                boxed = True
            out, out_mask = augment(src, src_mask, INPUT_SIZE, rng, settings.negative_rate)
        cell, label = _targets(sample, out_mask.reshape(INPUT_SIZE, INPUT_SIZE, 2), INPUT_SIZE // STRIDE, boxed)
        if augmented and rng.random() < settings.grey_rate:
            out, cell, label = to_grey_negative(out, cell, label)
        return Example(out, cell, label, pasted_group)


def cache_features(samples: Sequence[Sample], backbone: BackboneRunner, settings: TrainSettings) -> FeatureCache:
    """Augment every sample ``settings.variants`` times and keep the backbone's features and the targets."""
    images: list[npt.NDArray[np.uint8]] = []
    f16: list[npt.NDArray[np.float16]] = []
    f32: list[npt.NDArray[np.float16]] = []
    cues: list[npt.NDArray[np.float16]] = []
    cells, labels, weights, source, pasted = [], [], [], [], []
    per_sample = sample_weights(samples, settings.video_share)

    def flush() -> None:
        batch = to_input(images, (INPUT_SIZE, INPUT_SIZE))
        a, b = backbone.features(batch)
        f16.append(a.astype(np.float16))
        f32.append(b.astype(np.float16))
        cues.append(image_cues(batch).astype(np.float16))
        images.clear()

    started = time.monotonic()
    augmenter = Augmenter(samples, settings, np.random.default_rng(settings.seed))
    for index, weight in enumerate(per_sample):
        for variant in range(settings.variants):
            example = augmenter.example(index, augmented=variant > 0)
            images.append(example.image)
            cells.append(example.cells)
            labels.append(example.labels)
            weights.append(weight)
            source.append(index)
            pasted.append(example.pasted_group)
            if len(images) == FEATURE_BATCH:
                flush()
    if images:
        flush()
    log.info("cached features of %d augmented images in %.0f s", len(cells), time.monotonic() - started)
    w = np.asarray(weights, np.float64)
    return FeatureCache(
        f16=np.concatenate(f16),
        f32=np.concatenate(f32),
        cues=np.concatenate(cues),
        cells=np.stack(cells),
        labels=np.stack(labels),
        weights=w / w.sum(),
        source=np.asarray(source, np.int64),
        pasted=np.asarray(pasted, np.str_),
    )


def cell_and_image_loss(logits: torch.Tensor, cells: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    bce = nn.functional.binary_cross_entropy_with_logits
    known = cells >= 0
    cell_loss = bce(logits[known], cells[known]) if known.any() else logits.sum() * 0
    image_logits = logits.flatten(2).max(dim=2).values
    known_img = labels >= 0
    image_loss = bce(image_logits[known_img], labels[known_img]) if known_img.any() else logits.sum() * 0
    return cell_loss + image_loss


def train_head(cache: FeatureCache, settings: TrainSettings) -> FireSmokeHead:
    """Train the head on cached features; returns it in eval mode."""
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed + 1)
    head = FireSmokeHead(settings.width, settings.dropout, settings.cues)
    optimiser = torch.optim.AdamW(head.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    count = len(cache.cells)
    batch = min(settings.batch_size, count)
    steps_per_epoch = max(1, count // batch)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimiser, max_lr=settings.learning_rate, total_steps=steps_per_epoch * settings.epochs, pct_start=0.1
    )
    for epoch in range(settings.epochs):
        head.train()
        started, losses = time.monotonic(), []
        for _ in range(steps_per_epoch):
            picks = rng.choice(count, size=batch, p=cache.weights)
            logits = head(
                torch.from_numpy(cache.f16[picks].astype(np.float32)),
                torch.from_numpy(cache.f32[picks].astype(np.float32)),
                torch.from_numpy(cache.cues[picks].astype(np.float32)) if settings.cues else None,
            )
            loss = cell_and_image_loss(
                logits, torch.from_numpy(cache.cells[picks]), torch.from_numpy(cache.labels[picks])
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            schedule.step()
            losses.append(loss.item())
        log.info(
            "epoch %d/%d loss %.4f (%.1f s)", epoch + 1, settings.epochs, np.mean(losses), time.monotonic() - started
        )
    head.eval()
    return head


def train(
    samples: Sequence[Sample], settings: TrainSettings, nanodet: Path, threads: int = 0
) -> tuple[FireSmokeHead, BackboneRunner]:
    """Cache features of ``samples`` (the training split) and train the head on them."""
    backbone = BackboneRunner(nanodet, threads)
    return train_head(cache_features(samples, backbone, settings), settings), backbone


@dataclass
class ScoringFeatures:
    """Backbone features and cues of whole images with the detector's own pre-processing (no augmentation)."""

    f16: npt.NDArray[np.float32]
    f32: npt.NDArray[np.float32]
    cues: npt.NDArray[np.float32]


def scoring_features(backbone: BackboneRunner, samples: Sequence[Sample]) -> ScoringFeatures:
    f16, f32, cues = [], [], []
    for start in range(0, len(samples), FEATURE_BATCH):
        batch = to_input([read_image(s.path) for s in samples[start : start + FEATURE_BATCH]], (INPUT_SIZE, INPUT_SIZE))
        a, b = backbone.features(batch)
        f16.append(a)
        f32.append(b)
        cues.append(image_cues(batch))
    return ScoringFeatures(np.concatenate(f16), np.concatenate(f32), np.concatenate(cues))


def head_scores(head: FireSmokeHead, features: ScoringFeatures) -> npt.NDArray[np.float32]:
    """Image-level (fire, smoke) probabilities [N, 2]: the highest cell of each class."""
    cells = probabilities(
        head,
        torch.from_numpy(features.f16),
        torch.from_numpy(features.f32),
        torch.from_numpy(features.cues) if head.uses_cues else None,
    )
    return np.asarray(cells.flatten(2).max(dim=2).values.numpy(), np.float32)


def torch_scores(head: FireSmokeHead, backbone: BackboneRunner, samples: Sequence[Sample]) -> npt.NDArray[np.float32]:
    """Image-level (fire, smoke) probabilities [N, 2] with the detector's own pre-processing."""
    if not samples:
        return np.zeros((0, 2), np.float32)
    return head_scores(head, scoring_features(backbone, samples))
