"""`gwanje train fight --data DIR`: train, validate by source video and export the fight model.

1. Clips are decoded once through ingest and sampled by its decimator at the analysis rate
   (``--fps``, default the cameras' 5 fps), as a camera would analyse them; each window of
   ``--window-s`` becomes one sample (``data``).
2. A fixed share of whole source videos is held out (``--holdout``) and never used for any choice.
3. Group k-fold over the other source videos gives the fold figures (mean ± std); the threshold of
   each fold comes from out-of-fold scores of its own training videos only.
4. The model shipped is trained on all non-held-out videos; its threshold comes from their
   out-of-fold scores; it is then scored once on the held-out videos.
Metrics are per clip through the fight event's N-of-M confirmation (``model``), counted by
``gwanje.eval.metrics``. The report names the data folder relative to the datasets root.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np

from gwanje.config.datasets import datasets_root
from gwanje.detect.fight_features import FEATURE_VERSION, window_frame_count
from gwanje.eval.metrics import group_holdout

log = logging.getLogger(__name__)

DEFAULT_OUT = Path(__file__).resolve().parents[2] / "detect" / "models" / "fight.onnx"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", type=Path, required=True, help="folder with labels.csv and the clips it lists")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="ONNX file to write (default: the packaged model)"
    )
    parser.add_argument(
        "--report", type=Path, default=None, help="figures as JSON (default: beside the model, NAME.metrics.json)"
    )
    parser.add_argument(
        "--reference",
        type=Path,
        default=None,
        help="also write an .npz of held-out window features and the training model's scores (for tests)",
    )
    parser.add_argument("--classifier", choices=("logistic", "boosting"), default="logistic")
    parser.add_argument("--fps", type=float, default=5.0, help="analysis rate the clips are sampled at")
    parser.add_argument("--window-s", type=float, default=1.6, help="window length in seconds")
    parser.add_argument("--phases", type=int, default=5, help="sampler phases per clip (more training windows)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--holdout", type=float, default=0.2, help="share of clips (whole source videos) held out")
    parser.add_argument(
        "--max-fpr", type=float, default=0.10, help="clip false-positive rate the threshold keeps under"
    )
    parser.add_argument("--seed", type=int, default=0)


def _require_training_libs() -> None:
    try:
        import onnx  # noqa: F401
        import skl2onnx  # noqa: F401
        import sklearn  # noqa: F401
    except ModuleNotFoundError as exc:
        raise SystemExit(f"training needs the train extra (missing {exc.name}): pip install -e '.[train]'") from exc


def run(args: argparse.Namespace) -> int:
    _require_training_libs()
    from gwanje.training.fight.data import build_windows, load_clips
    from gwanje.training.fight.export import export_onnx
    from gwanje.training.fight.validate import DEFAULT_TRIGGER, cross_validate, fit_and_score

    started = time.monotonic()
    clips = load_clips(args.data)
    windows = build_windows(clips, args.fps, args.window_s, args.phases)
    print(f"{len(clips)} clips, {len(windows.y)} windows of {args.window_s} s at {args.fps} fps")
    groups = [c.group for c in clips]
    labels = [c.label for c in clips]
    lead = window_frame_count(args.window_s, args.fps) - 1
    held = group_holdout(groups, labels, args.holdout, args.seed)
    folds = cross_validate(windows, clips, ~held, args)
    final, threshold, held_metrics = fit_and_score(windows, clips, ~held, held, args)

    metadata = {
        "window_s": str(args.window_s),
        "fps": str(args.fps),
        "classifier": args.classifier,
        "trained_on": f"{int((~held).sum())} clips of {len(set(np.asarray(groups)[~held]))} source videos",
    }
    export_onnx(final, threshold, metadata, args.out)
    if args.reference is not None:
        _write_reference(args.reference, final, threshold, windows.x[held[windows.clip]])
    report: dict[str, Any] = {
        "data": _portable(args.data),
        "settings": {
            **{k: v for k, v in vars(args).items() if k in _SETTINGS},
            "trigger_changed_fraction": DEFAULT_TRIGGER,
        },
        "lead_frames": lead,
        "raw_threshold": threshold,
        "folds": folds,
        "holdout": {
            "source_videos": sorted(set(np.asarray(groups)[held])),
            "metrics": held_metrics,
        },
        "seconds": round(time.monotonic() - started, 1),
    }
    _print_report(report)
    report_path = args.report or args.out.with_suffix(".metrics.json")
    report_path.parent.mkdir(parents=True, exist_ok=True)
    report_path.write_text(json.dumps(report, indent=2) + "\n")
    print(f"figures written to {report_path}")
    print(f"model written to {args.out}")
    return 0


def _write_reference(path: Path, model: Any, threshold: float, features: np.ndarray[Any, Any]) -> None:
    """A few real windows and what the training model scores them, to pin the ONNX file in tests."""
    from gwanje.training.fight.export import calibrated

    picked = features[np.linspace(0, len(features) - 1, num=min(16, len(features))).astype(int)]
    scores = calibrated(model.predict_proba(picked)[:, 1], threshold)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, features=picked.astype(np.float32), scores=scores, feature_version=FEATURE_VERSION)
    print(f"reference inputs and outputs written to {path}")


def _portable(data: Path) -> str:
    """The data folder relative to the datasets root (``GWANJE_DATASETS``) when inside it, so the
    report shipped beside the model names no machine's folders; otherwise as given."""
    try:
        return data.resolve().relative_to(datasets_root()).as_posix()
    except ValueError:
        return data.as_posix()


_SETTINGS = ("classifier", "fps", "window_s", "phases", "folds", "holdout", "max_fpr", "seed")


def _print_report(report: dict[str, Any]) -> None:
    folds = report["folds"]
    for key in ("f1", "precision", "recall", "fpr", "accuracy", "window_auc"):
        values = np.array([f[key] for f in folds["per_fold"]], float)
        print(f"folds   {key:<10} {np.nanmean(values):.3f} ± {np.nanstd(values):.3f}")
    for key, value in report["holdout"]["metrics"].items():
        print(f"holdout {key:<14} {value}")
    print(f"operating threshold (raw probability) {report['raw_threshold']:.2f}")
