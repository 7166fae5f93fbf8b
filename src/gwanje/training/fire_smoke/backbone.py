"""The frozen feature extractor of the fire/smoke model: NanoDet-g's backbone, cut out of the shipped ONNX.

Why: a CNN trained from scratch on the ≈40 scenes of the CCTV set learns the scenes (training AP
1.00, held-out scene AP ≈0.6). NanoDet-g's COCO backbone (Apache-2.0, already shipped for person
detection) gives features that transfer; at a 256 x 256 input its stride-16 and stride-32 outputs
cost ≈6 ms on one core, so only a small head is trained on top.

This module has no PyTorch dependency: the training caches backbone features with ONNX Runtime,
and the export splices "pre-processing -> backbone -> head" into one ONNX file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
import onnx.compose
import onnx.helper
import onnx.utils
import onnxruntime as ort

BACKBONE_INPUT = "input_1:0"
FEATURES_16 = "PartitionedCall/onnx_tf_prefix_Concat_42:0"
"""256 channels at stride 16."""
FEATURES_32 = "PartitionedCall/onnx_tf_prefix_Concat_62:0"
"""512 channels at stride 32."""
CHANNELS = (256, 512)
MEAN_BGR = np.array([103.53, 116.28, 123.675], np.float32)
STD_BGR = np.array([57.375, 57.12, 58.395], np.float32)
IMAGE_INPUT = "image"
"""Input of the shipped model: BGR / 255, NCHW (what ``gwanje.detect.fire_smoke.to_input`` makes)."""


def backbone_graph(nanodet: Path) -> onnx.ModelProto:
    """NanoDet-g cut after the backbone, with a dynamic batch and image size."""
    extracted = nanodet.parent / f".{nanodet.stem}-backbone-tmp.onnx"
    try:
        onnx.utils.extract_model(str(nanodet), str(extracted), [BACKBONE_INPUT], [FEATURES_16, FEATURES_32])
        model = onnx.load(str(extracted))
    finally:
        extracted.unlink(missing_ok=True)
    dims = model.graph.input[0].type.tensor_type.shape.dim
    for axis, name in ((0, "batch"), (2, "height"), (3, "width")):
        dims[axis].ClearField("dim_value")
        dims[axis].dim_param = name
    for output in model.graph.output:
        for axis, dim in enumerate(output.type.tensor_type.shape.dim):
            if axis != 1:
                dim.ClearField("dim_value")
                dim.dim_param = f"{output.name}_{axis}"
    del model.graph.value_info[:]
    return model


def normalise(batch: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """BGR / 255 [N, 3, H, W] -> NanoDet's input ((x * 255 - mean) / std), as the exported graph does it."""
    scale = (255.0 / STD_BGR).reshape(1, 3, 1, 1)
    offset = (-MEAN_BGR / STD_BGR).reshape(1, 3, 1, 1)
    return np.asarray(batch * scale + offset, np.float32)


class BackboneRunner:
    """Runs the backbone with ONNX Runtime (for caching features at training time)."""

    def __init__(self, nanodet: Path, threads: int = 0) -> None:
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self.session = ort.InferenceSession(
            backbone_graph(nanodet).SerializeToString(), options, providers=["CPUExecutionProvider"]
        )

    def features(self, batch: npt.NDArray[np.float32]) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(stride-16, stride-32) features of a BGR / 255 batch."""
        f16, f32 = self.session.run([FEATURES_16, FEATURES_32], {BACKBONE_INPUT: normalise(batch)})
        return np.asarray(f16, np.float32), np.asarray(f32, np.float32)


def _with_preprocessing(backbone: onnx.ModelProto) -> onnx.ModelProto:
    """Prepend x * (255 / std) + (-mean / std) so the model takes BGR / 255 as input ``image``."""
    graph = backbone.graph
    scale = onnx.helper.make_tensor("prep_scale", onnx.TensorProto.FLOAT, [1, 3, 1, 1], (255.0 / STD_BGR).tolist())
    offset = onnx.helper.make_tensor(
        "prep_offset", onnx.TensorProto.FLOAT, [1, 3, 1, 1], (-MEAN_BGR / STD_BGR).tolist()
    )
    graph.initializer.extend([scale, offset])
    nodes = [
        onnx.helper.make_node("Mul", [IMAGE_INPUT, "prep_scale"], ["prep_scaled"], name="prep_mul"),
        onnx.helper.make_node("Add", ["prep_scaled", "prep_offset"], [BACKBONE_INPUT], name="prep_add"),
    ]
    old_nodes = list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes + old_nodes)
    graph.input[0].name = IMAGE_INPUT
    return backbone


def splice(
    nanodet: Path, head: onnx.ModelProto, head_inputs: tuple[str, str], image_input: str | None = None
) -> onnx.ModelProto:
    """One model: pre-processing -> NanoDet backbone -> the trained head (inputs ``head_inputs`` = f16, f32).

    ``image_input``: a further head input that receives the model's input image (for colour cues).
    """
    body = _with_preprocessing(backbone_graph(nanodet))
    io_map = [(FEATURES_16, head_inputs[0]), (FEATURES_32, head_inputs[1])]
    if image_input is not None:
        passthrough = onnx.helper.make_tensor_value_info(
            "image_passthrough", onnx.TensorProto.FLOAT, ["batch", 3, "height", "width"]
        )
        body.graph.node.append(onnx.helper.make_node("Identity", [IMAGE_INPUT], [passthrough.name], name="image_copy"))
        body.graph.output.append(passthrough)
        io_map.append((passthrough.name, image_input))
    head.ir_version = body.ir_version
    merged = onnx.compose.merge_models(body, head, io_map=io_map)
    onnx.checker.check_model(merged)
    return merged
