"""The human-models converter's checks, without TensorFlow: pinned checksums and the reference it stores."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from gwanje.training.human_models.convert import REFERENCE_STRIDE, check_sha256, reference_arrays, save_reference


def test_a_download_with_another_checksum_is_refused(tmp_path: Path) -> None:
    blob = tmp_path / "model.bin"
    blob.write_bytes(b"weights")
    check_sha256(blob, hashlib.sha256(b"weights").hexdigest())
    with pytest.raises(SystemExit, match="does not match the pinned"):
        check_sha256(blob, "0" * 64)


def test_reference_keeps_strided_rows_and_sums_by_output_shape(tmp_path: Path) -> None:
    boxes = np.arange(2 * 60 * 4, dtype=np.float32).reshape(2, 60, 4)
    reference = reference_arrays({"boxes:0": boxes})
    rows = reference["rows_2x60x4"]
    assert rows.shape == (len(range(0, 120, REFERENCE_STRIDE)), 4)
    np.testing.assert_array_equal(rows[1], boxes.reshape(120, 4)[REFERENCE_STRIDE])
    assert reference["sum_2x60x4"].tolist() == [float(boxes.sum()), float(np.abs(boxes).sum())]
    path = tmp_path / "ref.npz"
    save_reference(path, np.zeros((2, 2, 3), np.uint8), {"boxes:0": boxes})
    with np.load(path) as saved:
        assert set(saved.files) == {"pattern", "stride", "rows_2x60x4", "sum_2x60x4"}
        assert int(saved["stride"]) == REFERENCE_STRIDE
