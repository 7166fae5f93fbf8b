"""The trainable part of the fire/smoke model (a small PyTorch head) and the ONNX export of the whole model.

The head reads NanoDet-g backbone features (``fire_smoke_backbone``): stride 32 (512 channels,
wide context: smoke often fills the frame) upsampled onto stride 16 (256 channels), then two
convolutions and a 1 x 1 classifier give fire and smoke logits per 16-pixel cell — "where", not
only "whether".

ONNX contract of the exported file (read by ``gwanje.detect.fire_smoke``): input ``image`` float32
[N, 3, 256, 256] BGR / 255, output ``cells`` float32 [N, 2, 16, 16] sigmoid probabilities
(channel 0 fire, 1 smoke). Pre-processing and the backbone are inside the graph.
"""

from __future__ import annotations

import io
from pathlib import Path

import onnx
import torch
from torch import nn

from gwanje.training.fire_smoke_backbone import CHANNELS, splice

INPUT_SIZE = 256
STRIDE = 16
CLASSES = ("fire", "smoke")
HEAD_INPUTS = ("f16", "f32")
OUTPUT_NAME = "cells"
OPSET = 17


class FireSmokeHead(nn.Module):  # type: ignore[misc,unused-ignore]  # torch is untyped where mypy runs
    """Backbone features (f16 [N,256,H/16,W/16], f32 [N,512,H/32,W/32]) -> cell logits [N,2,H/16,W/16]."""

    def __init__(self, width: int = 96, dropout: float = 0.2) -> None:
        super().__init__()
        c16, c32 = CHANNELS
        self.lateral16 = nn.Conv2d(c16, width, 1)
        self.lateral32 = nn.Conv2d(c32, width, 1)
        self.context = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c32, width, 1))
        self.dropout = nn.Dropout2d(dropout)
        self.mix = nn.Sequential(
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.Conv2d(width, width, 3, padding=1),
            nn.BatchNorm2d(width),
            nn.ReLU(),
        )
        self.classifier = nn.Conv2d(width, len(CLASSES), 1)
        nn.init.constant_(self.classifier.bias, -3.0)  # start from "nothing here" (most cells are empty)

    def forward(self, f16: torch.Tensor, f32: torch.Tensor) -> torch.Tensor:
        up = nn.functional.interpolate(self.lateral32(f32), size=f16.shape[-2:], mode="nearest")
        x = self.lateral16(self.dropout(f16)) + up + self.context(f32)
        logits: torch.Tensor = self.classifier(self.mix(x))
        return logits


class _Probabilities(nn.Module):  # type: ignore[misc,unused-ignore]
    def __init__(self, head: FireSmokeHead) -> None:
        super().__init__()
        self.head = head

    def forward(self, f16: torch.Tensor, f32: torch.Tensor) -> torch.Tensor:
        return torch.sigmoid(self.head(f16, f32))


def head_onnx(head: FireSmokeHead) -> onnx.ModelProto:
    """The head alone as ONNX (sigmoid output), dynamic batch and size."""
    head.eval()
    c16, c32 = CHANNELS
    grid = INPUT_SIZE // STRIDE
    dummy = (torch.zeros(1, c16, grid, grid), torch.zeros(1, c32, grid // 2, grid // 2))
    buffer = io.BytesIO()
    dynamic = {0: "batch", 2: "h", 3: "w"}
    torch.onnx.export(
        _Probabilities(head),
        dummy,
        buffer,
        input_names=list(HEAD_INPUTS),
        output_names=[OUTPUT_NAME],
        dynamic_axes={HEAD_INPUTS[0]: dynamic, HEAD_INPUTS[1]: {0: "batch", 2: "h2", 3: "w2"}, OUTPUT_NAME: dynamic},
        opset_version=OPSET,
        dynamo=False,
    )
    return onnx.load_from_string(buffer.getvalue())


def export_onnx(head: FireSmokeHead, nanodet: Path, path: Path) -> None:
    """Write pre-processing + NanoDet backbone + head as one ONNX file (opset 17, dynamic batch)."""
    model = splice(nanodet, head_onnx(head), HEAD_INPUTS)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for axis, size in ((2, INPUT_SIZE), (3, INPUT_SIZE)):  # the detector reads its input size from here
        dims[axis].ClearField("dim_param")
        dims[axis].dim_value = size
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def probabilities(head: FireSmokeHead, f16: torch.Tensor, f32: torch.Tensor) -> torch.Tensor:
    """Sigmoid cell probabilities in eval mode, without gradients (what the ONNX file computes)."""
    head.eval()
    with torch.no_grad():
        return torch.sigmoid(head(f16, f32))
