"""One fire/smoke model from two training runs: the fire channel of one, the smoke channel of the other.

    python -m gwanje.training.fire_smoke.combine --fire RUN_A/fire_smoke.onnx --smoke RUN_B/fire_smoke.onnx \\
        --output src/gwanje/detect/models/fire_smoke.onnx --reference tests/data/fire_smoke_reference.npz

Each run is the ``.onnx`` that ``gwanje train fire-smoke`` wrote, with its ``.pt`` head and ``.json`` report beside
it. The exported graph is one backbone and both heads (``model.PerClassHeads``); each class keeps the threshold its
own run chose out of fold, and the written ``.json`` keeps both runs' reports, so nothing is chosen here.
"""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from gwanje.detect.onnx_session import packaged_model
from gwanje.training.fire_smoke.cli import NANODET_FILE, write_reference

log = logging.getLogger(__name__)


def load_run(onnx_path: Path) -> tuple[Any, dict[str, Any]]:
    """The head (PyTorch) and the report of one training run."""
    import torch

    from gwanje.training.fire_smoke.model import FireSmokeHead

    report_path, weights_path = onnx_path.with_suffix(".json"), onnx_path.with_suffix(".pt")
    for needed in (report_path, weights_path):
        if not needed.is_file():
            raise SystemExit(f"{needed} is missing: pass the .onnx written by gwanje train fire-smoke")
    report: dict[str, Any] = json.loads(report_path.read_text())
    settings = report["settings"]
    head = FireSmokeHead(settings["width"], settings["dropout"], settings["cues"])
    head.load_state_dict(torch.load(weights_path))
    head.eval()
    return head, report


def _run_name(path: Path) -> str:
    """A run's folder and file name: enough to tell them apart, without the machine's paths."""
    return f"{path.parent.name}/{path.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gwanje.training.fire_smoke.combine", description=__doc__)
    parser.add_argument("--fire", type=Path, required=True, help="the run whose fire channel is kept")
    parser.add_argument("--smoke", type=Path, required=True, help="the run whose smoke channel is kept")
    parser.add_argument("--output", type=Path, required=True)
    parser.add_argument("--reference", type=Path, help="write the PyTorch outputs on the fixed pattern here")
    parser.add_argument("--backbone", type=Path, help="NanoDet-g ONNX (default: the packaged one)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")

    from gwanje.training.fire_smoke.backbone import BackboneRunner
    from gwanje.training.fire_smoke.model import PerClassHeads, export_onnx

    fire_head, fire_report = load_run(args.fire)
    smoke_head, smoke_report = load_run(args.smoke)
    head = PerClassHeads([fire_head, smoke_head])
    nanodet = args.backbone if args.backbone is not None else packaged_model(NANODET_FILE)
    export_onnx(head, nanodet, args.output)
    report = {
        "combined": {"fire": _run_name(args.fire), "smoke": _run_name(args.smoke)},
        "thresholds": {"fire": fire_report["thresholds"]["fire"], "smoke": smoke_report["thresholds"]["smoke"]},
        "fire_run": fire_report,
        "smoke_run": smoke_report,
    }
    args.output.with_suffix(".json").write_text(json.dumps(report, indent=2) + "\n")
    if args.reference is not None:
        write_reference(head, BackboneRunner(nanodet, args.threads), args.reference)
    print(json.dumps(report["thresholds"]))
    print(f"wrote {args.output} ({args.output.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
