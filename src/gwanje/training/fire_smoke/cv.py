"""Scene-grouped K-fold cross-validation of the fire/smoke head, for choosing operating thresholds.

The validation split alone (30 fire and 56 smoke images in a handful of scenes) gives unstable
thresholds. Instead, every train+val image is scored once by a head that never saw its scene
(out-of-fold scores), the thresholds are chosen on those ~1100 scores, and the shipped head is then
trained on all of train+val. The test split is never used.

Folds are by group (``gwanje.eval.metrics.group_kfold``): CCTV scene clusters and photo
near-duplicate groups are dealt out largest first to the fold with the fewest images, so the two
big clusters land in different folds. Augmented copies that carry a pasted patch from a held-out
scene are dropped from that fold's training too.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanje.eval.metrics import binary_report, choose_threshold
from gwanje.training.fire_smoke.data import Sample
from gwanje.training.fire_smoke.train import FeatureCache, ScoringFeatures, TrainSettings, head_scores, train_head

log = logging.getLogger(__name__)

CLASSES = ("fire", "smoke")


def out_of_fold_scores(
    cache: FeatureCache,
    features: ScoringFeatures,
    samples: Sequence[Sample],
    folds: npt.NDArray[np.int64],
    settings: TrainSettings,
) -> npt.NDArray[np.float32]:
    """(fire, smoke) image scores [N, 2], each from the head trained without the sample's fold."""
    scores = np.zeros((len(samples), 2), np.float32)
    groups = np.array([s.group for s in samples])
    for fold in np.unique(folds):
        held_out = folds == fold
        held_groups = set(groups[held_out].tolist())
        keep = ~held_out[cache.source] & ~np.isin(cache.pasted, list(held_groups))
        log.info("fold %d: %d held-out images, %d training entries", fold, held_out.sum(), keep.sum())
        head = train_head(cache.subset(keep), settings)
        part = ScoringFeatures(features.f16[held_out], features.f32[held_out], features.cues[held_out])
        scores[held_out] = head_scores(head, part)
    return scores


def cv_report(
    samples: Sequence[Sample],
    scores: npt.NDArray[np.float32],
    folds: npt.NDArray[np.int64],
    max_fpr: Mapping[str, float],
) -> dict[str, Any]:
    """Thresholds chosen on the out-of-fold scores under each class's FPR cap, metrics there (all, CCTV frames, video-frame sets and all
    but those, which is the population of the test split), per-fold thresholds."""
    video = np.array([s.frame >= 0 for s in samples])
    cctv = np.array([s.boxes is not None for s in samples]) & ~video
    report: dict[str, Any] = {"folds": int(folds.max()) + 1, "images": len(samples), "thresholds": {}}
    for channel, name in enumerate(CLASSES):
        labels = np.array([getattr(s, name) for s in samples])
        column = scores[:, channel]
        threshold = choose_threshold(labels, column, max_fpr[name])
        report["thresholds"][name] = threshold
        report[name] = binary_report(labels, column, threshold).as_dict()
        report[f"{name}_cctv"] = binary_report(labels[cctv], column[cctv], threshold).as_dict()
        if video.any():
            for part, mask in (("video", video), ("without_video", ~video)):
                chosen = binary_report(labels[mask], column[mask], threshold)
                report[f"{name}_{part}"] = chosen.as_dict()
        report[f"{name}_fold_thresholds"] = [
            choose_threshold(labels[folds == f], column[folds == f], max_fpr[name]) for f in range(report["folds"])
        ]
    return report
