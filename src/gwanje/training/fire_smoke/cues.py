"""Per-cell colour and brightness cues of the fire/smoke model, computed from the input image inside the graph.

Why: the frozen NanoDet backbone was trained on COCO, whose classes include no fire or smoke; on
CCTV frames its features rank fire poorly while plain colour statistics do better
(docs/models/fire-smoke.md). These cues are fixed (no trained weights), cheap (a few element-wise
operations and poolings on the 256 x 256 input, well under a millisecond) and are concatenated to
the head's input, so the head learns when to trust them. Opt-in (``gwanje train fire-smoke --cues``):
a head trained with them ranked held-out scenes better in cross-validation but missed the demo
camera's generated flame entirely, so it is not the shipped model (docs/models/fire-smoke.md).

Per 16 x 16-pixel cell (``STRIDE``), from the BGR / 255 input:

* fractions of pixels in flame-coloured ranges (orange/red with R >= G > B, bright yellow, red
  embers, near-white saturated cores), and the same flame fraction in the best 4 x 4 sub-block
  (so a flame much smaller than a cell is not diluted);
* fractions of grey-haze pixels (low saturation, mid or dark brightness): smoke cues;
* mean B, G, R, saturation and brightness, the brightest pixel, and the standard deviation of
  luminance (smoke smooths texture);
* each of these minus its mean over the frame (a cell against the rest of the scene).
"""

from __future__ import annotations

import torch
from torch import nn

STRIDE = 16
SUB_BLOCK = 4
"""Side in pixels of the sub-blocks whose best flame fraction is kept per cell."""
CELL_CUES = 14
CUE_CHANNELS = 2 * CELL_CUES
"""Cell cues, then the same cues minus their frame mean."""


def _mask(condition: torch.Tensor) -> torch.Tensor:
    return condition.to(torch.float32)


class ColourCues(nn.Module):  # type: ignore[misc,unused-ignore]  # torch is untyped where mypy runs
    """image [N, 3, H, W] (BGR / 255) -> cues [N, CUE_CHANNELS, H / 16, W / 16]; no trainable weights."""

    def forward(self, image: torch.Tensor) -> torch.Tensor:
        b, g, r = image[:, 0:1], image[:, 1:2], image[:, 2:3]
        value = torch.maximum(torch.maximum(r, g), b)
        low = torch.minimum(torch.minimum(r, g), b)
        saturation = (value - low) / (value + 1e-3)
        luma = 0.299 * r + 0.587 * g + 0.114 * b
        flame = _mask((r > 0.5) & (r >= g) & (g > b) & (saturation > 0.25))
        pixels = [
            flame,
            _mask((r > 0.8) & (g > 0.5) & (r >= g) & (b < 0.8 * g)),  # bright yellow
            _mask((r - g > 0.2) & (r - b > 0.3)),  # red, embers
            _mask((value > 0.92) & (saturation < 0.35)),  # blown-out core (or a lamp)
            _mask((saturation < 0.15) & (value > 0.35) & (value < 0.85)),  # light grey haze
            _mask((saturation < 0.2) & (value > 0.12) & (value < 0.45)),  # dark smoke
            b,
            g,
            r,
            saturation,
            value,
            luma * luma,
        ]
        pooled = nn.functional.avg_pool2d(torch.cat(pixels, dim=1), STRIDE)
        luma_mean = nn.functional.avg_pool2d(luma, STRIDE)
        luma_std = torch.sqrt(torch.clamp(pooled[:, 11:12] - luma_mean * luma_mean, min=0.0) + 1e-6)
        small_flame = nn.functional.max_pool2d(
            nn.functional.avg_pool2d(flame, SUB_BLOCK), STRIDE // SUB_BLOCK
        )  # best 4 x 4 block of each cell
        brightest = nn.functional.max_pool2d(value, STRIDE)
        cells = torch.cat([pooled[:, :11], luma_std, small_flame, brightest], dim=1)
        return torch.cat([cells, cells - cells.mean(dim=(2, 3), keepdim=True)], dim=1)
