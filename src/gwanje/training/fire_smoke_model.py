"""The fire/smoke network (PyTorch) and its ONNX export.

A small fully convolutional CNN trained from scratch (no registry package ships fire/smoke
weights, and the NanoDet backbone costs ≈27 ms per frame on one core, twice the budget). It maps
a 256 x 256 BGR image scaled to 0..1 to a 16 x 16 grid of fire and smoke probabilities (stride 16):
"where", not only "whether". Stride-32 features with a global-context term (smoke often fills
the frame) are upsampled and added to the stride-16 features before the 1 x 1 classifier.

ONNX contract (read by ``gwanje.detect.fire_smoke``): input ``image`` float32 [N, 3, H, W]
BGR / 255, output ``cells`` float32 [N, 2, H/16, W/16] = sigmoid probabilities (channel 0 fire,
1 smoke). Normalisation happens inside the graph.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn

INPUT_SIZE = 256
STRIDE = 16
CLASSES = ("fire", "smoke")
INPUT_NAME = "image"
OUTPUT_NAME = "cells"
OPSET = 17


def _conv(cin: int, cout: int, stride: int = 1, kernel: int = 3) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(cin, cout, kernel, stride, kernel // 2, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class FireSmokeNet(nn.Module):  # type: ignore[misc,unused-ignore]  # torch is untyped where mypy runs
    """Outputs per-cell logits [N, 2, H/16, W/16]; ``probabilities`` applies the sigmoid."""

    def __init__(self, width: int = 32) -> None:
        super().__init__()
        w = width
        self.register_buffer("mean", torch.tensor([0.45, 0.45, 0.45]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1))
        self.stage8 = nn.Sequential(  # stride 8
            _conv(3, w // 2, 2), _conv(w // 2, w, 2), _conv(w, w), _conv(w, w * 2, 2), _conv(w * 2, w * 2)
        )
        self.stage16 = nn.Sequential(_conv(w * 2, w * 3, 2), _conv(w * 3, w * 3), _conv(w * 3, w * 3))
        self.stage32 = nn.Sequential(_conv(w * 3, w * 4, 2), _conv(w * 4, w * 4), _conv(w * 4, w * 4))
        self.context = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(w * 4, w * 4, 1), nn.ReLU(inplace=True))
        self.lateral = nn.Conv2d(w * 4, w * 3, 1)
        self.fuse = _conv(w * 3, w * 3)
        self.classifier = nn.Conv2d(w * 3, len(CLASSES), 1)
        nn.init.constant_(self.classifier.bias, -3.0)  # start from "nothing here" (most cells are empty)

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        x = (image - self.mean) / self.std
        f16 = self.stage16(self.stage8(x))
        f32 = self.stage32(f16)
        f32 = f32 + self.context(f32)
        up = nn.functional.interpolate(self.lateral(f32), size=f16.shape[-2:], mode="nearest")
        logits: torch.Tensor = self.classifier(self.fuse(f16 + up))
        return logits


class _Probabilities(nn.Module):  # type: ignore[misc,unused-ignore]
    def __init__(self, net: FireSmokeNet) -> None:
        super().__init__()
        self.net = net

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.net(image))


def export_onnx(net: FireSmokeNet, path: Path, input_size: int = INPUT_SIZE) -> None:
    """Write the sigmoid-output model to ``path`` (opset 17, dynamic batch)."""
    net.eval()
    dummy = torch.zeros(1, 3, input_size, input_size)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.onnx.export(
        _Probabilities(net),
        (dummy,),
        str(path),
        input_names=[INPUT_NAME],
        output_names=[OUTPUT_NAME],
        dynamic_axes={INPUT_NAME: {0: "batch"}, OUTPUT_NAME: {0: "batch"}},
        opset_version=OPSET,
        dynamo=False,
    )


def probabilities(net: FireSmokeNet, batch: torch.Tensor) -> torch.Tensor:
    """Sigmoid cell probabilities in eval mode, without gradients (what the ONNX file computes)."""
    net.eval()
    with torch.no_grad():
        return torch.sigmoid(net(batch))
