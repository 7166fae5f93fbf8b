"""The head's view of a Ray cluster: one actor per enabled camera, collected, restarted and rebalanced.

``ClusterRegistry`` offers what ``runtime.registry.CameraRegistry`` offers the service and the API (cameras,
their changes at run time, status, latest frame), with each camera in a Ray actor (``runtime.cluster.actor``)
that asks for ``camera_cpus`` logical CPUs, so Ray places it on a node with free CPU (spread over the nodes).

A supervisor thread collects every actor's reports a few times a second and applies them to the head's one
sink (store, outbox, live stream). It watches for loss: when an actor dies or its node is gone, the camera's
open events end (``node_lost``) and a new actor starts on a node that is alive, at once. When a node joins,
cameras move to it one at a time until the nodes differ by at most one camera: the new actor starts and
analyses frames before the old one stops (its open events end as ``camera_moved``), so no frame goes
unwatched, although for a moment both analyse the camera.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

import ray
from ray.exceptions import ActorUnavailableError, GetTimeoutError, RayActorError, RayError
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from gwanje.config.camera import CameraConfig
from gwanje.config.managed import ManagedCameras
from gwanje.core.errors import ConfigError
from gwanje.core.events import EndReason
from gwanje.core.health import StreamState, StreamStats
from gwanje.core.secrets import mask_url
from gwanje.runtime.cluster.actor import CameraActor, Poll
from gwanje.runtime.cluster.reports import ReportApplier
from gwanje.runtime.cluster.status import ClusterStatus, NodeStatus
from gwanje.runtime.inference import InferenceWorker
from gwanje.runtime.sink import EventSink

log = logging.getLogger(__name__)

START_TIMEOUT_S = 120.0
"""A camera moving to a new node whose actor has not answered by then stays where it was."""
STOP_TIMEOUT_S = 15.0
CLIENT_SCHEME = "ray://"
CLIENT_JOIN_ATTEMPTS = 2


def _check_reachable(address: str) -> None:
    """Fail fast with a clear error when the head's HOST:PORT or Ray Client's ray://HOST:PORT does not answer
    (``ray.init`` retries for minutes). ``auto`` is left to Ray (it finds the address on this machine)."""
    if address == "auto":
        return
    host, _, port = address.removeprefix(CLIENT_SCHEME).rpartition(":")
    if "://" in host or not host or not port.isdigit():
        raise ConfigError(f"--cluster {address!r}: expected HOST:PORT of the Ray head, ray://HOST:PORT or auto")
    try:
        with socket.create_connection((host, int(port)), timeout=5.0):
            pass
    except OSError as exc:
        raise ConfigError(
            f"cannot reach the Ray head at {address}: {exc} (start it with `gwanje worker --head`, docs/cluster.md)"
        ) from None


def _join(address: str) -> None:
    """Join the cluster: as a Ray driver, or for ``ray://`` as a Ray Client; a failure is a clear error.

    Ray Client's server on the head forks a process for each new connection, and on a head started without
    ``gwanje worker``'s environment (plain ``ray start``) that process sometimes crashes as it starts (see
    ``cli.worker.ray_environment``); Ray Client then fails the connection after waiting 30 s for it. A second
    connection gets a new process, so a ``ray://`` join is tried ``CLIENT_JOIN_ATTEMPTS`` times."""
    _check_reachable(address)
    attempts = CLIENT_JOIN_ATTEMPTS if address.startswith(CLIENT_SCHEME) else 1
    for attempt in range(1, attempts + 1):
        try:
            ray.init(address=address, namespace="gwanje", logging_level=logging.WARNING)
            return
        except ConnectionError as exc:  # Ray Client has closed its half-made connection
            if attempt == attempts:
                raise ConfigError(f"cannot join the Ray cluster at {address}: {exc}") from None
            log.warning("cluster %s: joining failed (%s); trying again", address, str(exc).strip().splitlines()[-1])
        except (RuntimeError, ValueError) as exc:
            raise ConfigError(f"cannot join the Ray cluster at {address}: {exc}") from None


@dataclass
class _Slot:
    camera: CameraConfig
    key: str
    handle: Any
    started: float
    pending: Any = None
    answered: float | None = None
    stats: StreamStats | None = None
    node_id: str | None = None


class ClusterRegistry:
    """Cameras as Ray actors; changes are serialised, reads are cheap (copies of the last collection)."""

    def __init__(
        self,
        managed: ManagedCameras,
        sink: EventSink,
        address: str,
        camera_cpus: float = 1.0,
        poll_s: float = 0.25,
        lost_after_s: float = 5.0,
        rebalance: bool = True,
    ) -> None:
        self.managed = managed
        self.address = address
        self.inference: dict[str, InferenceWorker] = {}
        """Inference runs inside the camera actors; the head has none."""
        self._sink = sink
        self._applier = ReportApplier(sink)
        self._cpus = camera_cpus
        self._poll_s = poll_s
        self._lost_after_s = lost_after_s
        self._rebalance = rebalance
        self._lock = threading.RLock()
        self._slots: dict[str, _Slot] = {}
        self._incoming: dict[str, _Slot] = {}
        """Cameras being moved: the new actor, until it answers (then the old one stops)."""
        self._waiting: dict[str, tuple[CameraConfig, float, str]] = {}
        """Cameras whose actor failed before it ever answered: (configuration, when to try again, why)."""
        self._failures: dict[str, int] = {}
        self._generation = 0
        self._restarts: dict[str, int] = {}
        self._moves = 0
        self._nodes: list[NodeStatus] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="cluster-supervisor", daemon=True)
        self._remote: Any = None

    # ---- the CameraRegistry interface -----------------------------------------------------------

    def cameras(self) -> list[CameraConfig]:
        return self.managed.cameras()

    def start(self) -> None:
        """Join the cluster, start an actor per enabled camera and the supervisor."""
        if not ray.is_initialized():
            _join(self.address)
            if self.address == "auto":  # show which cluster Ray found (RAY_ADDRESS, or this machine's node)
                self.address = str(ray.get_runtime_context().gcs_address)
        self._remote = ray.remote(CameraActor)
        with self._lock:
            self._nodes = self._read_nodes()
            log.info(
                "cluster %s: %d node(s) alive, %.0f CPU(s) for cameras",
                self.address,
                sum(n.alive for n in self._nodes),
                sum(n.cpus for n in self._nodes if n.alive),
            )
            for cam in self.cameras():
                self._remember(cam)
                if cam.enabled:
                    self._launch(cam)
        self._thread.start()

    def stop(self) -> None:
        """Stop the supervisor, then every camera together (their open events end and are stored)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10.0)
        with self._lock:
            slots = [*self._slots.values(), *self._incoming.values()]
            self._slots.clear()
            self._incoming.clear()
            self._stop_slots(slots, EndReason.FLUSH)
        ray.shutdown()

    def add(self, camera: CameraConfig) -> None:
        with self._lock:
            self.managed.add(camera)
            self._remember(camera)
            log.info("camera %s: added (%s)", camera.id, mask_url(camera.source.url))
            if camera.enabled:
                self._launch(camera)

    def update(self, camera: CameraConfig) -> None:
        with self._lock:
            self.managed.update(camera)
            self._drop(camera.id, EndReason.CAMERA_CHANGED)
            self._remember(camera)
            log.info("camera %s: changed, %s", camera.id, "restarting" if camera.enabled else "disabled")
            if camera.enabled:
                self._launch(camera)

    def delete(self, camera_id: str) -> None:
        with self._lock:
            old = self.managed.delete(camera_id)
            self._drop(camera_id, EndReason.CAMERA_CHANGED)
            self._sink.store.upsert_camera(old.id, old.name, mask_url(old.source.url), False)
            log.info("camera %s: deleted", camera_id)

    def status(self) -> list[StreamStats]:
        with self._lock:
            slots = dict(self._slots)
            restarts = dict(self._restarts)
            waiting = dict(self._waiting)
        out: list[StreamStats] = []
        for cam in self.cameras():
            if not cam.enabled:
                out.append(StreamStats(camera_id=cam.id, state=StreamState.DISABLED))
                continue
            slot = slots.get(cam.id)
            base = slot.stats if slot is not None and slot.stats is not None else StreamStats(camera_id=cam.id)
            if cam.id in waiting:
                base = StreamStats(camera_id=cam.id, state=StreamState.OFFLINE, last_error=waiting[cam.id][2])
            node = slot.node_id if slot is not None else None
            out.append(dataclasses.replace(base, node=node, restarts=restarts.get(cam.id, 0)))
        return out

    def latest_frame(self, camera_id: str) -> tuple[float, bytes] | None:
        """The camera's newest frame (decode time, JPEG) from its actor; None when it does not answer in 2 s."""
        with self._lock:
            slot = self._slots.get(camera_id)
        if slot is None:
            return None
        try:
            data: tuple[float, bytes] | None = ray.get(slot.handle.latest_frame.remote(), timeout=2.0)
        except (RayError, GetTimeoutError):
            return None
        return data

    def cluster_status(self) -> ClusterStatus:
        with self._lock:
            placement = {cid: s.node_id for cid, s in self._slots.items()}
            nodes = [
                dataclasses.replace(n, cameras=sorted(c for c, node in placement.items() if node == n.node_id))
                for n in self._nodes
            ]
            return ClusterStatus(
                address=self.address,
                nodes=nodes,
                placement=placement,
                restarts=sum(self._restarts.values()),
                moves=self._moves,
                camera_cpus=self._cpus,
            )

    # ---- actors ---------------------------------------------------------------------------------

    def _remember(self, camera: CameraConfig) -> None:
        self._sink.store.upsert_camera(camera.id, camera.name, mask_url(camera.source.url), camera.enabled)

    def _launch(self, camera: CameraConfig, node_id: str | None = None) -> _Slot:
        """Start the camera's actor: on ``node_id``, or wherever Ray finds free CPU (spread over the nodes)."""
        self._generation += 1
        strategy: Any = "SPREAD" if node_id is None else NodeAffinitySchedulingStrategy(node_id, soft=False)
        handle = self._remote.options(
            num_cpus=self._cpus, max_restarts=0, max_concurrency=4, scheduling_strategy=strategy
        ).remote(self.managed.app, camera.id)
        slot = _Slot(camera, f"{camera.id}#{self._generation}", handle, time.monotonic())
        if node_id is None:
            self._slots[camera.id] = slot
        else:
            self._incoming[camera.id] = slot
        return slot

    def _drop(self, camera_id: str, reason: EndReason) -> None:
        self._waiting.pop(camera_id, None)
        self._failures.pop(camera_id, None)
        slots = [s for s in (self._slots.pop(camera_id, None), self._incoming.pop(camera_id, None)) if s]
        self._stop_slots(slots, reason)

    def _stop_slots(self, slots: list[_Slot], reason: EndReason) -> None:
        """Stop actors together; apply what they report last (no health: the camera is not offline). An actor
        that never answered (still being placed) is only killed."""
        refs = {
            s.handle.stop.remote(reason.value, self._applier.acked(s.key)): s for s in slots if s.answered is not None
        }
        ready, _ = ray.wait(list(refs), num_returns=len(refs), timeout=STOP_TIMEOUT_S) if refs else ([], [])
        for ref in ready:
            slot = refs[ref]
            try:
                self._applier.apply(slot.key, slot.camera.id, ray.get(ref), health=False)
            except RayError as exc:
                log.warning("camera %s: actor did not stop cleanly: %s", slot.camera.id, exc)
        for slot in slots:
            self._applier.forget(slot.key, slot.camera.id, reason)
            self._kill(slot)

    @staticmethod
    def _kill(slot: _Slot) -> None:
        with contextlib.suppress(RayError):
            ray.kill(slot.handle, no_restart=True)

    # ---- supervision ----------------------------------------------------------------------------

    def _run(self) -> None:
        last_nodes = 0.0
        while not self._stop.is_set():
            try:
                if time.monotonic() - last_nodes >= 1.0:
                    last_nodes = time.monotonic()
                    self._check_nodes()
                self._collect()
            except Exception:  # the supervisor must outlive any single failure
                log.exception("cluster supervisor: step failed")
            self._stop.wait(self._poll_s)

    def _collect(self) -> None:
        with self._lock:
            slots = [*self._slots.values(), *self._incoming.values()]
            for slot in slots:
                if slot.pending is None:
                    slot.pending = slot.handle.poll.remote(self._applier.acked(slot.key))
        refs = [s.pending for s in slots]
        ready, _ = ray.wait(refs, num_returns=len(refs), timeout=self._poll_s) if refs else ([], [])
        done = set(ready)
        now = time.monotonic()
        with self._lock:
            for slot in slots:
                if slot.pending in done:
                    self._answered(slot, now)
                elif slot.answered is not None and now - slot.answered > self._lost_after_s:
                    self._lost(slot, f"no answer for {now - slot.answered:.1f} s")
                elif (
                    slot.answered is None
                    and self._incoming.get(slot.camera.id) is slot
                    and now - slot.started > START_TIMEOUT_S
                ):
                    self._lost(slot, f"not started within {START_TIMEOUT_S:.0f} s")

    def _answered(self, slot: _Slot, now: float) -> None:
        ref, slot.pending = slot.pending, None
        if not self._current(slot):
            return
        try:
            poll: Poll = ray.get(ref)
        except ActorUnavailableError as exc:
            # unreachable for now: ask again; its node is declared dead soon (then it restarts elsewhere) or it
            # answers again, and ``lost_after_s`` without an answer ends it anyway
            log.debug("camera %s: actor unreachable: %s", slot.camera.id, exc)
            return
        except RayActorError as exc:
            self._lost(slot, str(exc).splitlines()[0])
            return
        except RayError as exc:  # the call failed, not the actor: ask again
            log.debug("camera %s: collection failed: %s", slot.camera.id, exc)
            return
        if slot.answered is None:
            self._failures.pop(slot.camera.id, None)
        slot.answered = now
        slot.stats = poll.stats
        slot.node_id = poll.node_id
        leaving = self._incoming.get(slot.camera.id) is not None and self._slots.get(slot.camera.id) is slot
        self._applier.apply(slot.key, slot.camera.id, poll.reports, health=not leaving)
        if self._incoming.get(slot.camera.id) is slot and poll.stats.frames_analyzed > 0:
            self._moved(slot)

    def _current(self, slot: _Slot) -> bool:
        cid = slot.camera.id
        return self._slots.get(cid) is slot or self._incoming.get(cid) is slot

    def _lost(self, slot: _Slot, why: str) -> None:
        """The actor died or its node is gone: end its events, start it again wherever there is room."""
        cid = slot.camera.id
        if not self._current(slot):
            return
        self._kill(slot)
        ended = self._applier.forget(slot.key, cid, EndReason.NODE_LOST)
        if self._incoming.get(cid) is slot:  # a move that failed: the camera stays where it was
            del self._incoming[cid]
            log.warning("camera %s: move to node %s failed (%s); it stays", cid, slot.node_id, why)
            return
        del self._slots[cid]
        if slot.answered is None:  # it failed to start (a model that does not load, ...): try again later
            failures = self._failures[cid] = self._failures.get(cid, 0) + 1
            delay = min(60.0, 2.0**failures)
            self._waiting[cid] = (slot.camera, time.monotonic() + delay, why)
            log.error("camera %s: actor failed to start (%s); trying again in %.0f s", cid, why, delay)
            return
        self._restarts[cid] = self._restarts.get(cid, 0) + 1
        log.warning(
            "camera %s: lost on node %s (%s); %d open event(s) ended, restarting on another node",
            cid,
            slot.node_id,
            why,
            ended,
        )
        self._sink.camera_health(cid, False, StreamState.CONNECTING.value)
        self._launch(slot.camera)

    def _moved(self, new: _Slot) -> None:
        """The moved camera's new actor analyses frames: stop the old one (start before stop: no gap)."""
        cid = new.camera.id
        del self._incoming[cid]
        old = self._slots.get(cid)
        self._slots[cid] = new
        self._moves += 1
        if old is not None:
            self._stop_slots([old], EndReason.CAMERA_MOVED)
        log.info("camera %s: moved from node %s to node %s", cid, old.node_id if old else None, new.node_id)

    def _check_nodes(self) -> None:
        nodes = self._read_nodes()
        with self._lock:
            self._nodes = nodes
            alive = {n.node_id for n in nodes if n.alive}
            now = time.monotonic()
            for cid, (camera, due, _why) in list(self._waiting.items()):
                if due <= now:
                    del self._waiting[cid]
                    self._launch(camera)
            for slot in [*self._slots.values(), *self._incoming.values()]:
                if slot.node_id is not None and slot.node_id not in alive:
                    self._lost(slot, "node no longer alive")
            if self._rebalance and not self._incoming:
                self._balance([n for n in nodes if n.alive and n.cpus >= self._cpus])

    def _balance(self, nodes: list[NodeStatus]) -> None:
        """Move one camera from the busiest node to the least busy one when they differ by two or more."""
        if len(nodes) < 2 or any(s.node_id is None for s in self._slots.values()):
            return
        count = {n.node_id: 0 for n in nodes}
        for slot in self._slots.values():
            if slot.node_id in count:
                count[slot.node_id] += 1
        busiest = max(count, key=lambda n: count[n])
        idlest = min(count, key=lambda n: count[n])
        room = next(n.cpus for n in nodes if n.node_id == idlest) // self._cpus
        if count[busiest] - count[idlest] < 2 or count[idlest] + 1 > room:
            return
        slot = next(s for s in sorted(self._slots.values(), key=lambda s: s.camera.id) if s.node_id == busiest)
        log.info("camera %s: moving from node %s to node %s to balance the load", slot.camera.id, busiest, idlest)
        self._launch(slot.camera, node_id=idlest)

    @staticmethod
    def _read_nodes() -> list[NodeStatus]:
        return [
            NodeStatus(
                node_id=str(n["NodeID"]),
                address=str(n.get("NodeManagerAddress", "")),
                alive=bool(n["Alive"]),
                cpus=float(n.get("Resources", {}).get("CPU", 0.0)),
            )
            for n in ray.nodes()  # type: ignore[no-untyped-call]
        ]
