"""The cluster page (admin role only): the Ray nodes, which camera runs where, restarts and moves.

It shows what ``GET /api/cluster`` gives (``ApiContext.cluster_status``), with each camera's stream state and restarts
from ``camera_status``; on a single machine it says that this service runs every camera itself. ``camera_nodes`` gives
the cameras page its node column.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from gwanje.api.auth import Role
from gwanje.core.health import StreamState
from gwanje.runtime.cluster.status import ClusterStatus, NodeStatus
from gwanje.store.accounts import UserRecord
from gwanje.web.support import ctx_of, need, render

router = APIRouter(include_in_schema=False)
Admin = Annotated[UserRecord, need(Role.ADMIN)]
SHORT_ID = 8
"""Characters of a Ray node id shown (the full 56 are in the cell's title)."""


def _node_view(node: NodeStatus) -> dict[str, object]:
    return {
        "id": node.node_id,
        "short": node.node_id[:SHORT_ID],
        "address": node.address,
        "alive": node.alive,
        "cpus": f"{node.cpus:g}",
        "cameras": node.cameras,
    }


def camera_nodes(status: ClusterStatus) -> dict[str, dict[str, object] | None]:
    """Camera id → its node as the pages show it (id, short id, address, alive), or None while it is being placed."""
    nodes = {n.node_id: _node_view(n) for n in status.nodes}
    out: dict[str, dict[str, object] | None] = {}
    for camera_id, node_id in status.placement.items():
        if node_id is None:
            out[camera_id] = None
        else:  # a node the supervisor has not listed yet: shown by its id, not taken for lost
            out[camera_id] = nodes.get(node_id) or {
                "id": node_id,
                "short": node_id[:SHORT_ID],
                "address": node_id[:SHORT_ID],
                "alive": True,
            }
    return out


@router.get("/admin/cluster")
def cluster_page(request: Request, user: Admin) -> Response:
    ctx = ctx_of(request)
    status = ctx.cluster_status()
    if status is None:
        return render(request, "cluster.html", user, cluster=None)
    stats = {s.camera_id: s for s in ctx.camera_status()}
    placed = camera_nodes(status)
    configured = ctx.camera_list()
    ids = [c.id for c in configured] + sorted(set(placed) - {c.id for c in configured})
    names = {c.id: c.name or c.id for c in configured}
    enabled = {c.id: c.enabled for c in configured}
    cameras = []
    for camera_id in ids:
        camera_stats = stats.get(camera_id)
        running = enabled.get(camera_id, True)
        state = StreamState.DISABLED if not running else camera_stats.state if camera_stats else StreamState.CONNECTING
        cameras.append(
            {
                "id": camera_id,
                "name": names.get(camera_id, camera_id),
                "running": running,
                "node": placed.get(camera_id),
                "state": str(state),
                "restarts": camera_stats.restarts if camera_stats else 0,
            }
        )
    return render(
        request,
        "cluster.html",
        user,
        cluster={
            "address": status.address,
            "camera_cpus": f"{status.camera_cpus:g}",
            "restarts": status.restarts,
            "moves": status.moves,
            "nodes": [_node_view(n) for n in status.nodes],
            "lost": sum(not n.alive for n in status.nodes),
        },
        cameras=cameras,
    )
