"""Re-check a shipped fight model on labelled clips with ONNX Runtime only (no training libraries).

The committed validation figures (``detect/models/fight.metrics.json``) name the held-out source
videos and the sampling settings; ``check_holdout`` recomputes the figures from the clips and the
ONNX file, the way ``gwanje train fight`` computed them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import FightDetectorConfig
from gwanje.detect.fight import MODEL_INPUT, load_fight_model
from gwanje.detect.fight_features import window_frame_count
from gwanje.eval.metrics import roc_auc
from gwanje.training.fight.data import WindowSet, build_windows, load_clips
from gwanje.training.fight.model import clip_metrics, clip_scores

METRICS_FILE = Path(__file__).resolve().parents[2] / "detect" / "models" / "fight.metrics.json"


def onnx_scores(model_path: Path, windows: WindowSet, trigger: float) -> npt.NDArray[np.float64]:
    """Calibrated scores of every window from the ONNX model; windows below the trigger score 0, as at run time."""
    model = load_fight_model("fight-check", FightDetectorConfig(model_path=model_path))
    (out,) = model.run({MODEL_INPUT: windows.x})
    return windows.gated(np.asarray(out, np.float64).reshape(-1), trigger)


def check_holdout(data_dir: Path, model_path: Path, saved: dict[str, Any] | None = None) -> dict[str, Any]:
    """Held-out figures of ``model_path`` recomputed on the clips of ``data_dir`` (same split and settings)."""
    saved = saved if saved is not None else json.loads(METRICS_FILE.read_text())
    settings = saved["settings"]
    held = set(saved["holdout"]["source_videos"])
    clips = load_clips(data_dir, held)
    if not clips:
        raise ValueError(f"none of the held-out source videos listed in the metrics are in {data_dir}/labels.csv")
    windows = build_windows(clips, settings["fps"], settings["window_s"], settings["phases"])
    scores = onnx_scores(model_path, windows, settings["trigger_changed_fraction"])
    lead = window_frame_count(settings["window_s"], settings["fps"]) - 1
    metrics = clip_metrics(
        clip_scores(windows, scores, len(clips)),
        [c.label for c in clips],
        0.5,
        lead,
        settings["fps"],
        roc_auc(windows.y, scores),
    )
    return metrics.as_dict()
