"""One inference thread per detector, batching frames of every camera that uses it.

Cameras call ``submit(frame)`` and wait on the returned future. The worker takes the first
waiting frame, gathers more for at most ``max_wait_s`` (up to ``max_batch``), runs one
``detector.detect(batch)`` and resolves the futures. On a single CPU core batching mostly saves
per-call overhead; with a GPU provider it is what keeps the device busy.

Overload policy: the queue is bounded. When it is full, ``submit`` returns a future that has
already failed with ``InferenceQueueFull`` (counted in ``stats().rejected``); nothing waiting is
dropped. The caller (a camera loop) then skips that frame, just as it skips frames when
analysis falls behind decoding, so one slow detector delays no camera indefinitely and memory
stays bounded.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass

from gwanje.config.detectors import RuntimeConfig
from gwanje.core.detections import Detections
from gwanje.core.errors import GwanjeError
from gwanje.core.frame import Frame
from gwanje.detect.base import Detector

log = logging.getLogger(__name__)

DEFAULT_MAX_WAIT_S = 0.004
"""How long the first frame of a batch waits for company: a few ms, well under one frame interval."""


class InferenceQueueFull(GwanjeError):
    """The detector's queue is full: inference is slower than the cameras deliver frames."""


class InferenceStopped(GwanjeError):
    """The worker was closed before it ran this frame."""


@dataclass(frozen=True)
class InferenceStats:
    """Counters of one worker, for /metrics and the health page."""

    detector: str
    batches: int
    frames: int
    failed_batches: int
    failed_frames: int
    rejected: int
    """Frames refused because the queue was full."""
    queue_depth: int
    busy_s: float
    """Total time spent inside ``detector.detect``."""

    @property
    def mean_batch(self) -> float:
        return self.frames / self.batches if self.batches else 0.0

    @property
    def ms_per_frame(self) -> float:
        done = self.frames + self.failed_frames
        return 1000.0 * self.busy_s / done if done else 0.0


_Request = tuple[Frame, "Future[Detections]"]


class InferenceWorker:
    """Runs one Detector on its own thread; starts on construction, stops with ``close()``.

    Example:
        >>> worker = InferenceWorker(detector, max_batch=4)  # doctest: +SKIP
        >>> detections = worker.submit(frame).result(timeout=5)  # doctest: +SKIP
    """

    def __init__(
        self,
        detector: Detector,
        max_batch: int = 4,
        max_wait_s: float = DEFAULT_MAX_WAIT_S,
        queue_size: int | None = None,
    ) -> None:
        if max_batch < 1:
            raise ValueError(f"max_batch must be at least 1, got {max_batch}")
        self.detector = detector
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self._queue: queue.Queue[_Request | None] = queue.Queue(maxsize=queue_size or max(16, 4 * max_batch))
        self._lock = threading.Lock()
        self._closed = False
        self._failing = False
        self._batches = self._frames = self._failed_batches = self._failed_frames = self._rejected = 0
        self._busy_s = 0.0
        self._thread = threading.Thread(target=self._loop, name=f"inference-{detector.name}", daemon=True)
        self._thread.start()

    @classmethod
    def for_runtime(cls, detector: Detector, runtime: RuntimeConfig) -> InferenceWorker:
        """A worker batching as the detector's ``runtime`` section says."""
        return cls(detector, max_batch=runtime.max_batch, max_wait_s=runtime.batch_wait_ms / 1000.0)

    @property
    def name(self) -> str:
        return self.detector.name

    def submit(self, frame: Frame) -> Future[Detections]:
        """Queue one frame; the future resolves to its detections or fails with the batch's error."""
        future: Future[Detections] = Future()
        if self._closed:
            future.set_exception(InferenceStopped(f"inference worker {self.name!r} is closed"))
            return future
        try:
            self._queue.put_nowait((frame, future))
        except queue.Full:
            with self._lock:
                self._rejected += 1
            future.set_exception(
                InferenceQueueFull(
                    f"inference queue of detector {self.name!r} is full ({self._queue.maxsize} frames waiting); "
                    f"frame {frame.seq} of camera {frame.camera_id} was not analysed"
                )
            )
        return future

    def stats(self) -> InferenceStats:
        with self._lock:
            return InferenceStats(
                detector=self.name,
                batches=self._batches,
                frames=self._frames,
                failed_batches=self._failed_batches,
                failed_frames=self._failed_frames,
                rejected=self._rejected,
                queue_depth=self._queue.qsize(),
                busy_s=self._busy_s,
            )

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after the batch in progress; frames still queued fail with InferenceStopped."""
        if self._closed:
            return
        self._closed = True
        self._fail_queued()
        try:
            self._queue.put(None, timeout=timeout)
        except queue.Full:
            log.warning("inference worker %s did not take its stop request within %.1f s", self.name, timeout)
        self._thread.join(timeout)
        self._fail_queued()

    def _fail_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                item[1].set_exception(InferenceStopped(f"inference worker {self.name!r} stopped before this frame"))

    def _collect(self, first: _Request) -> tuple[list[_Request], bool]:
        """The first request plus whatever arrives within ``max_wait_s``; True when a stop was seen."""
        batch = [first]
        deadline = time.monotonic() + self.max_wait_s
        while len(batch) < self.max_batch:
            remaining = deadline - time.monotonic()
            try:
                item = self._queue.get(timeout=remaining) if remaining > 0 else self._queue.get_nowait()
            except queue.Empty:
                break
            if item is None:
                return batch, True
            batch.append(item)
        return batch, False

    def _loop(self) -> None:
        stop = False
        while not stop:
            first = self._queue.get()
            if first is None:
                return
            batch, stop = self._collect(first)
            live = [(frame, fut) for frame, fut in batch if fut.set_running_or_notify_cancel()]
            if live:
                self._run([frame for frame, _ in live], [fut for _, fut in live])

    def _run(self, frames: list[Frame], futures: list[Future[Detections]]) -> None:
        started = time.perf_counter()
        try:
            results = self.detector.detect(frames)
            if len(results) != len(frames):
                raise RuntimeError(
                    f"detector {self.name!r} returned {len(results)} results for a batch of {len(frames)} frames"
                )
        except Exception as exc:
            self._account(started, len(frames), failed=True)
            if not self._failing:
                log.exception("inference of detector %s failed on a batch of %d frames", self.name, len(frames))
                self._failing = True
            for fut in futures:
                fut.set_exception(exc)
            return
        self._account(started, len(frames), failed=False)
        if self._failing:
            log.info("inference of detector %s works again", self.name)
            self._failing = False
        for fut, result in zip(futures, results, strict=True):
            fut.set_result(result)

    def _account(self, started: float, count: int, failed: bool) -> None:
        with self._lock:
            self._busy_s += time.perf_counter() - started
            if failed:
                self._failed_batches += 1
                self._failed_frames += count
            else:
                self._batches += 1
                self._frames += count
