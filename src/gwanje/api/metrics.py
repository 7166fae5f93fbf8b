"""Prometheus metrics, computed at scrape time from the pipeline's counters and the database.

A custom collector on a per-app registry: nothing global, so several apps (tests) never share
or double-register metrics.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

from prometheus_client import CollectorRegistry
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from gwanje.api.context import ApiContext
from gwanje.core.errors import StorageError
from gwanje.core.health import StreamState

log = logging.getLogger(__name__)

_COUNTERS: tuple[tuple[str, str, str], ...] = (
    ("frames_decoded", "gwanje_camera_frames_decoded", "Frames decoded from the camera."),
    ("frames_analyzed", "gwanje_camera_frames_analyzed", "Frames the detectors analysed."),
    ("frames_skipped", "gwanje_camera_frames_skipped", "Frames dropped because analysis fell behind."),
    ("frames_motion_skipped", "gwanje_camera_frames_motion_skipped", "Frames the motion gate kept away."),
    ("corrupt_frames", "gwanje_camera_corrupt_frames", "Frames that failed to decode."),
    ("reconnects", "gwanje_camera_reconnects", "Times the source was reopened."),
)


class GwanjeCollector(Collector):
    """Per-camera stream gauges and counters, event totals and live-stream figures."""

    def __init__(self, ctx: ApiContext) -> None:
        self._ctx = ctx

    def collect(self) -> Iterator[Metric]:
        yield from self._cameras()
        yield from self._cluster()
        yield from self._detectors()
        yield from self._events()
        yield GaugeMetricFamily(
            "gwanje_alerts_pending", "Alert messages stored and not yet delivered.", value=self._ctx.alerts_pending()
        )
        live = self._ctx.broadcaster
        yield GaugeMetricFamily("gwanje_live_clients", "Connected live-stream clients.", value=live.clients)
        yield CounterMetricFamily(
            "gwanje_live_dropped", "Live messages dropped for clients too slow to read them.", value=live.dropped
        )

    def _cameras(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("gwanje_camera_up", "1 while frames arrive (state live).", labels=["camera"])
        state = GaugeMetricFamily(
            "gwanje_camera_state", "1 for the camera's current state.", labels=["camera", "state"]
        )
        decoded = GaugeMetricFamily("gwanje_camera_decoded_fps", "Frames decoded per second.", labels=["camera"])
        analyzed = GaugeMetricFamily("gwanje_camera_analyzed_fps", "Frames analysed per second.", labels=["camera"])
        last = GaugeMetricFamily(
            "gwanje_camera_last_frame_timestamp_seconds", "UNIX time of the latest frame.", labels=["camera"]
        )
        counters = {attr: CounterMetricFamily(name, text, labels=["camera"]) for attr, name, text in _COUNTERS}
        stage_cpu = CounterMetricFamily(
            "gwanje_camera_stage_cpu_seconds",
            "CPU seconds the camera's analysis thread spent in each pipeline stage (rate: share of a core). A "
            "detector run by the inference worker counts in gwanje_detector_busy_seconds instead.",
            labels=["camera", "stage"],
        )
        for stats in self._ctx.camera_status():
            cam = [stats.camera_id]
            up.add_metric(cam, 1.0 if stats.state is StreamState.LIVE else 0.0)
            for s in StreamState:
                state.add_metric([stats.camera_id, s.value], 1.0 if stats.state is s else 0.0)
            decoded.add_metric(cam, stats.decoded_fps)
            analyzed.add_metric(cam, stats.analyzed_fps)
            if stats.last_frame_time is not None:
                last.add_metric(cam, stats.last_frame_time)
            for attr, family in counters.items():
                family.add_metric(cam, float(getattr(stats, attr)))
            for stage, seconds in stats.stage_cpu_s.items():
                stage_cpu.add_metric([stats.camera_id, stage], seconds)
        yield from (up, state, decoded, analyzed, last, *counters.values(), stage_cpu)

    def _cluster(self) -> Iterator[Metric]:
        """Cluster mode only: nodes, where each camera runs, restarts after node loss and moves."""
        status = self._ctx.cluster_status()
        if status is None:
            return
        nodes = GaugeMetricFamily("gwanje_cluster_node_up", "1 while the Ray node is alive.", labels=["node"])
        cpus = GaugeMetricFamily("gwanje_cluster_node_cpus", "Logical CPUs the node offers.", labels=["node"])
        cameras = GaugeMetricFamily("gwanje_cluster_node_cameras", "Cameras the node analyses.", labels=["node"])
        for node in status.nodes:
            nodes.add_metric([node.node_id], 1.0 if node.alive else 0.0)
            cpus.add_metric([node.node_id], node.cpus)
            cameras.add_metric([node.node_id], float(len(node.cameras)))
        placed = GaugeMetricFamily(
            "gwanje_camera_node", "1 on the node that analyses the camera.", labels=["camera", "node"]
        )
        for camera, node_id in status.placement.items():
            if node_id is not None:
                placed.add_metric([camera, node_id], 1.0)
        restarts = CounterMetricFamily(
            "gwanje_cluster_camera_restarts", "Cameras restarted on another node after their node was lost."
        )
        restarts.add_metric([], float(status.restarts))
        moves = CounterMetricFamily("gwanje_cluster_camera_moves", "Cameras moved to balance the nodes' load.")
        moves.add_metric([], float(status.moves))
        yield from (nodes, cpus, cameras, placed, restarts, moves)

    def _detectors(self) -> Iterator[Metric]:
        frames = CounterMetricFamily("gwanje_detector_frames", "Frames a detector analysed.", labels=["detector"])
        batches = CounterMetricFamily(
            "gwanje_detector_batches", "Model calls (batches of frames).", labels=["detector"]
        )
        rejected = CounterMetricFamily(
            "gwanje_detector_rejected_frames",
            "Frames refused because the inference queue was full.",
            labels=["detector"],
        )
        failed = CounterMetricFamily("gwanje_detector_failed_frames", "Frames whose batch failed.", labels=["detector"])
        busy = CounterMetricFamily(
            "gwanje_detector_busy_seconds",
            "Time spent inside the detector (cost per frame = busy / frames).",
            labels=["detector"],
        )
        queue = GaugeMetricFamily(
            "gwanje_detector_queue_depth", "Frames waiting for the detector.", labels=["detector"]
        )
        for st in self._ctx.inference_status():
            name = [st.detector]
            frames.add_metric(name, float(st.frames))
            batches.add_metric(name, float(st.batches))
            rejected.add_metric(name, float(st.rejected))
            failed.add_metric(name, float(st.failed_frames))
            busy.add_metric(name, st.busy_s)
            queue.add_metric(name, float(st.queue_depth))
        yield from (frames, batches, rejected, failed, busy, queue)

    def _events(self) -> Iterator[Metric]:
        db_up = GaugeMetricFamily("gwanje_database_up", "1 when the database answered this scrape.")
        try:
            totals = self._ctx.store.event_totals()
        except StorageError as exc:
            log.warning("metrics: cannot read event totals: %s", exc)
            db_up.add_metric([], 0.0)
            yield db_up
            return
        db_up.add_metric([], 1.0)
        yield db_up
        events = CounterMetricFamily("gwanje_events", "Events stored, by camera and type.", labels=["camera", "type"])
        for (camera, event_type), n in sorted(totals.items()):
            events.add_metric([camera, event_type], float(n))
        yield events


def build_registry(ctx: ApiContext) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(GwanjeCollector(ctx))
    return registry
