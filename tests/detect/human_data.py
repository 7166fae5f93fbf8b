"""Helpers shared by the person and pose tests: dataset frames and the stored reference outputs."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

DATA = Path(__file__).resolve().parents[1] / "data"
PERSON_FRAME = ("normal-cctv-intel-samples/one-by-one-person-detection.mp4", 300)
"""One man standing, about 130 x 310 px, in a 640x360 indoor frame."""


def dataset_frame(datasets_dir: Path, relative: str, index: int) -> npt.NDArray[np.uint8]:
    """Decoded frame ``index`` (0-based, decode order) of a dataset video, BGR."""
    with av.open(str(datasets_dir / relative)) as container:
        for i, frame in enumerate(container.decode(video=0)):
            if i == index:
                return np.asarray(frame.to_ndarray(format="bgr24"), np.uint8)
    raise AssertionError(f"{relative} has fewer than {index + 1} frames")


def enlarged_pattern(reference: np.lib.npyio.NpzFile) -> npt.NDArray[np.uint8]:
    """The fixed test image the conversion script fed the source model (its seeded pattern, 8x larger)."""
    pattern = reference["pattern"]
    return np.repeat(np.repeat(pattern, 8, axis=0), 8, axis=1)


def assert_matches_reference(outputs: list[npt.NDArray[np.float32]], reference: np.lib.npyio.NpzFile) -> None:
    """Each ONNX output equals the source model's stored rows and checksums (matched by shape)."""
    stride = int(reference["stride"])
    by_key = {"x".join(str(d) for d in o.shape): o for o in outputs}
    keys = [k.removeprefix("rows_") for k in reference.files if k.startswith("rows_")]
    assert keys, "reference file stores no outputs"
    for key in keys:
        assert key in by_key, f"no ONNX output of shape {key}; outputs: {list(by_key)}"
        value = by_key[key]
        flat = value.reshape(value.shape[0] * value.shape[1], -1) if value.ndim > 2 else value.reshape(1, -1)
        expected = reference[f"rows_{key}"]
        scale = max(1.0, float(np.abs(expected).max()))
        np.testing.assert_allclose(flat[::stride], expected, rtol=0, atol=1e-4 * scale, err_msg=key)
        total, total_abs = reference[f"sum_{key}"]
        as64 = value.astype(np.float64)
        assert abs(as64.sum() - total) <= 1e-5 * max(1.0, total_abs), key
        assert abs(np.abs(as64).sum() - total_abs) <= 1e-5 * max(1.0, total_abs), key
