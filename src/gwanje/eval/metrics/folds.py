"""Group k-fold assignment and group hold-out split: samples of one group (a source video, a scene)
always land on the same side, so no figure is measured on a group the model was fitted on.

Both are deterministic for a given ``seed`` and list of groups.

Example:
    >>> group_kfold(["a", "a", "b", "c", "c", "c"], k=2, seed=0).tolist()
    [1, 1, 1, 0, 0, 0]
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


def group_kfold(groups: Sequence[Hashable], k: int, seed: int = 0) -> IntArray:
    """A fold number in ``0..k-1`` per sample; folds balanced by sample count, no group in two folds.

    Groups are dealt largest first (equal sizes in an order shuffled by ``seed``) to the fold with
    the fewest samples so far, so the largest groups land in different folds.
    """
    if k < 1:
        raise ValueError(f"need at least one fold, got {k}")
    keys = [str(g) for g in groups]
    names, inverse, counts = np.unique(np.asarray(keys, dtype=object), return_inverse=True, return_counts=True)
    order = np.random.default_rng(seed).permutation(len(names))
    order = order[np.argsort(-counts[order], kind="stable")]
    sizes = np.zeros(k, np.int64)
    fold_of = np.zeros(len(names), np.int64)
    for i in order:
        fold = int(np.argmin(sizes))
        fold_of[i] = fold
        sizes[fold] += counts[i]
    folds: IntArray = fold_of[inverse.reshape(-1)]
    return folds


def group_folds(groups: Sequence[Hashable], k: int, seed: int = 0) -> list[BoolArray]:
    """``group_kfold`` as k per-sample test masks; each sample is in exactly one."""
    ids = group_kfold(groups, k, seed)
    return [ids == f for f in range(k)]


def group_holdout(groups: Sequence[Hashable], labels: Sequence[int], fraction: float, seed: int = 0) -> BoolArray:
    """Per-sample mask of a held-out set of whole groups: about ``fraction`` of the samples, both classes.

    Groups are taken in an order shuffled by ``seed`` until the held-out samples reach ``fraction``
    of all and hold both labels.
    """
    keys = np.asarray([str(g) for g in groups], dtype=object)
    labels_arr = np.asarray(labels)
    held = np.zeros(len(keys), bool)
    for group in np.random.default_rng(seed).permutation(np.unique(keys)):
        if held.sum() >= fraction * len(keys) and len(np.unique(labels_arr[held])) == 2:
            break
        held |= keys == group
    return held
