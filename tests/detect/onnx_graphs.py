"""Tiny ONNX graphs built with onnx.helper, so model code is tested on real ONNX Runtime sessions.

``constant_model`` ignores its image input (apart from its batch size) and returns fixed tensors,
so decoding can be checked exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17


def _save(graph: onnx.GraphProto, path: Path, metadata: dict[str, str] | None = None) -> Path:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    if metadata:
        helper.set_model_props(model, metadata)
    model.ir_version = 8
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def constant_model(
    path: Path,
    outputs: Sequence[np.ndarray],
    input_shape: Sequence[int | str] = ("batch", 3, 64, 64),
    input_name: str = "images",
) -> Path:
    """A model whose outputs are ``outputs`` (each with a leading batch axis of 1) repeated per input sample."""
    nodes = [
        helper.make_node("Shape", [input_name], ["in_shape"]),
        helper.make_node("Slice", ["in_shape", "zero", "one"], ["batch"]),
    ]
    initializers = [
        numpy_helper.from_array(np.array([0], np.int64), "zero"),
        numpy_helper.from_array(np.array([1], np.int64), "one"),
    ]
    graph_outputs = []
    for i, raw in enumerate(outputs):
        value = np.asarray(raw, np.float32)
        const = f"const{i}"
        initializers.append(numpy_helper.from_array(value, const))
        ones = f"ones{i}"
        initializers.append(numpy_helper.from_array(np.ones(value.ndim - 1, np.int64), ones))
        nodes.append(helper.make_node("Concat", ["batch", ones], [f"reps{i}"], axis=0))
        nodes.append(helper.make_node("Tile", [const, f"reps{i}"], [f"out{i}"]))
        shape = ["batch", *value.shape[1:]] if isinstance(input_shape[0], str) else [input_shape[0], *value.shape[1:]]
        graph_outputs.append(helper.make_tensor_value_info(f"out{i}", TensorProto.FLOAT, shape))
    graph = helper.make_graph(
        nodes,
        "constant",
        [helper.make_tensor_value_info(input_name, TensorProto.FLOAT, list(input_shape))],
        graph_outputs,
        initializers,
    )
    return _save(graph, path)


def mean_model(
    path: Path, input_shape: Sequence[int | str] = ("batch", 3, 8, 8), metadata: dict[str, str] | None = None
) -> Path:
    """Outputs the mean of each sample ([N, 1]), so tests can see which sample produced which row."""
    graph = helper.make_graph(
        [
            helper.make_node("ReduceMean", ["x"], ["y"], axes=[1, 2, 3], keepdims=0),
            helper.make_node("Unsqueeze", ["y", "axis"], ["out"]),
        ],
        "mean",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(input_shape))],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, [input_shape[0], 1])],
        [numpy_helper.from_array(np.array([1], np.int64), "axis")],
    )
    return _save(graph, path, metadata)
