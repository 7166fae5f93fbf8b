"""InferenceWorker with a test double of our own Detector protocol; ordering is forced with events, not sleeps."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence

import numpy as np
import pytest

from gwanje.config.detectors import RuntimeConfig
from gwanje.core.detections import Detections
from gwanje.core.frame import Frame
from gwanje.detect.base import LabelKind, Produces
from gwanje.runtime.inference import InferenceQueueFull, InferenceStopped, InferenceWorker

WAIT = 10.0


def _frame(seq: int, camera: str = "cam") -> Frame:
    return Frame(camera, seq, seq / 10, 0.0, np.zeros((4, 4, 3), np.uint8))


class GatedDetector:
    """Blocks inside detect() until released, so a test can queue frames behind a running batch."""

    name = "gated"
    produces = Produces({"thing": LabelKind.OBJECT})

    def __init__(self, fail_on: set[int] | None = None) -> None:
        self.batches: list[list[int]] = []
        self.entered = threading.Event()
        self.release = threading.Event()
        self.fail_on = fail_on or set()

    def detect(self, frames: Sequence[Frame]) -> list[Detections]:
        self.batches.append([f.seq for f in frames])
        self.entered.set()
        assert self.release.wait(WAIT)
        if self.fail_on & {f.seq for f in frames}:
            raise ValueError("bad batch")
        return [Detections.from_arrays([[0, 0, 1, 1]], [f.seq / 100], "thing") for f in frames]

    def close(self) -> None:
        pass


def test_frames_waiting_behind_a_batch_run_together() -> None:
    det = GatedDetector()
    worker = InferenceWorker(det, max_batch=4, max_wait_s=0.0)
    try:
        first = worker.submit(_frame(1))
        assert det.entered.wait(WAIT)
        rest = [worker.submit(_frame(i, camera=f"cam{i}")) for i in range(2, 7)]
        det.release.set()
        results = [first.result(WAIT)] + [f.result(WAIT) for f in rest]
        assert [float(r.confidence[0]) for r in results] == pytest.approx([i / 100 for i in range(1, 7)])
        assert det.batches == [[1], [2, 3, 4, 5], [6]]
        stats = worker.stats()
        assert (stats.batches, stats.frames, stats.rejected) == (3, 6, 0)
        assert stats.mean_batch == 2.0
        assert stats.ms_per_frame > 0
    finally:
        worker.close()


def test_full_queue_fails_the_new_frame_and_counts_it() -> None:
    det = GatedDetector()
    worker = InferenceWorker(det, max_batch=1, max_wait_s=0.0, queue_size=2)
    try:
        running = worker.submit(_frame(1))
        assert det.entered.wait(WAIT)
        queued = [worker.submit(_frame(2)), worker.submit(_frame(3))]
        refused = worker.submit(_frame(4))
        with pytest.raises(InferenceQueueFull, match=r"queue of detector 'gated' is full.*frame 4 of camera cam"):
            refused.result(0)
        det.release.set()
        assert running.result(WAIT) is not None
        assert all(len(f.result(WAIT)) == 1 for f in queued)
        assert worker.stats().rejected == 1
    finally:
        worker.close()


def test_a_failing_batch_fails_only_its_frames_and_logs_once(caplog: pytest.LogCaptureFixture) -> None:
    det = GatedDetector(fail_on={1, 2})
    det.release.set()
    worker = InferenceWorker(det, max_batch=1, max_wait_s=0.0)
    try:
        with caplog.at_level(logging.INFO, logger="gwanje.runtime.inference"):
            bad = [worker.submit(_frame(1)), worker.submit(_frame(2))]
            for fut in bad:
                with pytest.raises(ValueError, match="bad batch"):
                    fut.result(WAIT)
            assert len(worker.submit(_frame(3)).result(WAIT)) == 1
        failures = [r for r in caplog.records if "failed on a batch" in r.getMessage()]
        recoveries = [r for r in caplog.records if "works again" in r.getMessage()]
        assert (len(failures), len(recoveries)) == (1, 1)
        stats = worker.stats()
        assert (stats.failed_batches, stats.failed_frames, stats.frames) == (2, 2, 1)
    finally:
        worker.close()


def test_wrong_number_of_results_is_an_error() -> None:
    class Short(GatedDetector):
        def detect(self, frames: Sequence[Frame]) -> list[Detections]:
            return []

    worker = InferenceWorker(Short(), max_batch=1)
    try:
        with pytest.raises(RuntimeError, match="returned 0 results for a batch of 1"):
            worker.submit(_frame(1)).result(WAIT)
    finally:
        worker.close()


def test_close_fails_what_is_still_queued_and_refuses_new_frames() -> None:
    det = GatedDetector()
    worker = InferenceWorker(det, max_batch=1, max_wait_s=0.0)
    running = worker.submit(_frame(1))
    assert det.entered.wait(WAIT)
    queued = worker.submit(_frame(2))
    closer = threading.Thread(target=worker.close)
    closer.start()
    with pytest.raises(InferenceStopped):
        queued.result(WAIT)
    det.release.set()
    closer.join(WAIT)
    assert len(running.result(WAIT)) == 1
    with pytest.raises(InferenceStopped, match="closed"):
        worker.submit(_frame(3)).result(0)


def test_cancelled_frames_are_skipped() -> None:
    det = GatedDetector()
    worker = InferenceWorker(det, max_batch=4, max_wait_s=0.0)
    try:
        first = worker.submit(_frame(1))
        assert det.entered.wait(WAIT)
        dropped = worker.submit(_frame(2))
        kept = worker.submit(_frame(3))
        assert dropped.cancel()
        det.release.set()
        first.result(WAIT)
        kept.result(WAIT)
        assert det.batches == [[1], [3]]
    finally:
        worker.close()


def test_for_runtime_uses_the_config() -> None:
    worker = InferenceWorker.for_runtime(GatedDetector(), RuntimeConfig(max_batch=8, batch_wait_ms=2))
    try:
        assert (worker.max_batch, worker.max_wait_s) == (8, 0.002)
    finally:
        worker.close()
