"""Video-frame fire sets (fire-indoor-rf layout), greyscale negatives and the CCTV degradations."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from gwanje.training.fire_smoke.augment import glare, low_light, motion_blur
from gwanje.training.fire_smoke.data import UNKNOWN, VIDEO_GROUP_PREFIX, load_dataset

CLIPS = {"classk10": 4, "classk11": 4, "3": 3, "FireVid36": 3, "fireVid_009": 6}


def _write_video_frames(root: Path) -> Path:
    """The fire-indoor-rf layout: images/, labels/, classes.txt with one 'fire' class, index.csv by source video."""
    (root / "images").mkdir(parents=True)
    (root / "labels").mkdir()
    (root / "classes.txt").write_text("fire\n")
    rows = []
    rng = np.random.default_rng(0)
    for clip, frames in CLIPS.items():
        for frame in range(frames):
            name = f"{clip}_mp4-{frame}_jpg.rf.x"
            image = rng.integers(30, 80, (64, 64, 3), dtype=np.uint8)
            cv2.circle(image, (32, 40), 10, (30, 140, 250), -1)
            cv2.imwrite(str(root / "images" / f"{name}.jpg"), image)
            (root / "labels" / f"{name}.txt").write_text("0 0.5 0.625 0.32 0.32\n")
            rows.append({"image": f"images/{name}.jpg", "source_video": clip, "frame": str(frame)})
    with (root / "index.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["image", "source_video", "frame"])
        writer.writeheader()
        writer.writerows(rows)
    return root


def test_video_frames_are_grouped_by_scene_split_by_fixed_scenes_and_say_nothing_about_smoke(tmp_path: Path) -> None:
    samples = load_dataset(_write_video_frames(tmp_path / "rf"))
    by_group = {s.group: s.split for s in samples}
    assert by_group == {
        f"{VIDEO_GROUP_PREFIX}classk": "train",  # classk10 and classk11: one recording, one group
        f"{VIDEO_GROUP_PREFIX}3": "test",
        f"{VIDEO_GROUP_PREFIX}FireVid36": "val",
        f"{VIDEO_GROUP_PREFIX}fireVid_009": "train",
    }
    assert all(s.fire == 1 and s.smoke == UNKNOWN for s in samples)
    assert sorted(s.frame for s in samples if s.group.endswith("fireVid_009")) == list(range(6))


def test_boxed_fire_only_frames_leave_smoke_unknown_and_grey_copies_are_not_fire(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    from gwanje.training.fire_smoke.train import Augmenter, TrainSettings

    samples = load_dataset(_write_video_frames(tmp_path / "rf"))
    plain = Augmenter(samples, TrainSettings(), np.random.default_rng(0)).example(0, augmented=False)
    assert plain.labels.tolist() == [1.0, -1.0]
    assert (plain.cells[1] == -1).all() and (plain.cells[0] == 1).any()

    grey = Augmenter(samples, TrainSettings(grey_rate=1.0), np.random.default_rng(0)).example(0)
    assert grey.labels[0] == 0.0 and (grey.cells[0] == 0).all()
    assert np.array_equal(grey.image[..., 0], grey.image[..., 2])  # no colour left


def test_low_light_darkens_the_scene_but_keeps_a_bright_flame_bright() -> None:
    image = np.full((32, 32, 3), 110, np.uint8)
    image[:8, :8] = (120, 220, 255)  # flame core
    dark = low_light(image, np.random.default_rng(0))
    assert dark[20:, 20:].mean() < 0.6 * 110
    assert dark[:8, :8, 2].min() == 255


def test_glare_brightens_and_motion_blur_smears_a_point() -> None:
    rng = np.random.default_rng(1)
    image = np.zeros((48, 48, 3), np.uint8)
    image[23:25, 23:25] = 250
    assert glare(image, rng).astype(float).mean() > image.astype(float).mean()
    for _ in range(5):  # any direction
        blurred = motion_blur(image, rng)
        assert blurred.shape == image.shape
        assert np.count_nonzero(blurred[..., 0]) > 4
