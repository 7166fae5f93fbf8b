"""End-to-end fine-tuning: every layer trains, and the exported ONNX computes what the PyTorch network does."""

from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest

pytest.importorskip("torch")
if find_spec("onnx2torch") is None:  # not importorskip: its import can fail on torchvision, which finetune stubs
    pytest.skip("onnx2torch is not installed (training extra)", allow_module_level=True)

import torch

from gwanje.detect.onnx_session import packaged_model
from gwanje.training.fire_smoke.cli import reference_image, reference_pattern
from gwanje.training.fire_smoke.data import load_dataset
from gwanje.training.fire_smoke.finetune import (
    FinetuneSettings,
    FireSmokeNet,
    export_net,
    finetune,
    image_scores,
)
from gwanje.training.fire_smoke.model import FireSmokeHead
from gwanje.training.fire_smoke.train import Augmenter, TrainSettings
from tests.training.fire_smoke.synthetic import write_yolo_dataset


def _net() -> FireSmokeNet:
    torch.manual_seed(0)
    return FireSmokeNet(packaged_model("nanodet-g-416.onnx"), FireSmokeHead(width=8, dropout=0.0, cues=True))


@pytest.mark.slow
def test_exported_network_matches_pytorch_on_a_batch(tmp_path: Path) -> None:
    net = _net()
    path = tmp_path / "net.onnx"
    export_net(net, path)
    image = np.concatenate([reference_image(reference_pattern()), np.random.default_rng(1).random((1, 3, 256, 256))])
    image = image.astype(np.float32)
    with torch.no_grad():
        expected = torch.sigmoid(net(torch.from_numpy(image))).numpy()
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (cells,) = session.run(None, {"image": image})
    assert cells.shape == (2, 2, 16, 16)
    np.testing.assert_allclose(cells, expected, atol=1e-4)


@pytest.mark.slow
def test_finetuning_changes_the_backbone_and_the_head(tmp_path: Path) -> None:
    samples = load_dataset(write_yolo_dataset(tmp_path / "data", count=12))
    net = _net()
    before_backbone = [p.detach().clone() for p in net.backbone.parameters()]
    before_head = [p.detach().clone() for p in net.head.parameters()]
    augmenter = Augmenter(samples, TrainSettings(grey_rate=0.5), np.random.default_rng(0))
    run = finetune(net, augmenter, FinetuneSettings(seconds=0.01, batch_size=2, backbone_learning_rate=1e-3))

    assert run["steps"] >= 1
    changed = [not torch.equal(a, b) for a, b in zip(before_backbone, net.backbone.parameters(), strict=True)]
    assert all(changed), f"{changed.count(False)} backbone tensors did not train"
    assert any(not torch.equal(a, b) for a, b in zip(before_head, net.head.parameters(), strict=True))
    scores = image_scores(net, samples[:3])
    assert scores.shape == (3, 2) and np.all((scores >= 0) & (scores <= 1))
