"""``/api/cluster``, the cluster fields of ``/api/cameras`` and the cluster metrics (admins only for the nodes)."""

from __future__ import annotations

import dataclasses

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from gwanje.api import create_app
from gwanje.core.health import StreamState, StreamStats
from gwanje.runtime.cluster.status import ClusterStatus, NodeStatus
from tests.api.conftest import Api

STATUS = ClusterStatus(
    address="10.0.0.1:6379",
    nodes=[
        NodeStatus("head", "10.0.0.1", True, 0.0),
        NodeStatus("n1", "10.0.0.2", True, 4.0, ["gate"]),
        NodeStatus("n2", "10.0.0.3", False, 4.0),
    ],
    placement={"gate": "n1", "lobby": None},
    restarts=1,
    moves=2,
    camera_cpus=1.0,
)


def test_single_machine_answers_mode_single_and_only_to_admins(api: Api) -> None:
    assert api.client.get("/api/cluster", headers=api.headers("admin")).json()["mode"] == "single"
    assert api.client.get("/api/cluster", headers=api.headers("operator")).status_code == 403
    assert api.client.get("/api/cluster").status_code == 401
    cams = api.client.get("/api/cameras", headers=api.headers()).json()
    assert all(c["node"] is None and c["restarts"] == 0 for c in cams)
    assert "gwanje_cluster_node_up" not in api.client.get("/metrics", headers=api.headers()).text


def test_cluster_nodes_placement_and_metrics(api: Api) -> None:
    stats = [StreamStats("gate", StreamState.LIVE, node="n1", restarts=1), StreamStats("lobby", node=None)]
    ctx = dataclasses.replace(api.ctx, cluster_status=lambda: STATUS, camera_status=lambda: list(stats))
    with TestClient(create_app(ctx)) as client:
        body = client.get("/api/cluster", headers=api.headers("admin")).json()
        cams = {c["id"]: c for c in client.get("/api/cameras", headers=api.headers()).json()}
        text = client.get("/metrics", headers=api.headers()).text
    assert body["mode"] == "cluster" and body["address"] == "10.0.0.1:6379"
    assert [(n["node_id"], n["alive"], n["cameras"]) for n in body["nodes"]] == [
        ("head", True, []),
        ("n1", True, ["gate"]),
        ("n2", False, []),
    ]
    assert body["placement"] == {"gate": "n1", "lobby": None}
    assert (body["restarts"], body["moves"]) == (1, 2)
    assert (cams["gate"]["node"], cams["gate"]["restarts"]) == ("n1", 1)
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("gwanje_cluster_node_up", (("node", "n2"),))] == 0.0
    assert samples[("gwanje_cluster_node_cameras", (("node", "n1"),))] == 1.0
    assert samples[("gwanje_camera_node", (("camera", "gate"), ("node", "n1")))] == 1.0
    assert samples[("gwanje_cluster_camera_restarts_total", ())] == 1.0
    assert samples[("gwanje_cluster_camera_moves_total", ())] == 2.0
