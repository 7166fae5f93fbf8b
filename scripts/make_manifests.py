"""Write `gwanje eval` manifests for the public datasets in ../shared/datasets (nothing is copied).

Usage:
    python scripts/make_manifests.py --data ../shared/datasets --out /tmp/gwanje-manifests

Writes, each with paths relative to the manifest (so it points into the datasets folder):
  fight-holdout.csv  clips of the fight model's held-out source videos (from detect/models/fight.metrics.json)
                     plus the two normal videos (no labels: false alerts per hour)
  fire-holdout.csv   images of the fire/smoke model's test split (held-out scenes, from its training code)
  smoke-holdout.csv  the same without the photos whose smoke is not annotated (score --classes smoke on it)
  normal.csv         the two normal videos only
Then: gwanje eval /tmp/gwanje-manifests/fight-holdout.csv --classes fight --out /tmp/eval-fight
"""

from __future__ import annotations

import argparse
import csv
import json
import os
from pathlib import Path

MODELS = Path(__file__).resolve().parents[1] / "src" / "gwanje" / "detect" / "models"


def _rel(path: Path, out: Path) -> str:
    return os.path.relpath(path.resolve(), out.resolve())


def _write(out: Path, name: str, rows: list[tuple[Path, str]]) -> Path:
    target = out / name
    with target.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["path", "labels", "start_s", "end_s"])
        for path, labels in rows:
            writer.writerow([_rel(path, out), labels, "", ""])
    print(f"{target}: {len(rows)} rows")
    return target


def normal_rows(data: Path) -> list[tuple[Path, str]]:
    folder = data / "normal-cctv-intel-samples"
    with (folder / "labels.csv").open(encoding="utf-8") as fh:
        return [(folder / r["path"], "") for r in csv.DictReader(fh)]


def fight_rows(data: Path) -> list[tuple[Path, str]]:
    held_out = set(json.loads((MODELS / "fight.metrics.json").read_text())["holdout"]["source_videos"])
    folder = data / "fight-surv-akti"
    with (folder / "labels.csv").open(encoding="utf-8") as fh:
        return [
            (folder / r["path"], "fight" if r["label"] == "fight" else "")
            for r in csv.DictReader(fh)
            if r["source_video"] in held_out
        ]


def fire_rows(data: Path, smoke_known_only: bool) -> list[tuple[Path, str]]:
    """The fire/smoke model's test split, as defined in its training code (held-out scenes, hashed photo groups)."""
    from gwanje.training.fire_smoke.data import UNKNOWN, load_datasets

    samples = load_datasets([data / "fire-smoke-cctv-yolo", data / "fire-cair-images"])
    rows: list[tuple[Path, str]] = []
    for s in samples:
        if s.split != "test" or (smoke_known_only and s.smoke == UNKNOWN):
            continue
        labels = [name for name, value in (("fire", s.fire), ("smoke", s.smoke)) if value == 1]
        rows.append((s.path, ";".join(labels)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "datasets")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    normal = normal_rows(args.data)
    _write(args.out, "normal.csv", normal)
    _write(args.out, "fight-holdout.csv", fight_rows(args.data) + normal)
    _write(args.out, "fire-holdout.csv", fire_rows(args.data, smoke_known_only=False))
    _write(args.out, "smoke-holdout.csv", fire_rows(args.data, smoke_known_only=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
