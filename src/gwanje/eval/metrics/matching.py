"""Matching detected boxes to labelled boxes, the one rule every detection figure counts with."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gwanje.detect.ops import box_iou


@dataclass(frozen=True)
class BoxMatch:
    """``labels_hit[j]``: label j was matched; ``detections_hit[i]``: detection i (in the order given) matched one."""

    labels_hit: npt.NDArray[np.bool_]
    detections_hit: npt.NDArray[np.bool_]


def match_boxes(detected: npt.ArrayLike, scores: npt.ArrayLike, labels: npt.ArrayLike, min_iou: float) -> BoxMatch:
    """Greedy matching, highest score first: each detection takes the unmatched label it overlaps most, when that
    overlap (IoU) reaches ``min_iou``; each label is matched at most once.

    Example:
        >>> m = match_boxes([[0, 0, 10, 10], [0, 0, 9, 10]], [0.5, 0.9], [[0, 0, 10, 10]], 0.4)
        >>> m.labels_hit.tolist(), m.detections_hit.tolist()
        ([True], [False, True])
    """
    boxes = np.asarray(detected, np.float32).reshape(-1, 4)
    truth = np.asarray(labels, np.float32).reshape(-1, 4)
    labels_hit = np.zeros(len(truth), bool)
    detections_hit = np.zeros(len(boxes), bool)
    if len(boxes) == 0 or len(truth) == 0:
        return BoxMatch(labels_hit, detections_hit)
    iou = box_iou(boxes, truth)
    for i in np.argsort(-np.asarray(scores, np.float32).reshape(-1), kind="stable"):
        candidates = np.where(labels_hit, -1.0, iou[i])
        if candidates.max() >= min_iou:
            labels_hit[int(candidates.argmax())] = True
            detections_hit[i] = True
    return BoxMatch(labels_hit, detections_hit)
