"""Group k-fold and group hold-out: groups never split, deterministic by seed, balanced folds."""

from __future__ import annotations

import numpy as np

from gwanje.eval.metrics import group_folds, group_holdout, group_kfold


def _one_fold_per_group(groups: list[str], folds: np.ndarray) -> bool:
    return all(len({int(f) for g2, f in zip(groups, folds, strict=True) if g2 == g}) == 1 for g in set(groups))


def test_largest_groups_go_to_different_folds_and_folds_balance() -> None:
    groups = ["s00"] * 40 + ["s01"] * 30 + ["s02"] * 5 + [f"photo{i}" for i in range(60)]
    folds = group_kfold(groups, 3, seed=0)
    assert _one_fold_per_group(groups, folds)
    assert folds[0] != folds[40]  # the two big scenes are in different folds
    # 40 | 30 | 5, then the 60 single photos fill the smallest fold first: 45 each
    assert np.bincount(folds).tolist() == [45, 45, 45]


def test_by_hand_and_deterministic_by_seed() -> None:
    # c (3) -> fold 0; a (2) -> fold 1; b (1) -> fold 1 (2 < 3)
    assert group_kfold(["a", "a", "b", "c", "c", "c"], 2, seed=7).tolist() == [1, 1, 1, 0, 0, 0]
    singles = [f"v{i}" for i in range(20)]
    assert group_kfold(singles, 4, seed=1).tolist() == group_kfold(singles, 4, seed=1).tolist()
    assert group_kfold(singles, 4, seed=1).tolist() != group_kfold(singles, 4, seed=2).tolist()


def test_fold_masks_cover_every_sample_once() -> None:
    groups = ["a", "b", "b", "c", "d", "d", "d"]
    masks = group_folds(groups, 3, seed=0)
    assert np.sum(masks, axis=0).tolist() == [1] * len(groups)
    for mask in masks:
        assert _one_fold_per_group(groups, mask.astype(int))


def test_holdout_takes_whole_groups_of_both_classes() -> None:
    groups = [f"v{i // 3}" for i in range(30)]  # ten videos of three clips
    labels = [(i // 3) % 2 for i in range(30)]  # even videos negative, odd ones positive
    held = group_holdout(groups, labels, 0.2, seed=3)
    assert held.sum() >= 6 and set(np.asarray(labels)[held].tolist()) == {0, 1}
    for g in set(groups):
        assert len({bool(h) for g2, h in zip(groups, held, strict=True) if g2 == g}) == 1
    assert held.tolist() == group_holdout(groups, labels, 0.2, seed=3).tolist()
