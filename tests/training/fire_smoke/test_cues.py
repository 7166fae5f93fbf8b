"""The colour cues of the fire/smoke model (its scene-grouped folds: tests/eval/test_folds.py)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("torch")  # the cues import the (torch) training code


def test_colour_cues_mark_the_flame_cell_and_the_grey_haze_cell() -> None:
    from gwanje.training.fire_smoke.cues import CELL_CUES, CUE_CHANNELS
    from gwanje.training.fire_smoke.model import image_cues

    image = np.full((1, 3, 64, 64), 0.05, np.float32)  # dark, BGR / 255
    image[0, :, 0:16, 0:16] = np.array([0.1, 0.5, 0.95], np.float32)[:, None, None]  # orange flame
    image[0, :, 16:32, 16:32] = 0.6  # grey haze
    image[0, :, 40:44, 48:52] = np.array([0.1, 0.5, 0.95], np.float32)[:, None, None]  # 4 x 4 px flame
    cues = image_cues(image)
    assert cues.shape == (1, CUE_CHANNELS, 4, 4)
    flame, haze, small_flame = cues[0, 0], cues[0, 4], cues[0, 12]
    assert flame[0, 0] == pytest.approx(1.0) and flame[1, 1] == 0.0
    assert haze[1, 1] == pytest.approx(1.0) and haze[0, 0] == 0.0
    assert flame[2, 3] == pytest.approx(1 / 16) and small_flame[2, 3] == pytest.approx(1.0)
    # the second half is each cue against its frame mean
    np.testing.assert_allclose(
        cues[0, CELL_CUES:], cues[0, :CELL_CUES] - cues[0, :CELL_CUES].mean(axis=(1, 2), keepdims=True), atol=1e-6
    )
