"""Export the trained fight classifier to one ONNX graph: features in, calibrated fight score out.

The graph ends with ``score = sigmoid(logit(p) - logit(threshold))``: the operating threshold
chosen on training data maps to 0.5, so the detector's and the event engine's default threshold
(0.5) is the operating point and a camera's ``sensitivity`` moves around it symmetrically.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np

from gwanje.detect.fight import MODEL_INPUT, MODEL_OUTPUT
from gwanje.detect.fight_features import FEATURE_VERSION, WINDOW_DIM


def export_onnx(classifier: Any, threshold: float, metadata: dict[str, str], path: Path) -> None:
    """Write the classifier with the threshold calibration and ``metadata`` as ONNX model properties."""
    import onnx
    from onnx import TensorProto, helper
    from skl2onnx import convert_sklearn
    from skl2onnx.common.data_types import FloatTensorType

    base = convert_sklearn(
        classifier,
        initial_types=[(MODEL_INPUT, FloatTensorType([None, WINDOW_DIM]))],
        options={id(classifier): {"zipmap": False}},
        target_opset={"": 17, "ai.onnx.ml": 3},
    )
    graph = base.graph
    graph.name = "gwanje_fight"  # skl2onnx picks a random name; a fixed one makes re-training byte-reproducible
    probabilities = next(o.name for o in graph.output if o.name == "probabilities")
    eps = 1e-6
    offset = math.log(threshold / (1.0 - threshold))
    graph.initializer.extend(
        [
            helper.make_tensor("fight_column", TensorProto.INT64, [], [1]),
            helper.make_tensor("eps_low", TensorProto.FLOAT, [], [eps]),
            helper.make_tensor("eps_high", TensorProto.FLOAT, [], [1.0 - eps]),
            helper.make_tensor("one", TensorProto.FLOAT, [], [1.0]),
            helper.make_tensor("logit_offset", TensorProto.FLOAT, [], [offset]),
        ]
    )
    graph.node.extend(
        [
            helper.make_node("Gather", [probabilities, "fight_column"], ["p_fight"], axis=1),
            helper.make_node("Clip", ["p_fight", "eps_low", "eps_high"], ["p_clipped"]),
            helper.make_node("Sub", ["one", "p_clipped"], ["p_other"]),
            helper.make_node("Div", ["p_clipped", "p_other"], ["odds"]),
            helper.make_node("Log", ["odds"], ["logit"]),
            helper.make_node("Sub", ["logit", "logit_offset"], ["shifted"]),
            helper.make_node("Sigmoid", ["shifted"], [MODEL_OUTPUT]),
        ]
    )
    del graph.output[:]
    graph.output.append(helper.make_tensor_value_info(MODEL_OUTPUT, TensorProto.FLOAT, [None]))
    props = {"feature_version": str(FEATURE_VERSION), "raw_threshold": f"{threshold:.4f}", **metadata}
    for key, value in props.items():
        entry = base.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(base)
    path.parent.mkdir(parents=True, exist_ok=True)
    onnx.save(base, str(path))


def calibrated(probability: np.ndarray[Any, Any], threshold: float) -> np.ndarray[Any, Any]:
    """What the exported graph computes from the classifier's fight probability (for equivalence tests)."""
    p = np.clip(probability.astype(np.float64), 1e-6, 1 - 1e-6)
    logit = np.log(p / (1 - p)) - math.log(threshold / (1 - threshold))
    return np.asarray(1.0 / (1.0 + np.exp(-logit)), np.float32)
