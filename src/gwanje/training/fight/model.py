"""Classifier, event-level scoring and threshold choice for the fight model.

Metrics are computed the way an operator would meet them: per clip, through the same N-of-M
confirmation the event engine applies to the per-frame scores (``EventTuning`` for fight), so a
clip counts as detected only if an event would have started inside it. The counting itself, the
threshold search and the source-video splits are ``gwanje.eval.metrics``'.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gwanje.config.events import EventTuning, default_tuning
from gwanje.eval.metrics import BinaryCounts, Delays, best_threshold, binary_counts
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
    """Clip figures at ``threshold``: a clip is positive when an event would have started in it."""
    tuning = tuning or fight_tuning()
    alerts = event_predictions(per_clip, threshold, lead_frames, tuning)
    y = np.asarray(labels) == 1
    m = binary_counts(y, [a is not None for a in alerts])
    delays = Delays().update(a / fps for a, yy in zip(alerts, y, strict=True) if yy and a is not None)
    return ClipMetrics(
        f1=m.f1,
        precision=m.precision,
        recall=m.recall,
        fpr=m.fpr,
        accuracy=m.accuracy,
        window_auc=window_auc,
        median_alert_s=delays.compute().median,
        n_fight=m.positives,
        n_no_fight=m.n - m.positives,
    )


THRESHOLD_CANDIDATES = np.round(np.arange(0.2, 0.96, 0.01), 2)
"""Raw-probability thresholds tried, ascending, so the lowest of equally good ones is kept."""


def choose_threshold(per_clip: Sequence[FloatArray], labels: Sequence[int], lead_frames: int, max_fpr: float) -> float:
    """The threshold with the best clip F1 among those whose clip false-positive rate is <= ``max_fpr``.

    Call it only on out-of-fold scores of training source videos, never on the data being reported.
    """
    tuning = fight_tuning()

    def counts_at(threshold: float) -> BinaryCounts:
        alerts = event_predictions(per_clip, threshold, lead_frames, tuning)
        return binary_counts(labels, [a is not None for a in alerts])

    return best_threshold(THRESHOLD_CANDIDATES, counts_at, max_fpr)
