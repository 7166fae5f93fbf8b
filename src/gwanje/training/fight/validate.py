"""Source-video cross-validation and the held-out check of the fight model.

The threshold is always chosen from out-of-fold scores of the videos a model was trained on
(an inner group k-fold), never from the videos it is scored on.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import FightDetectorConfig
from gwanje.detect.fight_features import window_frame_count
from gwanje.eval.metrics import group_folds, roc_auc
from gwanje.training.fight.data import Clip, WindowSet
from gwanje.training.fight.export import calibrated
from gwanje.training.fight.model import choose_threshold, clip_metrics, clip_scores, make_classifier

Mask = npt.NDArray[np.bool_]
DEFAULT_TRIGGER = FightDetectorConfig().trigger_changed_fraction
"""Windows below the analyzer's default trigger score 0, as at run time."""


def _window_mask(windows: WindowSet, clip_mask: Mask) -> Mask:
    return clip_mask[windows.clip]


def _gated(windows: WindowSet, scores: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return windows.gated(scores, DEFAULT_TRIGGER)


def _fit(windows: WindowSet, clip_mask: Mask, args: argparse.Namespace) -> Any:
    part = windows.select(_window_mask(windows, clip_mask))
    return make_classifier(args.classifier, args.seed).fit(part.x, part.y)


def out_of_fold(
    windows: WindowSet, clips: Sequence[Clip], clip_mask: Mask, args: argparse.Namespace, k: int
) -> npt.NDArray[np.float64]:
    """Scores of every window of ``clip_mask`` clips from models that never saw their source video."""
    groups = np.asarray([c.group for c in clips])
    scores = np.full(len(windows.y), np.nan)
    inside = np.flatnonzero(clip_mask)
    for test in group_folds(list(groups[inside]), k, args.seed):
        test_clips = np.zeros(len(clips), bool)
        test_clips[inside[test]] = True
        model = _fit(windows, clip_mask & ~test_clips, args)
        rows = _window_mask(windows, test_clips)
        scores[rows] = model.predict_proba(windows.x[rows])[:, 1]
    return _gated(windows, scores)


def _threshold(
    windows: WindowSet, clips: Sequence[Clip], clip_mask: Mask, oof: npt.NDArray[np.float64], args: argparse.Namespace
) -> float:
    per_clip = clip_scores(windows, oof, len(clips))
    idx = np.flatnonzero(clip_mask)
    lead = window_frame_count(args.window_s, args.fps) - 1
    return choose_threshold([per_clip[i] for i in idx], [clips[i].label for i in idx], lead, args.max_fpr)


def _score(
    windows: WindowSet,
    clips: Sequence[Clip],
    clip_mask: Mask,
    scores: npt.NDArray[np.float64],
    threshold: float,
    args: argparse.Namespace,
) -> dict[str, Any]:
    per_clip = clip_scores(windows, scores, len(clips))
    idx = np.flatnonzero(clip_mask)
    rows = _window_mask(windows, clip_mask)
    lead = window_frame_count(args.window_s, args.fps) - 1
    metrics = clip_metrics(
        [per_clip[i] for i in idx],
        [clips[i].label for i in idx],
        threshold,
        lead,
        args.fps,
        roc_auc(windows.y[rows], scores[rows]),
    )
    return metrics.as_dict()


def cross_validate(windows: WindowSet, clips: Sequence[Clip], dev: Mask, args: argparse.Namespace) -> dict[str, Any]:
    """Group k-fold over the ``dev`` clips; each fold's threshold comes from its training videos only."""
    groups = np.asarray([c.group for c in clips])
    inside = np.flatnonzero(dev)
    per_fold: list[dict[str, Any]] = []
    for test in group_folds(list(groups[inside]), args.folds, args.seed):
        test_clips = np.zeros(len(clips), bool)
        test_clips[inside[test]] = True
        train_clips = dev & ~test_clips
        inner = out_of_fold(windows, clips, train_clips, args, k=max(2, args.folds - 1))
        threshold = _threshold(windows, clips, train_clips, inner, args)
        model = _fit(windows, train_clips, args)
        scores = np.zeros(len(windows.y))
        rows = _window_mask(windows, test_clips)
        scores[rows] = model.predict_proba(windows.x[rows])[:, 1]
        result = _score(windows, clips, test_clips, _gated(windows, scores), threshold, args)
        result["threshold"] = threshold
        per_fold.append(result)
        print(f"fold {len(per_fold)}: " + ", ".join(f"{k} {v}" for k, v in result.items()))
    return {"per_fold": per_fold}


def fit_and_score(
    windows: WindowSet, clips: Sequence[Clip], dev: Mask, held: Mask, args: argparse.Namespace
) -> tuple[Any, float, dict[str, Any]]:
    """The model to ship (trained on all ``dev`` clips), its threshold, and its figures on ``held``."""
    oof = out_of_fold(windows, clips, dev, args, k=args.folds)
    threshold = _threshold(windows, clips, dev, oof, args)
    model = _fit(windows, dev, args)
    rows = _window_mask(windows, held)
    # Scored as the ONNX model will score: calibrated so that the threshold is 0.5, and windows the
    # trigger skips score 0.
    shipped = np.zeros(len(windows.y))
    shipped[rows] = calibrated(model.predict_proba(windows.x[rows])[:, 1], threshold)
    return model, threshold, _score(windows, clips, held, _gated(windows, shipped), 0.5, args)
