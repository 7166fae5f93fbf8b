"""`gwanje study manifests`: manifests that point into the datasets folder, and the fire/smoke split they list."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from gwanje.cli.main import main
from gwanje.eval.manifest import load_manifest
from gwanje.eval.studies.fight import held_out_videos
from gwanje.eval.studies.manifests import FIRE_SMOKE_TEST


def _fake_datasets(root: Path) -> Path:
    normal = root / "normal-cctv-intel-samples"
    normal.mkdir(parents=True)
    (normal / "labels.csv").write_text("path,label\ncar.mp4,\n")
    akti = root / "fight-surv-akti"
    akti.mkdir()
    held = sorted(held_out_videos())[0]
    (akti / "labels.csv").write_text(
        "path,label,source_video\n"
        f"fight/a.mp4,fight,{held}\nno_fight/b.mp4,no_fight,{held}\nfight/c.mp4,fight,not-held-out\n"
    )
    return root


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def test_manifests_list_held_out_data_relative_to_themselves(tmp_path: Path) -> None:
    data = _fake_datasets(tmp_path / "datasets")
    out = tmp_path / "manifests"
    assert main(["study", "manifests", "--data", str(data), "--out", str(out)]) == 0
    fight = _rows(out / "fight-holdout.csv")
    assert [(r["path"], r["labels"]) for r in fight] == [
        ("../datasets/fight-surv-akti/fight/a.mp4", "fight"),
        ("../datasets/fight-surv-akti/no_fight/b.mp4", ""),
        ("../datasets/normal-cctv-intel-samples/car.mp4", ""),
    ]
    images = json.loads(FIRE_SMOKE_TEST.read_text())["images"]
    fire = _rows(out / "fire-holdout.csv")
    smoke = _rows(out / "smoke-holdout.csv")
    assert len(fire) == len(images)
    assert len(smoke) == sum(1 for _, _, s in images if s != -1) < len(fire)
    assert all(r["path"].startswith("../datasets/fire-") for r in fire)
    assert {r["labels"] for r in fire} <= {"", "fire", "smoke", "fire;smoke"}


@pytest.mark.datasets
def test_fire_smoke_split_list_is_the_training_split(datasets_dir: Path) -> None:
    """The committed list is what the training code holds out (it is read where training may not be imported)."""
    from gwanje.training.fire_smoke.data import load_datasets

    samples = load_datasets([datasets_dir / "fire-smoke-cctv-yolo", datasets_dir / "fire-cair-images"])
    expected = sorted(
        [s.path.relative_to(datasets_dir).as_posix(), s.fire, s.smoke] for s in samples if s.split == "test"
    )
    assert sorted(json.loads(FIRE_SMOKE_TEST.read_text())["images"]) == expected


@pytest.mark.datasets
def test_manifests_load_in_gwanje_eval(datasets_dir: Path, tmp_path: Path) -> None:
    assert main(["study", "manifests", "--out", str(tmp_path)]) == 0
    for name, rows in (("fight-holdout.csv", 49), ("normal.csv", 2)):
        manifest = load_manifest(tmp_path / name)
        assert not manifest.problems
        assert len(manifest.rows) == rows
        assert all(r.path.is_file() for r in manifest.rows)
