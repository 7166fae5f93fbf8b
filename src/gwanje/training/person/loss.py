"""NanoDet's training loss for the one class that matters here (person): dynamic top-k assignment, quality focal loss
on the person score, distribution focal loss and GIoU on the box sides (as in RangiLyu/nanodet's GFL head).

The converted model outputs sigmoid scores, not logits, so the focal loss is taken on probabilities.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gwanje.detect.person import BINS, INPUT_SIZE, PERSON_CLASS, STRIDES

KEEP_BOX_FROM = 0.3
"""Cells the starting model scores at least this high keep its box distributions (distillation)."""
CANDIDATES = 10
"""Overlaps summed to choose how many anchors a box gets."""
BOX_WEIGHT, DFL_WEIGHT = 2.0, 0.25
EPS = 1e-6


def grid() -> tuple[Any, Any]:
    """Cell centres (A x 2, input pixels) and strides (A) of every output row, strides 8, 16, 32 in order."""
    import torch

    centres, strides = [], []
    for stride in STRIDES:
        cells = INPUT_SIZE // stride
        index = np.arange(cells * cells)
        xy = (np.stack([index % cells, index // cells], axis=1).astype(np.float32) + 0.5) * stride
        centres.append(xy)
        strides.append(np.full(cells * cells, stride, np.float32))
    return torch.from_numpy(np.concatenate(centres)), torch.from_numpy(np.concatenate(strides))


def box_iou(a: Any, b: Any) -> Any:
    import torch

    top_left = torch.maximum(a[:, None, :2], b[None, :, :2])
    bottom_right = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(dim=2)
    area_a = (a[:, 2:] - a[:, :2]).clamp(min=0).prod(dim=1)
    area_b = (b[:, 2:] - b[:, :2]).clamp(min=0).prod(dim=1)
    return inter / (area_a[:, None] + area_b[None, :] - inter + EPS)


def assign(gt: Any, predicted: Any, centres: Any, strides: Any) -> tuple[Any, Any]:
    """For each anchor, the index of its ground-truth box (-1: background), and the anchors' positive mask.

    Dynamic top-k on the model's own boxes (as SimOTA / NanoDet-Plus): candidates are the anchors whose centre
    lies inside the box (or, for boxes too small to hold one, within 1.5 strides of its centre); each box takes
    the k candidates whose predicted box overlaps it most, k = the rounded sum of the best 10 overlaps (>= 1).
    Assigning by the fine-tuned model's boxes, not fixed priors, keeps the levels and cells that already find
    standing people in charge of them. An anchor claimed by two boxes goes to the one it overlaps most.
    """
    import torch

    count = centres.shape[0]
    assigned = torch.full((count,), -1, dtype=torch.long)
    if gt.shape[0] == 0:
        return assigned, assigned >= 0
    ious = box_iou(predicted, gt)  # A x M
    best = torch.full((count,), -1.0)
    for m in range(gt.shape[0]):
        x1, y1, x2, y2 = gt[m]
        cx, cy = centres[:, 0], centres[:, 1]
        inside = (cx > x1) & (cx < x2) & (cy > y1) & (cy < y2)
        near = ((cx - (x1 + x2) / 2).abs() < 1.5 * strides) & ((cy - (y1 + y2) / 2).abs() < 1.5 * strides)
        rows = (inside | near).nonzero().squeeze(1)
        if rows.numel() == 0:
            continue
        overlap = ious[rows, m]
        k = int(overlap.topk(min(CANDIDATES, rows.numel())).values.sum().round().clamp(min=1))
        chosen = overlap.topk(min(k, rows.numel()))
        rows = rows[chosen.indices]
        better = chosen.values > best[rows]
        assigned[rows[better]] = m
        best[rows[better]] = chosen.values[better]
    return assigned, assigned >= 0


def decode(distributions: Any, centres: Any, strides: Any) -> Any:
    """Boxes (x1, y1, x2, y2) from the 4 x 11-bin side distributions, as ``gwanje.detect.person.decode``."""
    import torch

    weights = distributions.reshape(-1, 4, BINS).softmax(dim=2)
    sides = (weights * torch.arange(BINS, dtype=weights.dtype)).sum(dim=2) * strides[:, None]
    return torch.cat([centres - sides[:, :2], centres + sides[:, 2:]], dim=1)


def giou_loss(pred: Any, target: Any) -> Any:
    import torch

    top_left = torch.maximum(pred[:, :2], target[:, :2])
    bottom_right = torch.minimum(pred[:, 2:], target[:, 2:])
    inter = (bottom_right - top_left).clamp(min=0).prod(dim=1)
    area_p = (pred[:, 2:] - pred[:, :2]).clamp(min=0).prod(dim=1)
    area_t = (target[:, 2:] - target[:, :2]).clamp(min=0).prod(dim=1)
    union = area_p + area_t - inter + EPS
    enclose = (torch.maximum(pred[:, 2:], target[:, 2:]) - torch.minimum(pred[:, :2], target[:, :2])).prod(dim=1)
    return 1.0 - (inter / union - (enclose - union) / (enclose + EPS))


def split(outputs: Any) -> tuple[Any, Any]:
    """Person scores (A) and box distributions (A x 44) of the six outputs of one picture."""
    import torch

    scores = torch.cat([o[0, :, PERSON_CLASS] for o in outputs if o.shape[-1] != 4 * BINS])
    return scores, torch.cat([o[0] for o in outputs if o.shape[-1] == 4 * BINS])


def person_loss(
    outputs: Any, gt: Any, ignore: Any, centres: Any, strides: Any, teacher: Any = None
) -> tuple[Any, dict[str, float]]:
    """Loss of one picture. ``outputs``: the model's six outputs (batch 1); ``gt``: M x 4 boxes (input pixels);
    ``ignore``: M flags — anchors assigned to a flagged box, or whose centre lies in one, get no score loss.

    ``teacher``: the starting model's outputs on the same input. Then every cell that is not a positive learns
    the teacher's person score instead of 0 (ignore regions included), and cells the teacher scores above
    ``KEEP_BOX_FROM`` keep its box distributions: the COCO model's view of standing people is kept where the
    labels say nothing new (learning without forgetting), and only labelled people move it."""
    import torch
    from torch.nn import functional

    scores, distributions = split(outputs)
    real = gt[~ignore]
    with torch.no_grad():
        assigned, positive = assign(real, decode(distributions, centres, strides), centres, strides)
    weight = torch.ones_like(scores)
    for box in gt[ignore]:
        inside = (
            (centres[:, 0] > box[0]) & (centres[:, 0] < box[2]) & (centres[:, 1] > box[1]) & (centres[:, 1] < box[3])
        )
        weight[inside & ~positive] = 0.0
    target = torch.zeros_like(scores)
    keep_term = scores.new_zeros(())
    if teacher is not None:
        teacher_scores, teacher_distributions = split(teacher)
        target = teacher_scores.clone()
        weight = torch.ones_like(scores)
        kept = (teacher_scores > KEEP_BOX_FROM) & ~positive
        if kept.any():
            log_student = distributions[kept].reshape(-1, BINS).log_softmax(dim=1)
            soft = teacher_distributions[kept].reshape(-1, BINS).softmax(dim=1)
            keep_term = functional.kl_div(log_student, soft, reduction="batchmean") * DFL_WEIGHT
    pos = positive.nonzero().squeeze(1)
    num_pos = max(int(pos.numel()), 1)
    box_term = dfl_term = scores.new_zeros(())
    if pos.numel():
        pred_boxes = decode(distributions[pos], centres[pos], strides[pos])
        gt_boxes = real[assigned[pos]]
        target[pos] = box_iou(pred_boxes.detach(), gt_boxes).diagonal().clamp(min=0.0)
        box_term = giou_loss(pred_boxes, gt_boxes).mean() * BOX_WEIGHT
        c, s = centres[pos], strides[pos][:, None]
        sides = torch.cat([c - gt_boxes[:, :2], gt_boxes[:, 2:] - c], dim=1) / s
        sides = sides.clamp(0, BINS - 1 - 0.01).reshape(-1)
        left = sides.floor().long()
        logits = distributions[pos].reshape(-1, BINS)
        dfl = functional.cross_entropy(logits, left, reduction="none") * (left + 1 - sides) + functional.cross_entropy(
            logits, left + 1, reduction="none"
        ) * (sides - left)
        dfl_term = dfl.mean() * DFL_WEIGHT
    p = scores.clamp(EPS, 1 - EPS)
    focal = functional.binary_cross_entropy(p, target, reduction="none") * (p - target).abs().pow(2)
    score_term = (focal * weight).sum() / num_pos
    total = score_term + box_term + dfl_term + keep_term
    parts = {"score": float(score_term.detach()), "box": float(box_term.detach()), "dfl": float(dfl_term.detach()),
             "keep": float(keep_term.detach())}  # fmt: skip
    return total, {**parts, "pos": float(num_pos)}
