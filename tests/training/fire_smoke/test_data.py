"""Fire/smoke training data: layouts, leak-free splits, masks, targets and augmentation (no PyTorch needed)."""

from __future__ import annotations

import csv
from pathlib import Path

import cv2
import numpy as np
import pytest

from gwanje.training.fire_smoke.augment import (
    augment,
    cell_targets,
    cut_patches,
    hard_negative,
    paste_patch,
    paste_synthetic_flame,
)
from gwanje.training.fire_smoke.data import UNKNOWN, box_masks, load_dataset
from gwanje.training.near_dup import NEAR_DUP_DROPPED
from tests.training.fire_smoke.synthetic import write_yolo_dataset


def test_yolo_layout_keeps_fire_and_smoke_boxes_and_drops_the_default_marker(tmp_path: Path) -> None:
    root = write_yolo_dataset(tmp_path, count=12)
    samples = load_dataset(root)
    assert len(samples) == 12
    for s in samples:
        assert s.boxes is not None
        assert set(s.boxes[:, 0].tolist()) <= {0.0, 1.0}
        assert s.fire == int(0.0 in s.boxes[:, 0]) and s.smoke == int(1.0 in s.boxes[:, 0])
    assert any(not s.has_fire_or_smoke for s in samples)  # the negatives carried only the default box


def test_files_matching_reserved_footage_are_never_loaded(tmp_path: Path) -> None:
    root = write_yolo_dataset(tmp_path, count=4)
    first = sorted(root.glob("*/images/*"))[0]
    dropped = first.with_name(sorted(NEAR_DUP_DROPPED)[0])
    first.rename(dropped)
    label = first.parent.parent / "labels" / f"{first.stem}.txt"
    label.rename(label.with_name(f"{dropped.stem}.txt"))
    names = {s.path.name for s in load_dataset(root)}
    assert len(names) == 3 and dropped.name not in names


def test_scene_clusters_never_straddle_splits(tmp_path: Path) -> None:
    root = write_yolo_dataset(tmp_path, count=40)
    rows = [
        {"image": p.relative_to(root).as_posix(), "scene_cluster": f"s{i % 7:02d}"}
        for i, p in enumerate(sorted(root.glob("*/images/*.jpg")))
    ]
    with (root / "index.csv").open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["image", "scene_cluster"])
        writer.writeheader()
        writer.writerows(rows)
    samples = load_dataset(root)
    splits_of: dict[str, set[str]] = {}
    for s in samples:
        splits_of.setdefault(s.group, set()).add(s.split)
    assert len(splits_of) == 7
    assert all(len(v) == 1 for v in splits_of.values())
    assert {"s03", "s05"} <= {g for g, v in splits_of.items() if v == {"test"}}  # the documented held-out scenes


def test_image_label_layout_groups_near_duplicates(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    (tmp_path / "img").mkdir()
    rows = []
    for i in range(10):
        image = cv2.resize(rng.integers(0, 256, (8, 8, 3), dtype=np.uint8), (120, 90), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(str(tmp_path / "img" / f"a{i}.jpg"), image)
        cv2.imwrite(str(tmp_path / "img" / f"b{i}.jpg"), cv2.resize(image, (200, 150)))  # same picture, resized
        rows += [(f"img/a{i}.jpg", "fire" if i < 3 else "no_fire"), (f"img/b{i}.jpg", "fire" if i < 3 else "no_fire")]
    (tmp_path / "labels.csv").write_text("path,label\n" + "\n".join(f"{p},{lab}" for p, lab in rows) + "\n")
    samples = {s.path.name: s for s in load_dataset(tmp_path)}
    for i in range(10):
        a, b = samples[f"a{i}.jpg"], samples[f"b{i}.jpg"]
        assert a.group == b.group and a.split == b.split
        assert a.boxes is None
        assert (a.fire, a.smoke) == ((1, UNKNOWN) if i < 3 else (0, 0))
    assert len({s.group for s in samples.values()}) == 10


def test_unknown_layout_and_bad_labels_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="neither a YOLO layout"):
        load_dataset(tmp_path)
    (tmp_path / "labels.csv").write_text("path,label\nx.jpg,fire\n")
    with pytest.raises(ValueError, match=r"cannot decode image .*x\.jpg"):
        load_dataset(tmp_path)


def test_cell_targets_follow_the_box_through_augmentation() -> None:
    boxes = np.array([[0, 0.25, 0.25, 0.5, 0.5]], np.float32)  # fire in the top-left quarter
    mask = box_masks(boxes, 320, 320)
    targets = cell_targets(mask, grid=4)
    assert targets[0].tolist() == [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]]
    assert np.all(targets[1] == 0)
    image = np.zeros((320, 320, 3), np.uint8)
    image[mask[..., 0] == 1] = (0, 128, 255)
    rng = np.random.default_rng(3)
    for _ in range(10):
        out, out_mask = augment(image, mask, 128, rng, negative_rate=0.0)
        assert out.shape == (128, 128, 3) and out_mask.shape == (128, 128, 2)
        orange = (out[..., 2].astype(int) - out[..., 0]) > 60
        # where the mask says fire, the (augmented) orange fill is: they moved together
        assert orange[out_mask[..., 0] == 1].mean() > 0.8 and orange[out_mask[..., 0] == 0].mean() < 0.1


def test_hard_negatives_change_the_image() -> None:
    rng = np.random.default_rng(0)
    image = np.full((128, 128, 3), 80, np.uint8)
    assert any(np.abs(hard_negative(image, rng).astype(int) - 80).max() > 40 for _ in range(5))


def test_pasted_patch_is_marked_in_the_mask_where_it_shows() -> None:
    image = np.full((320, 320, 3), 50, np.uint8)
    image[100:160, 100:160] = (0, 128, 255)
    boxes = np.array([[0, 130 / 320, 130 / 320, 60 / 320, 60 / 320], [1, 0.5, 0.5, 1.0, 1.0]], np.float32)
    patches = cut_patches(image, boxes, "scene-a")
    assert [p.channel for p in patches] == [0]  # the frame-filling smoke box carries the whole scene: not cut
    background = np.full((320, 320, 3), 90, np.uint8)
    out, mask = paste_patch(background, np.zeros((320, 320, 2), np.uint8), patches[0], np.random.default_rng(1))
    orange = (out[..., 2].astype(int) - out[..., 0]) > 100
    marked = mask[..., 0] == 1
    assert marked.sum() > 0 and not mask[..., 1].any()
    assert orange[marked].mean() > 0.9 and orange[~marked].mean() < 0.05


def test_synthetic_flame_is_drawn_inside_the_box_it_marks_as_fire() -> None:
    rng = np.random.default_rng(5)
    image = np.full((320, 320, 3), 90, np.uint8)
    mask = np.zeros((320, 320, 2), np.uint8)
    for _ in range(5):
        out, out_mask = paste_synthetic_flame(image, mask, rng)
        fire = out_mask[..., 0] > 0
        assert fire.any() and not out_mask[..., 1].any()  # fire marked, no smoke drawn or marked
        hsv = cv2.cvtColor(out, cv2.COLOR_BGR2HSV)
        flame = (hsv[..., 0] < 30) & (hsv[..., 1] > 120) & (hsv[..., 2] > 150)
        assert flame.any()
        assert flame[fire].sum() / flame.sum() > 0.9  # flame-coloured pixels lie in the marked box
    assert not mask.any() and (image == 90).all()  # inputs untouched
