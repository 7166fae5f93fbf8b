"""Run predictors over a manifest, item by item, with a progress bar; one bad file never stops the run."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from tqdm import tqdm

from gwanje.core.errors import GwanjeError
from gwanje.eval.manifest import Manifest
from gwanje.eval.metrics import Alert, ItemResult

log = logging.getLogger(__name__)

VideoPredictor = Callable[[Path], tuple[list[Alert], float]]
"""Video path -> (alerts raised by the full pipeline, duration in seconds)."""


def run(
    manifest: Manifest,
    types: Sequence[str],
    predict_image: Callable[[Path], tuple[dict[str, float], set[str]]],
    predict_video: VideoPredictor,
    progress: bool | None = None,
) -> list[ItemResult]:
    """Score every row; exceptions from one item are recorded on it and the run goes on."""
    show = sys.stderr.isatty() if progress is None else progress
    results: list[ItemResult] = []
    for row in tqdm(manifest.rows, desc="eval", unit="item", disable=not show):
        item = ItemResult(row=row)
        try:
            if row.is_video:
                alerts, duration = predict_video(row.path)
                item.alerts = [a for a in alerts if a.event_type in types]
                item.duration_s = duration
                item.predicted = {a.event_type for a in item.alerts}
                for a in item.alerts:
                    item.scores[a.event_type] = max(item.scores.get(a.event_type, 0.0), a.confidence)
            else:
                scores, positive = predict_image(row.path)
                item.scores = {t: s for t, s in scores.items() if t in types}
                item.predicted = {t for t in positive if t in types}
        except (GwanjeError, OSError, ValueError) as exc:
            item.error = str(exc)
            log.warning("line %d (%s): %s", row.line, row.path.name, exc)
        results.append(item)
    return results
