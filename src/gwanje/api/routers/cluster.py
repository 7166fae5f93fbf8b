"""``/api/cluster``: the Ray cluster's nodes and which camera runs where (cluster mode; admins only)."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter

from gwanje.api.deps import Admin, Ctx
from gwanje.api.responses import AUTHENTICATED, errors
from gwanje.api.schemas import ClusterOut, NodeOut

router = APIRouter(tags=["cluster"], responses=errors(*AUTHENTICATED))


@router.get("/api/cluster", response_model=ClusterOut, summary="Cluster nodes and camera placement")
def cluster(ctx: Ctx, _who: Admin) -> ClusterOut:
    status = ctx.cluster_status()
    if status is None:
        return ClusterOut(mode="single")
    return ClusterOut(
        mode="cluster",
        address=status.address,
        nodes=[NodeOut(**dataclasses.asdict(n)) for n in status.nodes],
        placement=status.placement,
        restarts=status.restarts,
        moves=status.moves,
        camera_cpus=status.camera_cpus,
    )
