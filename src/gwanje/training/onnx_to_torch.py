"""ONNX graphs as trainable PyTorch modules (onnx2torch), for the trainers that fine-tune a shipped network.

onnx2torch imports torchvision for its NMS/RoIAlign converters, which none of the project's graphs use; the
torchvision wheel beside the pinned CPU torch fails to import, so a stub stands in when the real one is broken.
"""

from __future__ import annotations

import sys
import types
from importlib import import_module
from typing import Any

import onnx


def _stub_torchvision() -> None:
    try:
        import_module("torchvision")
    except (ImportError, RuntimeError):
        for name in [n for n in sys.modules if n == "torchvision" or n.startswith("torchvision.")]:
            del sys.modules[name]
        stub = types.ModuleType("torchvision")
        stub.__path__ = []
        ops = types.ModuleType("torchvision.ops")

        def unavailable(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError("torchvision operators are not available in this environment")

        for op in ("nms", "batched_nms", "roi_align"):
            setattr(ops, op, unavailable)
        stub.ops = ops  # type: ignore[attr-defined]
        sys.modules["torchvision"] = stub
        sys.modules["torchvision.ops"] = ops


def to_torch(graph: onnx.ModelProto) -> Any:
    """The ONNX graph as a ``torch.fx.GraphModule`` (float32, trainable convolutions)."""
    _stub_torchvision()
    return import_module("onnx2torch").convert(graph)
