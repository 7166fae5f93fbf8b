"""Build the generated training set: people from fixed cameras laid down on the floors of other scenes.

Sources (all in ``../shared/datasets``, none on the DENYLIST):
- ``fall-action-laifi``: standing/sitting people of the train groups are cut out (background = the median
  picture of their fixed camera) and its elevated living-room pictures are backgrounds;
- ``fight-surv-akti``: frames of clips whose *source video* has no clip in the project's hand-labelled
  evaluation frames (``excluded_clips``), used as backgrounds and, with the current detector's confident
  boxes as pseudo-labels, for more people to cut out. One source video is held out for validation.

Each generated picture keeps the scene's standing people (laifi labels, or detector boxes scored >= 0.5;
0.25-0.5 become ``ignore`` regions) and gets one or two lying people (class ``fallen``).
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from gwanje.ingest.files import read_image
from gwanje.training.person.data import IGNORE, LYING, PERSON, Sample, load_folder, write_labels
from gwanje.training.person.synth import Cutout, Image, cut_out, lay_down

log = logging.getLogger(__name__)

PSEUDO_HIGH, PSEUDO_LOW = 0.5, 0.25
"""Detector boxes at or above PSEUDO_HIGH are people; from PSEUDO_LOW up to it, ignore regions."""
FRAME_STEP = 6
"""Every 6th frame of a clip is used (0.24 s at 25 fps)."""
COVERED = 0.4
"""A scene person whose box is covered this much by a pasted one becomes an ignore region."""


@dataclass
class Scene:
    """A background picture with its people, and the group it belongs to."""

    image: Image
    boxes: npt.NDArray[np.float32]
    classes: npt.NDArray[np.int64]
    group: str
    split: str


def median_background(images: Sequence[Image]) -> Image:
    """The per-pixel median of pictures of one fixed camera: the scene without the people who move."""
    return np.asarray(np.median(np.stack(images), axis=0), np.uint8)


def excluded_clips(label_files: Iterable[Path]) -> set[str]:
    """Clip paths named by the hand-labelled evaluation files (``path`` of frames, falls and hard negatives)."""
    import json

    clips: set[str] = set()
    for label_file in label_files:
        spec = json.loads(label_file.read_text())
        for key in ("frames", "falls", "no_fall", "hard_negatives"):
            for entry in spec.get(key, []):
                if isinstance(entry, dict) and "path" in entry:
                    clips.add(str(entry["path"]))
    return clips


def free_clips(akti: Path, excluded: set[str]) -> dict[str, list[Path]]:
    """Source video -> its clips, for the source videos none of whose clips is in ``excluded``."""
    with (akti / "labels.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    taken = {row["source_video"] for row in rows if row["path"] in excluded}
    by_source: dict[str, list[Path]] = {}
    for row in rows:
        if row["source_video"] not in taken:
            by_source.setdefault(row["source_video"], []).append(akti / row["path"])
    return by_source


def clip_frames(path: Path, step: int) -> list[Image]:
    import av

    frames: list[Image] = []
    with av.open(str(path)) as container:
        for index, decoded in enumerate(container.decode(video=0)):
            if index % step == 0:
                frames.append(np.asarray(decoded.to_ndarray(format="bgr24"), np.uint8))
    return frames


def pseudo_labels(detector: object, image: Image) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.int64]]:
    """The current detector's people (PERSON) and unsure regions (IGNORE)."""
    detections = detector.detect_image(image)  # type: ignore[attr-defined]
    classes = np.where(detections.confidence >= PSEUDO_HIGH, PERSON, IGNORE).astype(np.int64)
    return detections.xyxy.astype(np.float32), classes


def akti_scenes(akti: Path, excluded: set[str], val_source: str) -> tuple[list[Scene], list[Cutout]]:
    """Backgrounds and confident people cut out of the free fight-surv-akti clips."""
    from gwanje.config.detectors import PersonDetectorConfig
    from gwanje.detect.person import PersonDetector

    detector = PersonDetector("teacher", PersonDetectorConfig(threshold=PSEUDO_LOW))
    scenes: list[Scene] = []
    cutouts: list[Cutout] = []
    for source, clips in sorted(free_clips(akti, excluded).items()):
        split = "val" if val_source in source else "train"
        group = "akti-" + source.rsplit("=", 1)[-1].replace(" ", "-")
        for clip in clips:
            frames = clip_frames(clip, FRAME_STEP)
            background = median_background(frames)
            for frame in frames:
                boxes, classes = pseudo_labels(detector, frame)
                scenes.append(Scene(frame, boxes, classes, group, split))
                if split == "train":
                    for box in boxes[classes == PERSON]:
                        cutout = cut_out(frame, (box[0], box[1], box[2], box[3]), background)
                        if cutout is not None and cutout.subtracted:
                            cutouts.append(cutout)
    detector.close()
    return scenes, cutouts


def laifi_scenes(samples: list[Sample]) -> tuple[list[Scene], dict[str, list[Cutout]]]:
    """Elevated-room pictures as backgrounds; standing/sitting people of the train groups cut out, per view."""
    scenes: list[Scene] = []
    cutouts: dict[str, list[Cutout]] = {}
    by_view: dict[str, list[Sample]] = {}
    for sample in samples:
        by_view.setdefault(sample.view, []).append(sample)
    for view, members in by_view.items():
        pictures = {s.image: read_image(s.image) for s in members}
        train_pictures = [pictures[s.image] for s in members if s.split == "train"]
        background = median_background(train_pictures[:: max(1, len(train_pictures) // 60)])
        for sample in members:
            picture = pictures[sample.image]
            if view == "elevated":
                scenes.append(Scene(picture, sample.boxes, sample.classes, f"laifi-{sample.group}", sample.split))
            if sample.split != "train":
                continue
            for box, cls in zip(sample.boxes, sample.classes, strict=True):
                if cls == PERSON:
                    cutout = cut_out(picture, (box[0], box[1], box[2], box[3]), background)
                    if cutout is not None:
                        cutouts.setdefault(view, []).append(cutout)
    return scenes, cutouts


def person_length(scene: Scene, rng: np.random.Generator) -> float:
    """How long a person lying in ``scene`` is: about the height of its standing people, else 20-40 % of it."""
    people = scene.boxes[scene.classes == PERSON]
    height = scene.image.shape[0]
    typical = float(np.median(people[:, 3] - people[:, 1])) if len(people) else height * rng.uniform(0.2, 0.4)
    return float(np.clip(typical * rng.uniform(0.75, 1.15), 0.1 * height, 0.6 * height))


def compose(scene: Scene, cutouts: Sequence[Cutout], rng: np.random.Generator, count: int
            ) -> tuple[Image, npt.NDArray[np.float32], npt.NDArray[np.int64]] | None:  # fmt: skip
    """``scene`` with ``count`` lying people from ``cutouts``; scene people they cover become ignore regions."""
    image, boxes, classes = scene.image, scene.boxes.copy(), scene.classes.copy()
    added: list[tuple[float, float, float, float]] = []
    for _ in range(count * 3):
        if len(added) == count:
            break
        cutout = cutouts[int(rng.integers(len(cutouts)))]
        laid = lay_down(image, cutout, rng, person_length(scene, rng))
        if laid is None:
            continue
        image, box = laid
        added.append(box)
        if len(boxes):
            x1 = np.maximum(boxes[:, 0], box[0])
            y1 = np.maximum(boxes[:, 1], box[1])
            x2 = np.minimum(boxes[:, 2], box[2])
            y2 = np.minimum(boxes[:, 3], box[3])
            inter = np.clip(x2 - x1, 0, None) * np.clip(y2 - y1, 0, None)
            area = np.maximum((boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1]), 1e-6)
            classes[inter / area >= COVERED] = IGNORE
    if not added:
        return None
    all_boxes = np.concatenate([boxes.reshape(-1, 4), np.asarray(added, np.float32)]).astype(np.float32)
    all_classes = np.concatenate([classes, np.full(len(added), LYING, np.int64)])
    return image, all_boxes, all_classes


def build(laifi: Path, akti: Path, label_files: Sequence[Path], output: Path, per_scene: int, seed: int,
          val_source: str) -> int:  # fmt: skip
    """Write ``output/{images,labels}/`` and ``index.csv``; returns the number of pictures."""
    rng = np.random.default_rng(seed)
    laifi_samples = load_folder(laifi, image_size=(640, 640))
    scenes_a, cutouts_a = akti_scenes(akti, excluded_clips(label_files), val_source)
    scenes_l, cutouts_l = laifi_scenes(laifi_samples)
    # people are laid in scenes of another camera: the living room gets the eye-level actor and the akti people
    other_room = cutouts_a + cutouts_l.get("eye-level", [])
    everyone = other_room + cutouts_l.get("elevated", [])
    log.info("%d + %d scenes; cutouts: %d akti, %s laifi", len(scenes_a), len(scenes_l), len(cutouts_a),
             {view: len(c) for view, c in cutouts_l.items()})  # fmt: skip
    (output / "images").mkdir(parents=True, exist_ok=True)
    (output / "labels").mkdir(parents=True, exist_ok=True)
    rows = []
    for index, scene in enumerate(scenes_a + scenes_l):
        pool = everyone if scene.group.startswith("akti") else other_room
        for copy in range(per_scene):
            made = compose(scene, pool, rng, int(rng.integers(1, 3)))
            if made is None:
                continue
            image, boxes, classes = made
            name = f"synth_{index:05d}_{copy}"
            cv2.imwrite(str(output / "images" / f"{name}.jpg"), image, [cv2.IMWRITE_JPEG_QUALITY, 90])
            write_labels(output / "labels" / f"{name}.txt", boxes, classes, (image.shape[1], image.shape[0]))
            rows.append([f"images/{name}.jpg", f"labels/{name}.txt", f"{scene.group}:{scene.split}", "synthetic",
                         scene.split])  # fmt: skip
    with (output / "index.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["image", "label_file", "group", "view", "split"])
        writer.writerows(rows)
    return len(rows)
