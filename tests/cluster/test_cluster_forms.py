"""The other two ways ``gwanje serve --cluster`` joins a cluster: ``ray://HEAD:PORT`` (Ray Client) and ``auto``.

One real local cluster for the module (a head and two worker nodes offering one CPU each, so two cameras land
one on each worker). Each form runs two generated cameras with a fire burning: both are placed on the workers
and analyse frames, each fire event is stored once in PostgreSQL and its start reaches the webhook once, and
the cluster status shows the nodes and which camera runs on which. ``auto`` is served as on a machine where a
node of the cluster runs: Ray finds the address in the node's temporary folder (``RAY_TMPDIR``).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import ray
from ray.util.client import ray as client_ray

from gwanje.config.alerts import AlertsConfig, WebhookConfig
from gwanje.config.camera import CameraConfig, SourceConfig
from gwanje.config.events import ClipConfig
from gwanje.config.schema import AppConfig
from gwanje.config.store import StoreConfig
from gwanje.runtime.service import Service
from tests.alerts.support import Receiver
from tests.cluster.frame_watch import FrameWatch
from tests.cluster.local_cluster import LocalCluster
from tests.store.conftest import temporary_database
from tests.support.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

MAX_GAP_S = 3.0
"""A camera analyses 3 frames a second; the head must hear of a new one at least this often (allowing for the
two shared cores), over Ray Client as well."""


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    with temporary_database() as url:
        yield url


@pytest.fixture(scope="module")
def cluster(database_url: str) -> Iterator[LocalCluster]:
    """Started after the database, so that the module skips without PostgreSQL before any Ray starts."""
    local = LocalCluster()
    try:
        local.start_head()
        local.add_worker(num_cpus=1)
        local.add_worker(num_cpus=1)
        ray.init(address=local.address, logging_level=logging.WARNING)
        wait_for(lambda: sum(n["Alive"] for n in ray.nodes()) == 3, 60, "both worker nodes to join")  # type: ignore[no-untyped-call]
        ray.shutdown()  # each test joins the cluster as ``serve`` does
        yield local
    finally:
        if ray.is_initialized():
            ray.shutdown()
        local.stop()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def _config(tmp_path: Path, database_url: str, hook: str, cameras: tuple[str, ...]) -> AppConfig:
    url = "demo:?fps=3&fire_start_s=1&fire_duration_s=600&seed="
    return AppConfig(
        cameras=[
            CameraConfig(
                id=cid,
                source=SourceConfig(url=f"{url}{i}"),
                detectors=["fire_smoke"],
                clip=ClipConfig(pre_s=1.0, post_s=2.0),  # a short clip: its bytes come from the worker soon
            )
            for i, cid in enumerate(cameras)
        ],
        store=StoreConfig(data_dir=tmp_path, database_url=database_url),
        alerts=AlertsConfig(webhooks=[WebhookConfig(name="ops", url=hook, timeout_s=2.0)]),
    )


def _media(folder: Path, pattern: str) -> list[Path]:
    return [p for p in folder.rglob(pattern) if p.stat().st_size > 0]


def _serve_and_check(service: Service, media: Path, receiver: Receiver, cameras: tuple[str, ...], address: str) -> None:
    """Serve: both cameras placed, one on each worker, and analysing; every frame heard of in time while the
    checks run; stopped, their events end as on one machine."""
    began = time.monotonic()
    service.start()
    try:

        def placed() -> bool:
            status = service.cluster_status()
            stats = service.camera_status()
            return (
                status is not None
                and len({status.placement.get(c) for c in cameras} - {None}) == 2
                and all(s.frames_analyzed > 0 for s in stats)
            )

        wait_for(placed, 120, "both cameras analysing, one on each worker")
        analysing_s = time.monotonic() - began
        with FrameWatch(service) as watch:
            _check_running(service, media, receiver, cameras, address)
        print(f"\n{service.cluster_status()!r}")
        print(f"cameras analysing after {analysing_s:.1f} s; longest time without an analysed frame: {watch.longest}")
        assert max(watch.longest.values()) < MAX_GAP_S, watch.longest
    finally:
        service.stop()
    assert not ray.is_initialized()
    ended = [r.event.details.get("end_reason") for c in cameras for r in service.store.list_events(camera_id=c)]
    assert ended and set(ended) == {"flush"}, ended


def _check_running(service: Service, media: Path, receiver: Receiver, cameras: tuple[str, ...], address: str) -> None:
    """One fire event per camera, stored and announced once, with its snapshot and clip; the live frame comes
    from the worker; the status shows the nodes, the placement and the cluster ``address``."""

    def fires() -> list[str]:
        return [r.event.id for c in cameras for r in service.store.list_events(camera_id=c, event_type="fire")]

    wait_for(lambda: len(fires()) == len(cameras), 60, "a fire event on every camera")

    def announced() -> Counter[str]:
        bodies = [r.json() for r in list(receiver.requests)]
        assert len({b["message_id"] for b in bodies}) == len(bodies), "a message was delivered twice"
        return Counter(b["event"]["id"] for b in bodies if b["event"]["state"] == "start")

    wait_for(lambda: set(announced()) == set(fires()), 30, "each fire's start at the webhook")
    # snapshot and clip bytes travel from the workers into the head's media folder
    wait_for(lambda: len(_media(media, "*.mp4")) == len(cameras), 30, "each fire's clip")
    assert len(_media(media, "*.jpg")) >= len(cameras)
    for camera in cameras:
        frame = service.latest_frame(camera)
        assert frame is not None and frame[1].startswith(b"\xff\xd8"), f"{camera}: no live frame"
    time.sleep(1.0)  # collections go on: nothing may be stored or sent again
    assert sorted(fires()) == sorted(set(fires())) and len(fires()) == len(cameras)
    assert set(announced().values()) == {1}

    status = service.cluster_status()
    assert status is not None
    workers = {n.node_id: n for n in status.nodes if n.alive and n.cpus == 1}
    head = [n for n in status.nodes if n.alive and n.cpus == 0]
    assert len(workers) == 2 and len(head) == 1, status.nodes
    assert {status.placement[c] for c in cameras} == set(workers)
    assert sorted(c for n in workers.values() for c in n.cameras) == sorted(cameras)
    assert status.restarts == 0 and status.moves == 0
    # the cluster's port (Ray names 127.0.0.1 by the machine's own address once it has resolved ``auto``)
    assert status.address.rpartition(":")[2] == address.rpartition(":")[2]
    assert status.address.startswith("ray://") is address.startswith("ray://")
    client = client_ray.is_connected()  # type: ignore[no-untyped-call]
    assert client is address.startswith("ray://")  # a Ray Client, or a driver of its own


def test_ray_client_address(tmp_path: Path, database_url: str, cluster: LocalCluster, receiver: Receiver) -> None:
    """``--cluster ray://HEAD:PORT``: the service runs as a Ray Client of the head's client server."""
    if cluster.client_port is None:
        pytest.skip("Ray Client is not installed (grpcio, Ray's client extra): make install")
    address = f"ray://127.0.0.1:{cluster.client_port}"
    cameras = ("client-a", "client-b")
    service = Service(_config(tmp_path, database_url, receiver.url, cameras), cluster=address)
    _serve_and_check(service, tmp_path, receiver, cameras, address)


def test_auto_address(
    tmp_path: Path,
    database_url: str,
    cluster: LocalCluster,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``--cluster auto`` on a machine of the cluster: the address comes from the node's temporary folder."""
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    monkeypatch.setenv("RAY_TMPDIR", cluster.root)
    cameras = ("auto-a", "auto-b")
    service = Service(_config(tmp_path, database_url, receiver.url, cameras), cluster="auto")
    _serve_and_check(service, tmp_path, receiver, cameras, cluster.address)  # the one Ray found
