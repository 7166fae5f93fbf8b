"""ONNX Runtime sessions as every detector opens them: providers, thread counts, metadata, batching.

On the 2-core machines Gwanje targets, ONNX Runtime's defaults (one spinning worker thread per
core) starve the video decoders; sessions here use ``runtime.intra_op_threads`` threads, one
inter-op thread and no spin-waiting.

Example:
    >>> from gwanje.config.detectors import RuntimeConfig
    >>> model = OnnxModel(Path("detector.onnx"), RuntimeConfig(), name="my_detector")  # doctest: +SKIP
    >>> model.expect(inputs=1, input_rank=4)  # doctest: +SKIP
    >>> outputs = model.run_batch({model.inputs[0].name: batch})  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnxruntime as ort

from gwanje.config.detectors import RuntimeConfig
from gwanje.core.errors import ModelLoadError

log = logging.getLogger(__name__)

CPU_PROVIDER = "CPUExecutionProvider"
PACKAGED_MODELS = "models"
"""Folder of ``gwanje.detect`` holding the models shipped in the package."""

_ORT_TYPES: dict[str, type[np.generic]] = {
    "tensor(float)": np.float32,
    "tensor(float16)": np.float16,
    "tensor(double)": np.float64,
    "tensor(uint8)": np.uint8,
    "tensor(int8)": np.int8,
    "tensor(int32)": np.int32,
    "tensor(int64)": np.int64,
    "tensor(bool)": np.bool_,
}

_warned_providers: set[str] = set()
_warn_lock = threading.Lock()

Dim = int | str | None


@dataclass(frozen=True)
class TensorInfo:
    """Name, shape and element type of one model input or output.

    A dimension is an int when fixed, a string (symbolic name) or None when dynamic.
    """

    name: str
    shape: tuple[Dim, ...]
    dtype: np.dtype[Any]

    @property
    def batch_dynamic(self) -> bool:
        return bool(self.shape) and not isinstance(self.shape[0], int)

    def fixed(self, axis: int) -> int | None:
        """The size of ``axis`` when it is fixed, else None."""
        dim = self.shape[axis] if -len(self.shape) <= axis < len(self.shape) else None
        return dim if isinstance(dim, int) and dim > 0 else None


def available_providers(requested: Sequence[str]) -> list[str]:
    """The requested providers this onnxruntime build has, in order, always ending with the CPU provider.

    Each missing provider is logged once per process, however many models ask for it.
    """
    installed = set(ort.get_available_providers())
    chosen = [p for p in requested if p in installed]
    missing = [p for p in requested if p not in installed]
    with _warn_lock:
        new_missing = [p for p in missing if p not in _warned_providers]
        _warned_providers.update(new_missing)
    if new_missing:
        log.warning(
            "ONNX Runtime execution providers %s are not available in this installation (available: %s); "
            "using the others, with the CPU as the last resort",
            new_missing,
            sorted(installed),
        )
    if CPU_PROVIDER not in chosen:
        chosen.append(CPU_PROVIDER)
    return chosen


def session_options(runtime: RuntimeConfig) -> ort.SessionOptions:
    """Thread settings that leave cores to the decoders (see the module docstring)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = runtime.intra_op_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    return options


def packaged_model(filename: str) -> Path:
    """Path of a model shipped in the package (``src/gwanje/detect/models/<filename>``)."""
    resource = resources.files("gwanje.detect").joinpath(PACKAGED_MODELS, filename)
    if not resource.is_file():
        raise ModelLoadError(
            f"the packaged model {filename!r} is not installed (looked in {resource}); reinstall gwanje, "
            "or set model_path in the detector's configuration to your copy of the model"
        )
    if not isinstance(resource, Path):
        raise ModelLoadError(
            f"the packaged model {filename!r} is inside an archive ({resource}); install gwanje as files, "
            "or set model_path in the detector's configuration"
        )
    return resource


def _tensor_info(arg: Any) -> TensorInfo:
    shape = tuple(d if isinstance(d, int | str) or d is None else None for d in (arg.shape or ()))
    dtype = np.dtype(_ORT_TYPES.get(arg.type, np.float32))
    return TensorInfo(name=arg.name, shape=shape, dtype=dtype)


class OnnxModel:
    """One ONNX Runtime session with its input/output metadata.

    ``run`` is safe to call from one thread at a time per model (the inference worker's thread);
    ONNX Runtime sessions are themselves thread safe, so concurrent calls are allowed but compete
    for the same threads.
    """

    def __init__(self, path: Path, runtime: RuntimeConfig, name: str) -> None:
        self.name = name
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelLoadError(
                f"model file for {name!r} not found: {self.path}; check model_path in the detector configuration"
            )
        self.providers_requested = list(runtime.providers)
        try:
            self._session: ort.InferenceSession | None = ort.InferenceSession(
                str(self.path),
                sess_options=session_options(runtime),
                providers=available_providers(runtime.providers),
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors for corrupt or unsupported files
            raise ModelLoadError(
                f"cannot load the ONNX model of {name!r} from {self.path}: {exc}; "
                "the file must be a valid ONNX model (opset supported by onnxruntime "
                f"{ort.__version__})"
            ) from exc
        session = self._session
        self.providers: list[str] = list(session.get_providers())
        self.inputs: tuple[TensorInfo, ...] = tuple(_tensor_info(i) for i in session.get_inputs())
        self.outputs: tuple[TensorInfo, ...] = tuple(_tensor_info(o) for o in session.get_outputs())
        self.metadata: dict[str, str] = dict(session.get_modelmeta().custom_metadata_map)
        """The model's custom metadata (key/value strings written at export, e.g. a feature version)."""
        self._input_by_name = {i.name: i for i in self.inputs}
        log.info(
            "loaded model %s from %s (providers %s, inputs %s, outputs %s)",
            name,
            self.path,
            self.providers,
            [(i.name, i.shape) for i in self.inputs],
            [(o.name, o.shape) for o in self.outputs],
        )

    @property
    def input(self) -> TensorInfo:
        """The first input (most detectors have exactly one)."""
        return self.inputs[0]

    @property
    def batch_dynamic(self) -> bool:
        """True when every input accepts any batch size, so one call can run a whole batch."""
        return all(i.batch_dynamic for i in self.inputs)

    def expect(
        self,
        inputs: int | None = None,
        input_rank: int | None = None,
        outputs: int | Sequence[int] | None = None,
        what: str = "",
    ) -> None:
        """Check the model's interface; raise ModelLoadError naming the file and what was expected.

        ``outputs`` is an exact count or a list of allowed counts; ``what`` describes the expected
        model in the message (for example "a YOLO detector with one output").
        """
        problems: list[str] = []
        if inputs is not None and len(self.inputs) != inputs:
            problems.append(f"{inputs} input(s), found {len(self.inputs)}: {[i.name for i in self.inputs]}")
        if input_rank is not None and self.inputs and len(self.input.shape) != input_rank:
            problems.append(f"a rank-{input_rank} first input, found shape {list(self.input.shape)}")
        allowed = [outputs] if isinstance(outputs, int) else list(outputs or [])
        if allowed and len(self.outputs) not in allowed:
            problems.append(
                f"{' or '.join(map(str, allowed))} output(s), found {len(self.outputs)}: "
                f"{[(o.name, list(o.shape)) for o in self.outputs]}"
            )
        if problems:
            expected = f" ({what})" if what else ""
            raise ModelLoadError(
                f"model {self.path} of detector {self.name!r} does not have the expected interface{expected}: "
                + "; ".join(f"expected {p}" for p in problems)
            )

    def run(self, inputs: dict[str, npt.NDArray[Any]]) -> list[npt.NDArray[Any]]:
        """One inference call; arrays are cast to the input's element type when they differ."""
        feed: dict[str, npt.NDArray[Any]] = {}
        for key, value in inputs.items():
            info = self._input_by_name.get(key)
            if info is None:
                raise ValueError(f"model {self.name!r} has no input named {key!r}; inputs: {list(self._input_by_name)}")
            feed[key] = value if value.dtype == info.dtype else value.astype(info.dtype)
        missing = set(self._input_by_name) - set(feed)
        if missing:
            raise ValueError(f"model {self.name!r} needs inputs {sorted(missing)} as well")
        if self._session is None:
            raise RuntimeError(f"model {self.name!r} was closed")
        try:
            results = self._session.run(None, feed)
        except Exception as exc:  # onnxruntime's errors carry no useful type; add which model failed
            shapes = {k: v.shape for k, v in feed.items()}
            raise RuntimeError(
                f"inference of model {self.name!r} ({self.path}) failed for inputs {shapes}: {exc}"
            ) from exc
        return [np.asarray(o) for o in results]

    def run_batch(self, inputs: dict[str, npt.NDArray[Any]]) -> list[npt.NDArray[Any]]:
        """Run N samples stacked along axis 0 of every input; outputs are stacked along axis 0 too.

        One call when the model's batch dimension is dynamic; otherwise calls of the model's fixed
        batch size, the last padded with zeros and trimmed from the outputs.
        """
        sizes = {v.shape[0] for v in inputs.values()}
        if len(sizes) != 1:
            raise ValueError(f"run_batch of {self.name!r} needs the same batch size for every input, got {sizes}")
        count = sizes.pop()
        if self.batch_dynamic or count == 0:
            return self.run(inputs)
        step = min(i.fixed(0) or 1 for i in self.inputs)
        parts: list[list[npt.NDArray[Any]]] = []
        for start in range(0, count, step):
            chunk = {k: v[start : start + step] for k, v in inputs.items()}
            real = next(iter(chunk.values())).shape[0]
            if real < step:
                chunk = {k: _pad_batch(v, step) for k, v in chunk.items()}
            parts.append([o[:real] for o in self.run(chunk)])
        return [np.concatenate([p[i] for p in parts], axis=0) for i in range(len(parts[0]))]

    def close(self) -> None:
        """Drop the session (ONNX Runtime frees it when the last reference goes)."""
        self._session = None


def _pad_batch(value: npt.NDArray[Any], size: int) -> npt.NDArray[Any]:
    pad = np.zeros((size - value.shape[0], *value.shape[1:]), dtype=value.dtype)
    return np.concatenate([value, pad], axis=0)
