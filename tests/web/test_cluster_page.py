"""The cluster page and the cameras page's node column over HTTP: single machine, a cluster with a lost node and a
camera being placed, admins only, in English and Korean."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gwanje.core.health import StreamState, StreamStats
from gwanje.runtime.cluster.status import ClusterStatus, NodeStatus
from gwanje.web import create_web_app
from tests.web.conftest import Web, log_in

ALIVE = "a1b2c3d4" + "e" * 48
LOST = "deadbeef" + "0" * 48
CLUSTER = ClusterStatus(
    address="10.0.0.1:6379",
    nodes=[
        NodeStatus(ALIVE, "10.0.0.2", alive=True, cpus=4.0, cameras=["gate"]),
        NodeStatus(LOST, "10.0.0.3", alive=False, cpus=2.0, cameras=[]),
    ],
    placement={"gate": ALIVE, "lobby": None},
    restarts=3,
    moves=1,
    camera_cpus=0.5,
)


@pytest.fixture
def cluster_client(web: Web) -> Iterator[TestClient]:
    """An admin's browser on the web app of a service in cluster mode: gate on the alive node, lobby being placed
    (its node was lost; restarted twice), yard disabled."""
    ctx = dataclasses.replace(
        web.ctx,
        cluster_status=lambda: CLUSTER,
        camera_status=lambda: [
            StreamStats("gate", StreamState.LIVE, node=ALIVE, restarts=1),
            StreamStats("lobby", StreamState.CONNECTING, restarts=2),
        ],
    )
    web.add_user("adam", "admin")
    with TestClient(create_web_app(ctx), follow_redirects=False) as client:
        log_in(client, "adam")
        yield client


def _row(page: str, row_id: str) -> str:
    return page.split(f'id="{row_id}"')[1].split("</tr>", maxsplit=1)[0]


def test_on_one_machine_the_page_says_so_and_how_to_start_a_cluster(web: Web, browser_client: TestClient) -> None:
    web.add_user("adam", "admin")
    log_in(browser_client, "adam")
    page = browser_client.get("/admin/cluster")
    assert page.status_code == 200
    assert 'data-mode="single"' in page.text
    assert "this service runs every camera itself" in page.text
    assert "gwanje serve --cluster" in page.text
    assert 'id="nodes"' not in page.text
    cameras = browser_client.get("/admin/cameras").text
    assert "being placed" not in cameras and ">Node<" not in cameras  # no node column on one machine
    korean = browser_client.get("/admin/cluster?lang=ko").text
    assert "이 서비스가 모든 카메라를 직접 처리합니다" in korean


def test_the_cluster_page_shows_nodes_lost_ones_marked_and_where_each_camera_runs(cluster_client: TestClient) -> None:
    page = cluster_client.get("/admin/cluster")
    assert page.status_code == 200
    text = page.text
    assert 'data-mode="cluster"' in text and "10.0.0.1:6379" in text
    assert 'id="cluster-restarts">3<' in text and 'id="cluster-moves">1<' in text
    assert "CPUs per camera" in text and "<dd>0.5</dd>" in text
    assert "1 node(s) lost" in text
    alive = _row(text, f"node-{ALIVE}")
    assert 'class="node-alive"' in alive and "alive" in alive and "LOST" not in alive
    assert ">a1b2c3d4<" in alive and "10.0.0.2" in alive and ">4<" in alive and "gate" in alive
    lost = _row(text, f"node-{LOST}")
    assert 'class="node-lost"' in lost and "LOST" in lost and "10.0.0.3" in lost
    gate = _row(text, "placed-gate")
    assert "10.0.0.2" in gate and "Live" in gate and "<td>1</td>" in gate
    lobby = _row(text, "placed-lobby")
    assert "being placed" in lobby and "10.0.0." not in lobby and "<td>2</td>" in lobby
    yard = _row(text, "placed-yard")
    assert "not running (disabled)" in yard and "Disabled" in yard


def test_the_cameras_page_has_a_node_column_in_cluster_mode(cluster_client: TestClient) -> None:
    page = cluster_client.get("/admin/cameras").text
    assert "<th>Node</th>" in page
    assert "10.0.0.2" in _row(page, "camera-gate")
    assert "being placed" in _row(page, "camera-lobby")
    assert "not running (disabled)" in _row(page, "camera-yard")


def test_a_camera_still_placed_on_a_lost_node_is_marked(web: Web) -> None:
    stale = dataclasses.replace(CLUSTER, placement={"gate": LOST, "lobby": ALIVE})
    ctx = dataclasses.replace(web.ctx, cluster_status=lambda: stale)
    web.add_user("adam", "admin")
    with TestClient(create_web_app(ctx), follow_redirects=False) as client:
        log_in(client, "adam")
        for path, row in (("/admin/cluster", "placed-gate"), ("/admin/cameras", "camera-gate")):
            gate = _row(client.get(path).text, row)
            assert "10.0.0.3" in gate and 'class="node-lost"' in gate and "LOST" in gate


def test_a_camera_on_a_node_not_listed_yet_shows_its_id_and_is_not_taken_for_lost(web: Web) -> None:
    joining = "f00dcafe" + "1" * 48
    fresh = dataclasses.replace(CLUSTER, placement={"gate": joining})
    ctx = dataclasses.replace(web.ctx, cluster_status=lambda: fresh)
    web.add_user("adam", "admin")
    with TestClient(create_web_app(ctx), follow_redirects=False) as client:
        log_in(client, "adam")
        gate = _row(client.get("/admin/cluster").text, "placed-gate")
    assert f'title="{joining}">f00dcafe<' in gate and "LOST" not in gate


def test_the_cluster_page_in_korean(cluster_client: TestClient) -> None:
    page = cluster_client.get("/admin/cluster?lang=ko").text
    assert '<html lang="ko">' in page
    assert "카메라당 CPU" in page and "노드 1개 유실" in page
    assert "유실" in _row(page, f"node-{LOST}") and "정상" in _row(page, f"node-{ALIVE}")
    assert "배치 중" in _row(page, "placed-lobby")
    assert "배치 중" in _row(cluster_client.get("/admin/cameras").text, "camera-lobby")


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_admins_open_the_cluster_page_or_see_its_link(web: Web, browser_client: TestClient, role: str) -> None:
    web.add_user("kim", role)
    log_in(browser_client, "kim")
    page = browser_client.get("/admin/cluster")
    assert page.status_code == 403 and "it needs admin" in page.text
    assert "/admin/cluster" not in browser_client.get("/events").text


def test_admins_have_the_cluster_link_in_the_menu(cluster_client: TestClient) -> None:
    assert 'href="/admin/cluster"' in cluster_client.get("/events").text
