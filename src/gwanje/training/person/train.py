"""The time-boxed fine-tuning loop: every layer of NanoDet-g, one picture per step, gradients accumulated."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from gwanje.ingest.files import read_image
from gwanje.training.person.augment import training_input
from gwanje.training.person.data import IGNORE, Sample

log = logging.getLogger(__name__)

WARMUP_STEPS = 50
"""Optimiser steps with a linearly rising learning rate, so the first noisy gradients do not wreck COCO features."""


@dataclass(frozen=True)
class TrainSettings:
    minutes: float = 40.0
    """Wall-clock budget; the learning rate follows a cosine over it and training stops when it is spent."""
    learning_rate: float = 5e-5
    weight_decay: float = 1e-4
    accumulate: int = 8
    """Pictures per optimiser step (the converted graph takes a batch of one)."""
    freeze: int = 0
    """Leading convolutions kept fixed (0: train end to end)."""
    seed: int = 0
    checkpoint_every_s: float = 300.0
    threads: int = 1


def learning_rate(settings: TrainSettings, step: int, elapsed: float) -> float:
    """Warm-up, then a cosine from ``learning_rate`` to 5 % of it over the time budget."""
    warm = min(1.0, (step + 1) / WARMUP_STEPS)
    progress = min(1.0, elapsed / (settings.minutes * 60.0))
    return settings.learning_rate * warm * (0.05 + 0.95 * 0.5 * (1.0 + math.cos(math.pi * progress)))


def train(
    model: Any, samples: Sequence[Sample], settings: TrainSettings, checkpoint: Path, teacher: Any = None
) -> dict[str, float]:
    """Fine-tune ``model`` (the converted NanoDet-g) in place on ``samples``; returns the last losses.

    ``teacher`` (a frozen copy of the starting model) regularises the scores and boxes (``person_loss``)."""
    import torch

    from gwanje.training.person.loss import grid, person_loss
    from gwanje.training.person.model import conv_weights

    torch.set_num_threads(settings.threads)
    if teacher is not None:
        teacher.eval()
        for parameter in teacher.parameters():
            parameter.requires_grad_(False)
    torch.manual_seed(settings.seed)
    rng = np.random.default_rng(settings.seed)
    convs = list(conv_weights(model).values())
    for weight, bias in convs[: settings.freeze]:
        weight.requires_grad_(False)
        if bias is not None:
            bias.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    optimiser = torch.optim.AdamW(params, lr=settings.learning_rate, weight_decay=settings.weight_decay)
    centres, strides = grid()
    model.train()
    start = last_save = time.monotonic()
    step = seen = 0
    totals: dict[str, float] = {}
    while (elapsed := time.monotonic() - start) < settings.minutes * 60.0:
        for group in optimiser.param_groups:
            group["lr"] = learning_rate(settings, step, elapsed)
        optimiser.zero_grad()
        for _ in range(settings.accumulate):
            sample = samples[int(rng.integers(len(samples)))]
            image = read_image(sample.image)
            tensor, boxes, ignore = training_input(image, sample.boxes, sample.classes == IGNORE, rng)
            x = torch.from_numpy(tensor)
            outputs = model(x)
            with torch.no_grad():
                kept = teacher(x) if teacher is not None else None
            loss, parts = person_loss(
                outputs, torch.from_numpy(boxes), torch.from_numpy(ignore), centres, strides, kept
            )
            (loss / settings.accumulate).backward()
            seen += 1
            for key, value in parts.items():
                totals[key] = 0.98 * totals.get(key, value) + 0.02 * value
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        optimiser.step()
        step += 1
        if step % 10 == 0:
            log.info("step %d, %d pictures, %.0f s, lr %.2e, %s", step, seen, elapsed,
                     optimiser.param_groups[0]["lr"], {k: round(v, 4) for k, v in totals.items()})  # fmt: skip
        if time.monotonic() - last_save > settings.checkpoint_every_s:
            torch.save(model.state_dict(), checkpoint)
            last_save = time.monotonic()
    torch.save(model.state_dict(), checkpoint)
    log.info("done: %d steps, %d pictures in %.0f s", step, seen, time.monotonic() - start)
    return {**totals, "steps": float(step), "pictures": float(seen), "seconds": time.monotonic() - start}
