"""Zoom-out augmentation and distillation-only pictures of the person trainer (no PyTorch needed)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from gwanje.training.near_dup import NEAR_DUP_DROPPED
from gwanje.training.person import augment
from gwanje.training.person.augment import zoom_out
from gwanje.training.person.data import unlabelled_folder


def test_zoom_out_shrinks_the_picture_and_moves_its_boxes_with_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(augment, "ZOOM_OUT_RATE", 1.0)
    image = np.zeros((200, 300, 3), np.uint8)
    image[50:150, 100:140] = 255  # a bright "person"
    boxes = np.asarray([[100, 50, 140, 150]], np.float32)
    out, moved = zoom_out(image, boxes, np.random.default_rng(3))
    assert out.shape == image.shape
    x1, y1, x2, y2 = moved[0]
    assert (x2 - x1) < 40 and (y2 - y1) < 100  # smaller than before
    assert (x2 - x1) / (y2 - y1) == pytest.approx(0.4, abs=0.05)  # same shape
    inside = out[int(y1) + 2 : int(y2) - 2, int(x1) + 2 : int(x2) - 2]
    assert inside.mean() > 200  # the box still holds the bright person
    outside = out.copy()
    outside[int(y1) - 2 : int(y2) + 2, int(x1) - 2 : int(x2) + 2] = 0
    assert outside.max() < 100  # nothing bright elsewhere: the person was moved, not copied


def test_zoom_out_leaves_most_pictures_alone() -> None:
    image = np.zeros((60, 60, 3), np.uint8)
    boxes = np.asarray([[1, 2, 3, 4]], np.float32)
    rng = np.random.default_rng(0)
    unchanged = sum(zoom_out(image, boxes, rng)[0] is image for _ in range(400))
    assert 250 < unchanged < 350  # ZOOM_OUT_RATE 0.25


def test_unlabelled_folder_takes_a_seeded_subset_without_boxes(tmp_path: Path) -> None:
    for index in range(10):
        cv2.imwrite(str(tmp_path / f"f{index}.jpg"), np.zeros((8, 8, 3), np.uint8))
    (tmp_path / "notes.txt").write_text("not a picture")
    first = unlabelled_folder(tmp_path, 4, seed=1)
    assert len(first) == 4 and [s.image for s in first] == [s.image for s in unlabelled_folder(tmp_path, 4, seed=1)]
    assert all(len(s.boxes) == 0 and s.split == "train" for s in first)
    assert len(unlabelled_folder(tmp_path, 100, seed=1)) == 10


def test_an_empty_distillation_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="no pictures"):
        unlabelled_folder(tmp_path, 4, seed=0)


def test_unlabelled_folder_leaves_out_files_matched_to_reserved_footage(tmp_path: Path) -> None:
    dropped = sorted(NEAR_DUP_DROPPED)[0]
    for name in ("keep.jpg", dropped):
        cv2.imwrite(str(tmp_path / name), np.zeros((8, 8, 3), np.uint8))
    assert [s.image.name for s in unlabelled_folder(tmp_path, 10, seed=0)] == ["keep.jpg"]
