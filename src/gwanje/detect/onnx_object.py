"""A user-supplied ONNX object detector (YOLO- or SSD-style outputs), as Frigate users plug in theirs.

Decoding is split from the session so it can be checked on known tensors:

* ``decode_yolo``: one output [4+C, N] or [N, 4+C] (YOLOv8 and later: centre x, y, w, h in input
  pixels, then C class scores) or [N, 5+C] (YOLOv5: box, objectness, class scores).
* ``decode_ssd``: boxes [N, 4] with either a score matrix [N, C] (or [N, C+1] with background
  first) or class and score vectors (and an optional detection count), or one [N, 7] output
  (image id, class, score, x1, y1, x2, y2) as OpenVINO's DetectionOutput writes it.

Class ids index ``labels`` directly; for a model with 1-based ids, put a placeholder first.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from gwanje.config.detectors import OnnxObjectDetectorConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import ModelLoadError
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.detect.onnx_session import OnnxModel
from gwanje.detect.ops import Letterbox, batched_nms, cxcywh_to_xyxy, letterbox, to_tensor

log = logging.getLogger(__name__)

Array = npt.NDArray[Any]


@dataclass(frozen=True)
class RawBoxes:
    """Candidate boxes of one image in model-input pixels, before thresholding and NMS."""

    xyxy: npt.NDArray[np.float32]
    scores: npt.NDArray[np.float32]
    class_ids: npt.NDArray[np.int64]

    @classmethod
    def build(cls, xyxy: npt.ArrayLike, scores: npt.ArrayLike, class_ids: npt.ArrayLike) -> RawBoxes:
        return cls(
            np.asarray(xyxy, np.float32).reshape(-1, 4),
            np.asarray(scores, np.float32).reshape(-1),
            np.asarray(class_ids).astype(np.int64).reshape(-1),
        )


def decode_yolo(output: Array, num_classes: int) -> RawBoxes:
    """Decode one image's YOLO output (batch axis removed) into candidate boxes."""
    out = np.asarray(output, np.float32)
    out = out.reshape(out.shape[-2:]) if out.ndim > 2 and all(d == 1 for d in out.shape[:-2]) else out
    widths = (4 + num_classes, 5 + num_classes)
    if out.ndim != 2 or not (out.shape[0] in widths or out.shape[1] in widths):
        raise ValueError(
            f"YOLO output of shape {list(np.shape(output))} is neither [4+C, N], [N, 4+C] nor [N, 5+C] "
            f"with C = {num_classes} labels; check that 'labels' lists every class of the model"
        )
    # [4+C, N] (channels first, YOLOv8 exports) unless the last axis is already a box row.
    rows = out.T if out.shape[0] == widths[0] or out.shape[1] not in widths else out
    class_scores = rows[:, 5:] * rows[:, 4:5] if rows.shape[1] == widths[1] else rows[:, 4:]
    class_ids = np.argmax(class_scores, axis=1) if len(rows) else np.zeros((0,), np.int64)
    scores = np.take_along_axis(class_scores, class_ids[:, None], axis=1)[:, 0] if len(rows) else np.zeros((0,))
    return RawBoxes.build(cxcywh_to_xyxy(rows[:, :4]), scores, class_ids)


def _pick_boxes(outputs: Sequence[Array]) -> int:
    for i, out in enumerate(outputs):
        if out.ndim >= 2 and out.shape[-1] == 4:
            return i
    raise ValueError(f"SSD outputs {[list(o.shape) for o in outputs]} have no boxes output [N, 4]")


def _split_class_and_score(vectors: Sequence[tuple[str, Array]]) -> tuple[Array, Array]:
    """Tell the class-id vector from the score vector: by name, else the one with integer values."""
    by_name = {("class" in n.lower() or "label" in n.lower()): v for n, v in vectors}
    if len(by_name) == 2:
        return by_name[True], by_name[False]
    first, second = vectors[0][1], vectors[1][1]
    if np.all(np.mod(first, 1) == 0) and not np.all(np.mod(second, 1) == 0):
        return first, second
    return second, first


def decode_ssd(
    outputs: Sequence[Array],
    names: Sequence[str],
    num_classes: int,
    input_size: tuple[int, int],
    box_order: Literal["yxyx", "xyxy"] = "yxyx",
    relative: bool = True,
) -> RawBoxes:
    """Decode one image's SSD-style outputs (batch axis removed) into candidate boxes."""
    width, height = input_size
    scale = np.array([width, height, width, height], np.float32) if relative else np.ones(4, np.float32)
    if len(outputs) == 1:
        rows: Array = np.asarray(outputs[0], np.float32)
        if rows.shape[-1] != 7:
            raise ValueError(f"a single SSD output must be [N, 7], got shape {list(rows.shape)}")
        rows = rows.reshape(-1, 7)
        rows = rows[rows[:, 0] >= 0]  # OpenVINO marks the end of the list with image id -1
        return RawBoxes.build(rows[:, 3:7] * scale, rows[:, 2], rows[:, 1])
    box_index = _pick_boxes(outputs)
    boxes: Array = np.asarray(outputs[box_index], np.float32).reshape(-1, 4)
    if box_order == "yxyx":
        boxes = boxes[:, [1, 0, 3, 2]]
    boxes = boxes * scale
    rest = [(names[i], np.asarray(o)) for i, o in enumerate(outputs) if i != box_index]
    matrices = [o for _, o in rest if o.ndim >= 2 and o.shape[-1] > 1 and o.size == len(boxes) * o.shape[-1]]
    if matrices:
        scores_matrix: Array = matrices[0].reshape(len(boxes), -1).astype(np.float32)
        if scores_matrix.shape[1] == num_classes + 1:
            scores_matrix = scores_matrix[:, 1:]  # background column first
        elif scores_matrix.shape[1] != num_classes:
            raise ValueError(
                f"SSD score output has {scores_matrix.shape[1]} columns but {num_classes} labels are configured"
            )
        class_ids = np.argmax(scores_matrix, axis=1)
        scores = scores_matrix[np.arange(len(boxes)), class_ids] if len(boxes) else np.zeros((0,))
        return RawBoxes.build(boxes, scores, class_ids)
    is_count = [("num" in n.lower() or (o.size == 1 and len(boxes) != 1)) for n, o in rest]
    vectors = [(n, o.reshape(-1)) for (n, o), count in zip(rest, is_count, strict=True) if not count]
    counts = [o.reshape(-1) for (_, o), count in zip(rest, is_count, strict=True) if count]
    if len(vectors) != 2 or any(v.size != len(boxes) for _, v in vectors):
        raise ValueError(
            f"SSD outputs {[(n, list(o.shape)) for n, o in rest]} next to boxes of shape [{len(boxes)}, 4]: "
            "expected a score matrix [N, C] or two vectors (classes, scores)"
        )
    class_ids, scores = _split_class_and_score(vectors)
    keep = len(boxes) if not counts else int(counts[0][0])
    return RawBoxes.build(boxes[:keep], scores[:keep], class_ids[:keep])


def finish(
    raw: RawBoxes,
    mapping: Letterbox,
    labels: Sequence[str],
    threshold: float,
    nms_iou: float,
    max_detections: int,
) -> Detections:
    """Threshold, class-wise NMS, undo the letterbox and attach labels."""
    keep = raw.scores >= threshold
    xyxy, scores, class_ids = raw.xyxy[keep], raw.scores[keep], raw.class_ids[keep]
    order = batched_nms(xyxy, scores, class_ids, nms_iou)[:max_detections]
    xyxy, scores, class_ids = xyxy[order], scores[order], class_ids[order]
    names = np.array([labels[c] if 0 <= c < len(labels) else f"class_{c}" for c in class_ids], dtype="<U32")
    return Detections.from_arrays(mapping.to_source(xyxy), scores, names, data={"class_id": class_ids.astype(np.int64)})


def _input_layout(shape: Sequence[object]) -> Literal["nchw", "nhwc"]:
    if len(shape) == 4 and shape[-1] == 3 and shape[1] != 3:
        return "nhwc"
    return "nchw"


class OnnxObjectDetector:
    """Runs the configured ONNX file on batches of frames; boxes come back in each frame's pixels.

    Its labels are objects, tracked like people.
    """

    @classmethod
    def declare(cls, cfg: OnnxObjectDetectorConfig) -> Produces:
        return Produces({label: LabelKind.OBJECT for label in cfg.labels}, threshold=cfg.threshold)

    def __init__(self, name: str, cfg: OnnxObjectDetectorConfig) -> None:
        if not cfg.labels:
            raise ModelLoadError(f"detector {name!r}: 'labels' must list the model's class names in order")
        self.name = name
        self.cfg = cfg
        self.produces = self.declare(cfg)
        self.labels: tuple[str, ...] = tuple(cfg.labels)
        self.model = OnnxModel(cfg.model_path, cfg.runtime, name)
        kind = (
            "a YOLO detector with one output"
            if cfg.format == "yolo"
            else "an SSD detector with boxes and scores outputs, or one [N, 7] output"
        )
        self.model.expect(inputs=1, input_rank=4, outputs=1 if cfg.format == "yolo" else [1, 2, 3, 4], what=kind)
        self.layout = _input_layout(self.model.input.shape)
        self.input_size = self._input_size()

    def _input_size(self) -> tuple[int, int]:
        """The configured (width, height), unless the model fixes another one (then the model wins)."""
        h_axis, w_axis = (2, 3) if self.layout == "nchw" else (1, 2)
        fixed_h, fixed_w = self.model.input.fixed(h_axis), self.model.input.fixed(w_axis)
        size = (fixed_w or self.cfg.input_size[0], fixed_h or self.cfg.input_size[1])
        if size != tuple(self.cfg.input_size):
            log.warning(
                "detector %s: the model %s takes %dx%d input; configured input_size %s is ignored",
                self.name,
                self.model.path,
                size[0],
                size[1],
                list(self.cfg.input_size),
            )
        return size

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        if not frames:
            return []
        prepared = [letterbox(f.image, self.input_size, keep_ratio=self.cfg.letterbox) for f in frames]
        tensor = to_tensor(
            [image for image, _ in prepared], self.cfg.input_format, scale=self.cfg.input_scale, layout=self.layout
        )
        outputs = self.model.run_batch({self.model.input.name: tensor})
        names = [o.name for o in self.model.outputs]
        results = []
        for i, (_, mapping) in enumerate(prepared):
            sample = [o[i] for o in outputs]
            if self.cfg.format == "yolo":
                raw = decode_yolo(sample[0], len(self.labels))
            else:
                raw = decode_ssd(
                    sample, names, len(self.labels), self.input_size, self.cfg.ssd_box_order, self.cfg.ssd_relative
                )
            results.append(
                finish(raw, mapping, self.labels, self.cfg.threshold, self.cfg.nms_iou, self.cfg.max_detections)
            )
        return results

    def close(self) -> None:
        self.model.close()
