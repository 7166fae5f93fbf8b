"""NanoDet-g between ONNX and PyTorch: convert the shipped graph with onnx2torch, write trained weights back.

Why write back instead of ``torch.onnx.export``: the fine-tuned model must be a drop-in replacement for
``nanodet-g-416.onnx`` (same input, the same six outputs, scores already sigmoid-activated), so that
``gwanje.detect.person`` decodes it unchanged. Copying the trained convolution weights into the original
graph keeps every other node (padding, resizes, reshapes, the sigmoid) byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
import onnx.numpy_helper

from gwanje.training.onnx_to_torch import to_torch as graph_to_torch


def to_torch(onnx_path: Path) -> Any:
    """The ONNX file as a ``torch.fx.GraphModule`` (float32, trainable convolutions)."""
    return graph_to_torch(onnx.load(str(onnx_path)))


def conv_weights(module: Any) -> dict[str, tuple[Any, Any]]:
    """Converted convolution name (the ONNX node name) -> (weight, bias) tensors."""
    import torch

    return {
        name: (child.weight, child.bias)
        for name, child in module.named_children()
        if isinstance(child, torch.nn.Conv2d)
    }


def write_onnx(module: Any, template: Path, output: Path) -> int:
    """Copy ``module``'s convolution weights into ``template``'s graph and save it as ``output``.

    Returns the number of convolutions written; raises when a convolution has no counterpart.
    """
    graph = onnx.load(str(template))
    initializers = {init.name: init for init in graph.graph.initializer}
    nodes = {node.name: node for node in graph.graph.node if node.op_type == "Conv"}
    weights = conv_weights(module)
    missing = sorted(set(nodes) ^ set(weights))
    if missing:
        raise ValueError(f"convolutions without a counterpart between ONNX and torch: {missing[:5]}")
    for name, (weight, bias) in weights.items():
        node = nodes[name]
        for tensor, input_name in ((weight, node.input[1]), (bias, node.input[2] if len(node.input) > 2 else "")):
            if tensor is None or not input_name:
                continue
            values = tensor.detach().cpu().numpy().astype(np.float32)
            old = initializers[input_name]
            if tuple(old.dims) != values.shape:
                raise ValueError(f"{name}: shape {values.shape} does not fit {list(old.dims)}")
            old.CopyFrom(onnx.numpy_helper.from_array(values, input_name))
    output.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(graph, str(output))
    return len(weights)
