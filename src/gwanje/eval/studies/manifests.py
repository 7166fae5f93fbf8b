"""`gwanje study manifests --out DIR`: `gwanje eval` manifests of the shipped models' held-out public data.

Nothing is copied: each row's path is relative to the manifest and points into the datasets folder
(``GWANJE_DATASETS``). Writes:

  fight-holdout.csv  clips of the fight model's held-out source videos (listed in ``fight.metrics.json``)
                     plus the two normal videos (no labels: false alerts per hour)
  fire-holdout.csv   images of the fire/smoke model's test split (``labels/fire_smoke_test.json``)
  smoke-holdout.csv  the same without the photos whose smoke is not annotated (score ``--classes smoke`` on it)
  normal.csv         the two normal videos only

Then, for example: ``gwanje eval DIR/fight-holdout.csv --classes fight --out REPORT_DIR``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path

from gwanje.config.datasets import datasets_root
from gwanje.eval.studies.fight import held_out_videos, read_clips

FIRE_SMOKE_TEST = Path(__file__).resolve().parent / "labels" / "fire_smoke_test.json"
"""The fire/smoke test split, listed once from the training code's scene clusters and photo groups."""
NOT_ANNOTATED = -1

Row = tuple[Path, str]
"""A file and its ``;``-separated labels (empty: nothing to find)."""


def normal_rows(data: Path) -> list[Row]:
    folder = data / "normal-cctv-intel-samples"
    with (folder / "labels.csv").open(encoding="utf-8", newline="") as fh:
        return [(folder / r["path"], "") for r in csv.DictReader(fh)]


def fight_rows(data: Path) -> list[Row]:
    held = held_out_videos()
    return [
        (c.path, "fight" if c.fight else "") for c in read_clips(data / "fight-surv-akti") if c.source_video in held
    ]


def fire_rows(data: Path, smoke_known_only: bool) -> list[Row]:
    """The fire/smoke test split; with ``smoke_known_only``, only the images whose smoke is annotated."""
    images: list[list[str | int]] = json.loads(FIRE_SMOKE_TEST.read_text(encoding="utf-8"))["images"]
    rows: list[Row] = []
    for path, fire, smoke in images:
        if smoke_known_only and smoke == NOT_ANNOTATED:
            continue
        labels = [name for name, value in (("fire", fire), ("smoke", smoke)) if value == 1]
        rows.append((data / str(path), ";".join(labels)))
    return rows


def write_manifest(out: Path, name: str, rows: list[Row]) -> Path:
    target = out / name
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "labels", "start_s", "end_s"])
        for path, labels in rows:
            writer.writerow([os.path.relpath(path.resolve(), out.resolve()), labels, "", ""])
    return target


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--out", type=Path, required=True, help="folder to write the manifests to")
    parser.add_argument("--data", type=Path, default=None, help="datasets folder (default: GWANJE_DATASETS)")


def run(args: argparse.Namespace) -> int:
    data: Path = args.data or datasets_root()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    normal = normal_rows(data)
    for name, rows in (
        ("normal.csv", normal),
        ("fight-holdout.csv", fight_rows(data) + normal),
        ("fire-holdout.csv", fire_rows(data, smoke_known_only=False)),
        ("smoke-holdout.csv", fire_rows(data, smoke_known_only=True)),
    ):
        print(f"{write_manifest(out, name, rows)}: {len(rows)} rows")
    return 0
