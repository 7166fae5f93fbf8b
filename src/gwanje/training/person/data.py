"""Person boxes in the YOLO + ``index.csv`` layout of ``fall-action-laifi``, and the group split.

Classes: 0 ``fallen`` (a person on the ground or falling: lying), 1 ``person`` (standing, walking, sitting,
crouching), 2 ``ignore`` (only in generated sets: a region with a person the labels are unsure of, where the
trainer neither rewards nor punishes a detection). The detector has one class for all of them.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gwanje.ingest.files import read_image
from gwanje.training.near_dup import NEAR_DUP_DROPPED

LYING, PERSON, IGNORE = 0, 1, 2
VAL_EVERY = 4
"""Every 4th numbered group of a view is held out for validation (group ids end in a number)."""


@dataclass(frozen=True)
class Sample:
    """One labelled picture: boxes in pixels of the picture (x1, y1, x2, y2) with their class."""

    image: Path
    boxes: npt.NDArray[np.float32]
    classes: npt.NDArray[np.int64]
    group: str
    view: str
    split: str


def group_split(group: str) -> str:
    """``val`` for every ``VAL_EVERY``-th group number (``vid_seg03``, ``room_seq07``, ...), else ``train``;
    groups named ``...:val`` or ``...:train`` say it themselves."""
    if group.endswith((":val", ":train")):
        return group.rsplit(":", 1)[1]
    number = re.search(r"(\d+)$", group)
    return "val" if number and int(number.group(1)) % VAL_EVERY == VAL_EVERY - 1 else "train"


def read_labels(path: Path, width: int, height: int) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """YOLO ``class cx cy w h`` (0..1) lines as pixel boxes and classes."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()] if path.is_file() else []
    if not rows:
        return np.zeros((0, 4), np.float32), np.zeros(0, np.int64)
    values = np.asarray([[float(v) for v in row[1:5]] for row in rows], np.float32)
    classes = np.asarray([int(row[0]) for row in rows], np.int64)
    cx, cy, w, h = values[:, 0] * width, values[:, 1] * height, values[:, 2] * width, values[:, 3] * height
    return np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1).astype(np.float32), classes


def write_labels(path: Path, boxes: npt.NDArray[np.float32], classes: npt.NDArray[np.int64], size: tuple[int, int]
                 ) -> None:  # fmt: skip
    """The inverse of :func:`read_labels` (``size`` = width, height)."""
    width, height = size
    lines = []
    for (x1, y1, x2, y2), cls in zip(boxes.tolist(), classes.tolist(), strict=True):
        cx, cy = (x1 + x2) / 2 / width, (y1 + y2) / 2 / height
        lines.append(f"{cls} {cx:.6f} {cy:.6f} {(x2 - x1) / width:.6f} {(y2 - y1) / height:.6f}")
    path.write_text("\n".join(lines) + ("\n" if lines else ""))


PICTURE_SUFFIXES = (".jpg", ".jpeg", ".png")


def unlabelled_folder(folder: Path, limit: int, seed: int) -> list[Sample]:
    """Up to ``limit`` pictures of ``folder`` (seeded choice) with no boxes, for distillation only: with the
    teacher on, every cell of such a picture learns the starting model's score, which keeps its view of
    people (and of what is not a person) on footage the labelled sets do not look like. Files matched to reserved
    footage (``NEAR_DUP_DROPPED``) are left out."""
    pictures = sorted(
        p for p in folder.iterdir() if p.suffix.lower() in PICTURE_SUFFIXES and p.name not in NEAR_DUP_DROPPED
    )
    if not pictures:
        raise SystemExit(f"no pictures ({', '.join(PICTURE_SUFFIXES)}) in {folder}")
    chosen = np.random.default_rng(seed).permutation(len(pictures))[:limit]
    empty_boxes, empty_classes = np.zeros((0, 4), np.float32), np.zeros(0, np.int64)
    return [Sample(pictures[i], empty_boxes, empty_classes, f"{folder.name}:train", "distill", "train")
            for i in sorted(chosen)]  # fmt: skip


def load_folder(folder: Path, image_size: tuple[int, int] | None = None) -> list[Sample]:
    """Every row of ``folder/index.csv`` (columns image, label_file, group, view; optional split).

    ``image_size`` (width, height) skips reading each picture's size when all share it.
    """
    samples = []
    with (folder / "index.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            image = folder / row["image"]
            if image_size is None:
                picture = read_image(image)
                size = (picture.shape[1], picture.shape[0])
            else:
                size = image_size
            boxes, classes = read_labels(folder / row["label_file"], *size)
            split = row.get("split") or group_split(row["group"])
            samples.append(Sample(image, boxes, classes, row["group"], row.get("view", ""), split))
    return samples
