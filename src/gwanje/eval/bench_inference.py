"""`gwanje bench inference`: cost of a shipped ONNX model, directly and through the batching InferenceWorker.

    gwanje bench inference [--model nanodet-g-416-person-ft.onnx] [--cameras 4] [--frames 40] [--threads 1]

Prints ms per frame called directly, then with --cameras threads submitting frames to one
InferenceWorker (as cameras do), with the worker's mean batch size and queue rejections.
"""

from __future__ import annotations

import argparse
import threading
import time
from collections.abc import Sequence

import numpy as np

from gwanje.config.detectors import RuntimeConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import Produces
from gwanje.detect.onnx_session import OnnxModel, packaged_model
from gwanje.detect.ops import letterbox, to_tensor
from gwanje.detect.person import MODEL_FILE
from gwanje.runtime.inference import InferenceQueueFull, InferenceWorker


class ModelOnly:
    """Letterbox + one model call per frame, no decoding: isolates runtime and batching costs."""

    produces = Produces()
    """Nothing: it only pays for the model call."""

    def __init__(self, model: OnnxModel) -> None:
        self.model = model
        self.name = model.name
        shape = model.input.shape
        self.size = (int(shape[3] or 416), int(shape[2] or 416))

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        batch = to_tensor([letterbox(f.image, self.size)[0] for f in frames])
        self.model.run_batch({self.model.input.name: batch})
        return [Detections.empty() for _ in frames]

    def close(self) -> None:
        self.model.close()


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = __doc__
    parser.formatter_class = argparse.RawDescriptionHelpFormatter
    parser.add_argument("--model", default=MODEL_FILE)
    parser.add_argument("--cameras", type=int, default=4)
    parser.add_argument("--frames", type=int, default=40, help="frames per camera")
    parser.add_argument("--threads", type=int, default=1, help="intra_op_threads")


def run(args: argparse.Namespace) -> int:
    runtime = RuntimeConfig(intra_op_threads=args.threads, max_batch=args.cameras)
    detector = ModelOnly(OnnxModel(packaged_model(args.model), runtime, args.model))
    image = np.random.default_rng(0).integers(0, 255, (720, 1280, 3), dtype=np.uint8)
    frame = Frame("bench", 0, 0.0, 0.0, image)
    detector.detect([frame])  # warm-up
    t0 = time.perf_counter()
    for _ in range(args.frames):
        detector.detect([frame])
    direct_ms = 1000 * (time.perf_counter() - t0) / args.frames
    worker = InferenceWorker.for_runtime(detector, runtime)
    rejected = 0

    def camera(index: int) -> None:
        nonlocal rejected
        for seq in range(args.frames):
            try:
                worker.submit(Frame(f"cam{index}", seq, seq / 10, 0.0, image)).result(timeout=60)
            except InferenceQueueFull:
                rejected += 1

    threads = [threading.Thread(target=camera, args=(i,)) for i in range(args.cameras)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall_ms = 1000 * (time.perf_counter() - t0) / (args.frames * args.cameras)
    stats = worker.stats()
    worker.close()
    print(f"model {args.model}, input {detector.size}, batch dim dynamic: {detector.model.batch_dynamic}")
    print(f"intra_op_threads {args.threads}; 1280x720 frames")
    print(f"direct: {direct_ms:.1f} ms per frame")
    print(
        f"worker, {args.cameras} camera threads: {wall_ms:.1f} ms per frame (wall), {stats.ms_per_frame:.1f} ms "
        f"per frame inside detect, mean batch {stats.mean_batch:.2f}, rejected {rejected}"
    )
    return 0
