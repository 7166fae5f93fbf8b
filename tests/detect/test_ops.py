"""Letterbox, tensors, IoU and NMS."""

from __future__ import annotations

import numpy as np
import pytest

from gwanje.detect.ops import batched_nms, box_iou, covered_by_better, cxcywh_to_xyxy, letterbox, nms, to_tensor


def test_letterbox_wide_image_pads_top_and_bottom() -> None:
    img = np.full((100, 200, 3), 7, np.uint8)
    out, lb = letterbox(img, (64, 64))
    assert out.shape == (64, 64, 3)
    assert (lb.scale_x, lb.scale_y, lb.pad_x, lb.pad_y) == (0.32, 0.32, 0.0, 16.0)
    assert np.all(out[:16] == 114) and np.all(out[48:] == 114)
    assert np.all(out[16:48] == 7)


def test_letterbox_top_left_padding() -> None:
    img = np.zeros((100, 50, 3), np.uint8)
    out, lb = letterbox(img, (64, 64), center=False, pad_value=0)
    assert (lb.pad_x, lb.pad_y, lb.scale_x) == (0.0, 0.0, 0.64)
    assert out.shape == (64, 64, 3)


def test_stretch_has_two_scales_and_no_padding() -> None:
    img = np.zeros((100, 200, 3), np.uint8)
    out, lb = letterbox(img, (100, 50), keep_ratio=False)
    assert out.shape == (50, 100, 3)
    assert (lb.scale_x, lb.scale_y, lb.pad_x, lb.pad_y) == (0.5, 0.5, 0.0, 0.0)
    _, lb2 = letterbox(img, (64, 64), keep_ratio=False)
    assert (lb2.scale_x, lb2.scale_y) == (0.32, 0.64)


def test_box_round_trip_and_clipping() -> None:
    _, lb = letterbox(np.zeros((360, 640, 3), np.uint8), (320, 320))
    src = np.array([[10, 20, 300, 200], [600, 300, 640, 360]], np.float32)
    np.testing.assert_allclose(lb.to_source(lb.to_input(src)), src, atol=1e-4)
    outside = lb.to_source([[-10, 0, 400, 400]])
    assert outside.tolist() == [[0.0, 0.0, 640.0, 360.0]]
    assert lb.to_source([[-10, 70, 20, 80]], clip=False)[0, 0] == -20.0


def test_letterbox_rejects_empty_image() -> None:
    with pytest.raises(ValueError, match="H x W x C"):
        letterbox(np.zeros((0, 10, 3), np.uint8), (32, 32))


def test_to_tensor_orders_channels_and_normalises() -> None:
    img = np.zeros((2, 3, 3), np.uint8)
    img[..., 0], img[..., 1], img[..., 2] = 10, 20, 30  # BGR
    rgb = to_tensor([img, img], "rgb", scale=0.5)
    assert rgb.shape == (2, 3, 2, 3) and rgb.dtype == np.float32
    assert rgb[0, :, 0, 0].tolist() == [15.0, 10.0, 5.0]
    bgr = to_tensor([img], "bgr", scale=1.0, mean=[10, 20, 30], std=[2, 2, 2], layout="nhwc")
    assert bgr.shape == (1, 2, 3, 3)
    assert bgr[0, 0, 0].tolist() == [0.0, 0.0, 0.0]


def test_to_tensor_is_the_normalisation_formula_to_float_rounding() -> None:
    images = list(np.random.default_rng(0).integers(0, 256, (2, 5, 7, 3), dtype=np.uint8))
    mean, std = [103.53, 116.28, 123.675], [57.375, 57.12, 58.395]
    expected = ((np.stack(images)[..., ::-1].astype(np.float64) - mean[::-1]) / std[::-1] * 0.5).transpose(0, 3, 1, 2)
    got = to_tensor(images, "rgb", scale=0.5, mean=mean[::-1], std=std[::-1])
    assert got.flags.c_contiguous and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, atol=1e-5)


def test_cxcywh() -> None:
    assert cxcywh_to_xyxy([[10, 20, 4, 6]]).tolist() == [[8.0, 17.0, 12.0, 23.0]]


def test_iou_values() -> None:
    a = [[0, 0, 10, 10], [0, 0, 0, 0]]
    b = [[0, 0, 10, 10], [5, 0, 15, 10], [20, 20, 30, 30]]
    iou = box_iou(a, b)
    assert iou.shape == (2, 3)
    np.testing.assert_allclose(iou[0], [1.0, 50 / 150, 0.0], rtol=1e-6)
    assert iou[1].tolist() == [0.0, 0.0, 0.0]


def test_nms_keeps_highest_and_respects_threshold() -> None:
    boxes = [[0, 0, 10, 10], [1, 0, 11, 10], [5, 0, 15, 10], [50, 50, 60, 60]]
    scores = [0.8, 0.9, 0.7, 0.3]
    assert nms(boxes, scores, 0.5).tolist() == [1, 2, 3]  # IoU(1, 0) = 0.82, IoU(1, 2) = 0.43
    assert nms(boxes, scores, 0.9).tolist() == [1, 0, 2, 3]
    assert nms(np.zeros((0, 4)), np.zeros(0), 0.5).tolist() == []


def test_batched_nms_is_per_class() -> None:
    boxes = [[0, 0, 10, 10], [0, 0, 10, 10], [0, 0, 10, 10]]
    scores = [0.5, 0.9, 0.7]
    classes = [0, 1, 0]
    assert batched_nms(boxes, scores, classes, 0.5).tolist() == [1, 2]
    assert batched_nms(np.zeros((0, 4)), [], [], 0.5).tolist() == []


def test_covered_by_better_drops_a_part_inside_a_more_confident_box_that_nms_keeps() -> None:
    whole = [178.0, 217.0, 290.0, 245.0]
    part = [216.0, 206.0, 292.0, 241.0]  # 67 % of it inside the whole, IoU 0.44
    apart = [400.0, 200.0, 450.0, 300.0]
    boxes, scores = np.asarray([whole, part, apart]), np.asarray([0.5, 0.3, 0.2])
    assert box_iou([whole], [part])[0, 0] < 0.5 and len(nms(boxes, scores, 0.5)) == 3
    assert covered_by_better(boxes, scores, 0.6).tolist() == [True, False, True]
    assert covered_by_better(boxes, [0.3, 0.5, 0.2], 0.6).tolist() == [True, True, True]  # the whole is not a part
    assert covered_by_better(boxes, scores, 0.7).tolist() == [True, True, True]
    assert covered_by_better(np.zeros((0, 4)), np.zeros(0), 0.6).tolist() == []
