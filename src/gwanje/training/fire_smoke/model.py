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

import numpy as np
import numpy.typing as npt
import onnx
import torch
from torch import nn

from gwanje.training.fire_smoke.backbone import CHANNELS, splice
from gwanje.training.fire_smoke.cues import CUE_CHANNELS, ColourCues

INPUT_SIZE = 256
STRIDE = 16
CLASSES = ("fire", "smoke")
HEAD_INPUTS = ("f16", "f32")
CUES_INPUT = "cue_image"
"""Third input of the head graph when it uses colour cues: the model's input image, passed through."""
OUTPUT_NAME = "cells"
OPSET = 17


class FireSmokeHead(nn.Module):  # type: ignore[misc,unused-ignore]  # torch is untyped where mypy runs
    """Backbone features (f16 [N,256,H/16,W/16], f32 [N,512,H/32,W/32]) -> cell logits [N,2,H/16,W/16].

    With ``cues`` the head also reads the colour cues of ``fire_smoke_cues`` ([N, CUE_CHANNELS,
    H/16, W/16]) through two 1 x 1 convolutions, added to the backbone's laterals.
    """

    def __init__(self, width: int = 96, dropout: float = 0.2, cues: bool = False) -> None:
        super().__init__()
        c16, c32 = CHANNELS
        self.uses_cues = cues
        self.cue_branch = (
            nn.Sequential(nn.Conv2d(CUE_CHANNELS, width, 1), nn.ReLU(), nn.Conv2d(width, width, 1)) if cues else None
        )
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

    def forward(self, f16: torch.Tensor, f32: torch.Tensor, cues: torch.Tensor | None = None) -> torch.Tensor:
        up = nn.functional.interpolate(self.lateral32(f32), size=f16.shape[-2:], mode="nearest")
        x = self.lateral16(self.dropout(f16)) + up + self.context(f32)
        if self.cue_branch is not None:
            if cues is None:
                raise ValueError("this head was built with colour cues: pass them")
            x = x + self.cue_branch(cues)
        logits: torch.Tensor = self.classifier(self.mix(x))
        return logits


class PerClassHeads(nn.Module):  # type: ignore[misc,unused-ignore]
    """One trained head per class: output channel ``c`` (fire, smoke) is channel ``c`` of ``heads[c]``.

    Two training runs of the same recipe can each be better at one class (the v3 runs: the fire of one, the smoke
    of another); both read the same backbone features, so the pair costs one backbone and two small heads.
    """

    def __init__(self, heads: list[FireSmokeHead]) -> None:
        super().__init__()
        if len(heads) != len(CLASSES):
            raise ValueError(f"one head per class {CLASSES}, got {len(heads)}")
        self.heads = nn.ModuleList(heads)
        self.uses_cues = any(h.uses_cues for h in heads)

    def forward(self, f16: torch.Tensor, f32: torch.Tensor, cues: torch.Tensor | None = None) -> torch.Tensor:
        channels = [head(f16, f32, cues if head.uses_cues else None)[:, c : c + 1] for c, head in enumerate(self.heads)]
        return torch.cat(channels, dim=1)


Head = FireSmokeHead | PerClassHeads


class _Probabilities(nn.Module):  # type: ignore[misc,unused-ignore]
    def __init__(self, head: Head) -> None:
        super().__init__()
        self.head = head
        self.cues = ColourCues()

    def forward(self, f16: torch.Tensor, f32: torch.Tensor, image: torch.Tensor | None = None) -> torch.Tensor:
        return torch.sigmoid(self.head(f16, f32, None if image is None else self.cues(image)))


def head_onnx(head: Head) -> onnx.ModelProto:
    """The head alone as ONNX (sigmoid output), dynamic batch and size; inputs f16, f32 (and the image for cues)."""
    head.eval()
    c16, c32 = CHANNELS
    grid = INPUT_SIZE // STRIDE
    dummy: tuple[torch.Tensor, ...] = (torch.zeros(1, c16, grid, grid), torch.zeros(1, c32, grid // 2, grid // 2))
    names = list(HEAD_INPUTS)
    dynamic = {0: "batch", 2: "h", 3: "w"}
    axes = {HEAD_INPUTS[0]: dynamic, HEAD_INPUTS[1]: {0: "batch", 2: "h2", 3: "w2"}, OUTPUT_NAME: dynamic}
    if head.uses_cues:
        dummy = (*dummy, torch.zeros(1, 3, INPUT_SIZE, INPUT_SIZE))
        names.append(CUES_INPUT)
        axes[CUES_INPUT] = {0: "batch", 2: "ih", 3: "iw"}
    buffer = io.BytesIO()
    torch.onnx.export(
        _Probabilities(head),
        dummy,
        buffer,
        input_names=names,
        output_names=[OUTPUT_NAME],
        dynamic_axes=axes,
        opset_version=OPSET,
        dynamo=False,
    )
    return onnx.load_from_string(buffer.getvalue())


def export_onnx(head: Head, nanodet: Path, path: Path) -> None:
    """Write pre-processing + NanoDet backbone + head as one ONNX file (opset 17, dynamic batch)."""
    model = splice(nanodet, head_onnx(head), HEAD_INPUTS, CUES_INPUT if head.uses_cues else None)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for axis, size in ((2, INPUT_SIZE), (3, INPUT_SIZE)):  # the detector reads its input size from here
        dims[axis].ClearField("dim_param")
        dims[axis].dim_value = size
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(model, str(path))


def probabilities(head: Head, f16: torch.Tensor, f32: torch.Tensor, cues: torch.Tensor | None = None) -> torch.Tensor:
    """Sigmoid cell probabilities in eval mode, without gradients (what the ONNX file computes)."""
    head.eval()
    with torch.no_grad():
        return torch.sigmoid(head(f16, f32, cues))


def image_cues(batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Colour cues of a BGR / 255 batch [N, 3, H, W], as the exported graph computes them."""
    with torch.no_grad():
        return np.asarray(ColourCues()(torch.from_numpy(batch)).numpy(), np.float32)
