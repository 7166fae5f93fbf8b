"""The cluster as the API and the metrics show it: nodes, which camera runs where, restarts and moves."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NodeStatus:
    node_id: str
    address: str
    alive: bool
    cpus: float
    """Logical CPUs the node offers to cameras (0 on a head started with ``--num-cpus=0``)."""
    cameras: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ClusterStatus:
    address: str
    nodes: list[NodeStatus]
    placement: dict[str, str | None]
    """Camera id → node id running it (None while it is being placed)."""
    restarts: int
    """Cameras restarted on another node after their node was lost, since the start."""
    moves: int
    """Cameras moved to another node to balance the load, since the start."""
    camera_cpus: float
    """Logical CPUs each camera's actor asks for."""
