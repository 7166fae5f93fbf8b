"""The one set of metrics of the project: ``gwanje eval``, the research studies and training all count here.

- ``binary``: confusion counts and precision / recall / F1 / FPR (``BinaryCounts``, ``BinaryConfusion``).
  Convention: a ratio with an empty denominator is 0.0, so precision with no prediction is 0.0.
- ``ranking``: PR curve, average precision, ROC AUC, threshold choice (best F1 with FPR ≤ a cap) and
  the ``BinaryScores`` accumulator (``update(labels, scores)`` / ``compute(threshold)``).
- ``folds``: group k-fold and group hold-out splits, deterministic by seed, groups never split.
- ``timing``: percentiles and time-to-alert / latency summaries (``Delays`` accumulator).
- ``matching``: detected boxes against labelled boxes (greedy by score, IoU threshold).
- ``rates``: event rates (alerts per camera-hour) with exact Poisson (Garwood) intervals, no scipy needed.
- ``items``: what ``gwanje eval`` computes over manifest items (``summarize`` is metrics.json).

Training may import this package; nothing here imports training.
"""

from gwanje.eval.metrics.binary import BinaryConfusion, BinaryCounts, binary_counts
from gwanje.eval.metrics.folds import group_folds, group_holdout, group_kfold
from gwanje.eval.metrics.items import (
    KISA_F1_PASS,
    Alert,
    ItemResult,
    TypeMetrics,
    confusion,
    false_alerts_per_hour,
    pr_curve,
    summarize,
    times_to_alert,
)
from gwanje.eval.metrics.matching import BoxMatch, match_boxes
from gwanje.eval.metrics.ranking import (
    BinaryReport,
    BinaryScores,
    PRCurve,
    average_precision,
    best_threshold,
    binary_report,
    choose_threshold,
    precision_recall_curve,
    roc_auc,
    score_candidates,
)
from gwanje.eval.metrics.rates import RateInterval, events_for_narrow_interval, poisson_interval, rate_interval
from gwanje.eval.metrics.timing import Delays, DelaySummary, percentile, summarize_delays

__all__ = [
    "KISA_F1_PASS",
    "Alert",
    "BinaryConfusion",
    "BinaryCounts",
    "BinaryReport",
    "BinaryScores",
    "BoxMatch",
    "DelaySummary",
    "Delays",
    "ItemResult",
    "PRCurve",
    "RateInterval",
    "TypeMetrics",
    "average_precision",
    "best_threshold",
    "binary_counts",
    "binary_report",
    "choose_threshold",
    "confusion",
    "events_for_narrow_interval",
    "false_alerts_per_hour",
    "group_folds",
    "group_holdout",
    "group_kfold",
    "match_boxes",
    "percentile",
    "poisson_interval",
    "pr_curve",
    "precision_recall_curve",
    "rate_interval",
    "roc_auc",
    "score_candidates",
    "summarize",
    "summarize_delays",
    "times_to_alert",
]
