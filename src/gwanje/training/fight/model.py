"""Classifier, source-video splits, event-level scoring and threshold choice for the fight model.

Metrics are computed the way an operator would meet them: per clip, through the same N-of-M
confirmation the event engine applies to the per-frame scores (``EventTuning`` for fight), so a
clip counts as detected only if an event would have started inside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gwanje.config.events import EventTuning, default_tuning
from gwanje.training.fight.data import WindowSet

FloatArray = npt.NDArray[np.float64]
ClassifierKind = Literal["logistic", "boosting"]


def make_classifier(kind: ClassifierKind, seed: int = 0) -> Any:
    """A fresh scikit-learn classifier; both kinds export to ONNX with skl2onnx."""
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if kind == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=5000))
    return GradientBoostingClassifier(
        n_estimators=150, max_depth=2, learning_rate=0.05, subsample=0.8, random_state=seed
    )


def split_holdout(groups: Sequence[str], labels: Sequence[int], fraction: float, seed: int) -> npt.NDArray[np.bool_]:
    """Per-clip mask of a held-out set of whole source videos (about ``fraction`` of the clips, both classes)."""
    groups_arr = np.asarray(groups)
    labels_arr = np.asarray(labels)
    order = np.random.default_rng(seed).permutation(np.unique(groups_arr))
    held = np.zeros(len(groups_arr), bool)
    for group in order:
        if held.sum() >= fraction * len(groups_arr) and len(np.unique(labels_arr[held])) == 2:
            break
        held |= groups_arr == group
    return held


def group_folds(groups: Sequence[str], k: int, seed: int) -> list[npt.NDArray[np.bool_]]:
    """k per-clip test masks; each source video lies in exactly one, folds balanced by clip count."""
    groups_arr = np.asarray(groups)
    names, counts = np.unique(groups_arr, return_counts=True)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(names))
    order = order[np.argsort(-counts[order], kind="stable")]
    sizes = np.zeros(k, int)
    fold_of: dict[str, int] = {}
    for i in order:
        f = int(np.argmin(sizes))
        fold_of[str(names[i])] = f
        sizes[f] += counts[i]
    ids = np.array([fold_of[str(g)] for g in groups_arr])
    return [ids == f for f in range(k)]


def clip_scores(windows: WindowSet, scores: FloatArray, n_clips: int, phase: int = 0) -> list[FloatArray]:
    """Per clip, the window scores of one sampler phase in frame order (the per-frame stream the analyzer emits)."""
    out: list[FloatArray] = []
    for c in range(n_clips):
        mask = (windows.clip == c) & (windows.phase == phase)
        order = np.argsort(windows.end_index[mask])
        out.append(scores[mask][order])
    return out


def first_confirmation(scores: FloatArray, threshold: float, tuning: EventTuning, lead_frames: int) -> int | None:
    """Index (in frames of the clip) at which N-of-M confirmation first holds, or None.

    ``lead_frames`` frames before the first full window carry no observation.
    """
    hits = [False] * lead_frames + [bool(s >= threshold) for s in scores]
    for i in range(len(hits)):
        recent = hits[max(0, i - tuning.window_frames + 1) : i + 1]
        if sum(recent) >= tuning.confirm_frames:
            return i
    return None


@dataclass(frozen=True)
class ClipMetrics:
    f1: float
    precision: float
    recall: float
    fpr: float
    accuracy: float
    window_auc: float
    median_alert_s: float | None
    n_fight: int
    n_no_fight: int

    def as_dict(self) -> dict[str, float | int | None]:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in self.__dict__.items()}


def fight_tuning() -> EventTuning:
    return default_tuning()["fight"]


def event_predictions(
    per_clip: Sequence[FloatArray], threshold: float, lead_frames: int, tuning: EventTuning
) -> list[int | None]:
    return [first_confirmation(s, threshold, tuning, lead_frames) for s in per_clip]


def clip_metrics(
    per_clip: Sequence[FloatArray],
    labels: Sequence[int],
    threshold: float,
    lead_frames: int,
    fps: float,
    window_auc: float,
    tuning: EventTuning | None = None,
) -> ClipMetrics:
    tuning = tuning or fight_tuning()
    alerts = event_predictions(per_clip, threshold, lead_frames, tuning)
    pred = np.array([a is not None for a in alerts])
    y = np.asarray(labels) == 1
    tp, fp = int((pred & y).sum()), int((pred & ~y).sum())
    fn, tn = int((~pred & y).sum()), int((~pred & ~y).sum())
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    delays = [a / fps for a, yy in zip(alerts, y, strict=True) if yy and a is not None]
    return ClipMetrics(
        f1=f1,
        precision=precision,
        recall=recall,
        fpr=fp / (fp + tn) if fp + tn else 0.0,
        accuracy=(tp + tn) / len(y),
        window_auc=window_auc,
        median_alert_s=float(np.median(delays)) if delays else None,
        n_fight=int(y.sum()),
        n_no_fight=int((~y).sum()),
    )


def choose_threshold(per_clip: Sequence[FloatArray], labels: Sequence[int], lead_frames: int, max_fpr: float) -> float:
    """The threshold with the best clip F1 among those whose clip false-positive rate is <= ``max_fpr``.

    Call it only on out-of-fold scores of training source videos, never on the data being reported.
    """
    tuning = fight_tuning()
    y = np.asarray(labels) == 1
    best = (-1.0, 0.5)
    for threshold in np.round(np.arange(0.2, 0.96, 0.01), 2):
        pred = np.array([a is not None for a in event_predictions(per_clip, float(threshold), lead_frames, tuning)])
        fp, tn = int((pred & ~y).sum()), int((~pred & ~y).sum())
        if fp + tn and fp / (fp + tn) > max_fpr:
            continue
        tp, fn = int((pred & y).sum()), int((~pred & y).sum())
        f1 = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
        if f1 > best[0]:
            best = (f1, float(threshold))
    return best[1]


def window_auc(y: npt.NDArray[np.int64], scores: FloatArray) -> float:
    """ROC AUC (Mann-Whitney, ties counted half); NaN with one class. Numpy only, so checks run without sklearn."""
    pos, neg = scores[y == 1], scores[y == 0]
    if not len(pos) or not len(neg):
        return float("nan")
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    values = np.concatenate([pos, neg])[order]
    start = 0
    for end in range(1, len(values) + 1):
        if end == len(values) or values[end] != values[start]:
            ranks[order[start:end]] = (start + end + 1) / 2.0
            start = end
    return float((ranks[: len(pos)].sum() - len(pos) * (len(pos) + 1) / 2.0) / (len(pos) * len(neg)))
