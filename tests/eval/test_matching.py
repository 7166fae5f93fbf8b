"""Box matching: highest score first, each label once, IoU threshold inclusive."""

from __future__ import annotations

from gwanje.eval.metrics import match_boxes


def test_the_higher_scored_of_two_overlapping_detections_takes_the_label() -> None:
    m = match_boxes([[0, 0, 10, 10], [0, 0, 9, 10]], [0.5, 0.9], [[0, 0, 10, 10]], 0.4)
    assert m.labels_hit.tolist() == [True]
    assert m.detections_hit.tolist() == [False, True]


def test_a_detection_takes_the_free_label_it_overlaps_most() -> None:
    labels = [[0, 0, 10, 10], [20, 0, 30, 10]]
    m = match_boxes([[1, 0, 11, 10], [19, 0, 29, 10], [50, 50, 60, 60]], [0.9, 0.8, 0.7], labels, 0.4)
    assert m.labels_hit.tolist() == [True, True]
    assert m.detections_hit.tolist() == [True, True, False]


def test_below_the_iou_threshold_nothing_matches_and_empty_inputs_give_empty_answers() -> None:
    m = match_boxes([[0, 0, 10, 10]], [0.9], [[5, 0, 15, 10]], 0.4)  # IoU 1/3
    assert m.labels_hit.tolist() == [False] and m.detections_hit.tolist() == [False]
    assert match_boxes([], [], [[0, 0, 1, 1]], 0.4).labels_hit.tolist() == [False]
    assert match_boxes([[0, 0, 1, 1]], [0.5], [], 0.4).detections_hit.tolist() == [False]
