"""NanoDet-g through PyTorch and back (export parity), and the person loss (needs PyTorch and onnx2torch)."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

from gwanje.detect.onnx_session import packaged_model
from gwanje.detect.person import MODEL_FILE

torch = pytest.importorskip("torch")
if find_spec("onnx2torch") is None:  # not imported here: it needs the torchvision stand-in of to_torch
    pytest.skip("onnx2torch is not installed", allow_module_level=True)

from gwanje.training.person.loss import assign, decode, grid, person_loss  # noqa: E402
from gwanje.training.person.model import conv_weights, to_torch, write_onnx  # noqa: E402


def _onnx_outputs(path: Path, x: np.ndarray) -> list[np.ndarray]:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return list(session.run(None, {session.get_inputs()[0].name: x}))


@pytest.fixture(scope="module")
def model() -> object:
    torch.set_num_threads(1)
    return to_torch(packaged_model(MODEL_FILE))


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    return np.random.default_rng(5).standard_normal((1, 3, 416, 416)).astype(np.float32)


def test_the_converted_model_reproduces_the_shipped_onnx(model: object, sample: np.ndarray) -> None:
    with torch.no_grad():
        got = model(torch.from_numpy(sample))  # type: ignore[operator]
    for expected, actual in zip(_onnx_outputs(packaged_model(MODEL_FILE), sample), got, strict=True):
        assert expected.shape == tuple(actual.shape)
        np.testing.assert_allclose(actual.numpy(), expected, atol=1e-4)


def test_written_onnx_equals_the_trained_pytorch_model(model: object, sample: np.ndarray, tmp_path: Path) -> None:
    """Export parity: changed weights land in the ONNX graph, which then computes what PyTorch computes."""
    trained = to_torch(packaged_model(MODEL_FILE))
    with torch.no_grad():
        for weight, bias in conv_weights(trained).values():
            weight.mul_(1.05)
            if bias is not None:
                bias.add_(0.01)
        expected = [t.numpy() for t in trained(torch.from_numpy(sample))]
    out = tmp_path / "ft.onnx"
    assert write_onnx(trained, packaged_model(MODEL_FILE), out) == 34
    written = _onnx_outputs(out, sample)
    original = _onnx_outputs(packaged_model(MODEL_FILE), sample)
    assert max(float(np.abs(a - b).max()) for a, b in zip(written, original, strict=True)) > 1e-2
    for exported, trained_output in zip(written, expected, strict=True):
        np.testing.assert_allclose(exported, trained_output, atol=1e-4)


def test_a_person_box_gets_positive_cells_inside_it_and_a_finite_loss(model: object) -> None:
    centres, strides = grid()
    box = torch.tensor([[100.0, 200.0, 260.0, 260.0]])  # a lying person, 160 x 60 px
    x = torch.zeros((1, 3, 416, 416))
    outputs = model(x)  # type: ignore[operator]
    distributions = torch.cat([o[0] for o in outputs if o.shape[-1] == 44])
    assigned, positive = assign(box, decode(distributions, centres, strides).detach(), centres, strides)
    assert int(positive.sum()) >= 1 and (assigned[positive] == 0).all()
    inside = centres[positive]
    assert ((inside[:, 0] > 90) & (inside[:, 0] < 270) & (inside[:, 1] > 190) & (inside[:, 1] < 270)).all()
    loss, parts = person_loss(outputs, box, torch.tensor([False]), centres, strides)
    loss.backward()
    assert np.isfinite(float(loss.detach())) and parts["pos"] >= 1 and parts["box"] > 0
    weight, _ = next(iter(conv_weights(model).values()))
    assert weight.grad is not None and torch.isfinite(weight.grad).all()
    nothing, none_positive = assign(torch.zeros((0, 4)), torch.zeros((len(centres), 4)), centres, strides)
    assert not none_positive.any() and (nothing == -1).all()


def test_ignored_boxes_take_no_score_loss(model: object) -> None:
    centres, strides = grid()
    with torch.no_grad():
        outputs = model(torch.zeros((1, 3, 416, 416)))  # type: ignore[operator]
    box = torch.tensor([[0.0, 0.0, 416.0, 416.0]])
    ignored, _ = person_loss(outputs, box, torch.tensor([True]), centres, strides)
    background, _ = person_loss(outputs, torch.zeros((0, 4)), torch.zeros(0, dtype=torch.bool), centres, strides)
    assert float(ignored) == 0.0 and float(background) > 0.0


def test_a_student_equal_to_its_teacher_has_nothing_to_learn_where_nobody_is_labelled(model: object) -> None:
    centres, strides = grid()
    with torch.no_grad():
        outputs = model(torch.rand((1, 3, 416, 416)))  # type: ignore[operator]
    same, parts = person_loss(outputs, torch.zeros((0, 4)), torch.zeros(0, dtype=torch.bool), centres, strides, outputs)
    assert float(same) == pytest.approx(0.0, abs=1e-6) and parts["keep"] == pytest.approx(0.0, abs=1e-6)
    box = torch.tensor([[150.0, 250.0, 300.0, 320.0]])
    labelled, _ = person_loss(outputs, box, torch.tensor([False]), centres, strides, outputs)
    assert float(labelled) > 0.0  # a labelled lying person still pulls the model away from the teacher
