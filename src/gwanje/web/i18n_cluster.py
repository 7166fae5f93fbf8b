"""The strings of the cluster page and the cameras page's node column, in English and Korean; ``gwanje.web.i18n``
merges them into its messages."""

from __future__ import annotations

CLUSTER_MESSAGES: dict[str, tuple[str, str]] = {
    "nav.cluster": ("Cluster", "클러스터"),
    "cluster.title": ("Cluster", "클러스터"),
    "cluster.single": (
        "Single machine: this service runs every camera itself; there are no other nodes.",
        "단일 서버: 이 서비스가 모든 카메라를 직접 처리합니다. 다른 노드는 없습니다.",
    ),
    "cluster.how_to": (
        "To spread cameras over several machines, start the service in cluster mode on Ray:",
        "여러 서버에 카메라를 나누어 처리하려면 Ray 클러스터 모드로 서비스를 시작하세요:",
    ),
    "cluster.head": ("Ray cluster address", "Ray 클러스터 주소"),
    "cluster.camera_cpus": ("CPUs per camera", "카메라당 CPU"),
    "cluster.restarts": (
        "Cameras restarted after a node was lost, since the start",
        "시작 이후 노드 유실로 재시작한 카메라 수",
    ),
    "cluster.moves": ("Cameras moved to balance the nodes, since the start", "시작 이후 부하 분산으로 옮긴 카메라 수"),
    "cluster.lost_count": (
        "{count} node(s) lost: their cameras are restarted on nodes that are alive.",
        "노드 {count}개 유실: 해당 카메라는 살아 있는 노드에서 다시 시작합니다.",
    ),
    "cluster.nodes": ("Nodes", "노드"),
    "cluster.no_nodes": ("No node has joined yet.", "아직 참여한 노드가 없습니다."),
    "cluster.node": ("Node", "노드"),
    "cluster.address": ("Address", "주소"),
    "cluster.node_state": ("State", "상태"),
    "cluster.cpus": ("CPUs", "CPU 수"),
    "cluster.cameras": ("Cameras", "카메라"),
    "cluster.alive": ("alive", "정상"),
    "cluster.lost": ("LOST", "유실"),
    "cluster.placement": ("Cameras and their nodes", "카메라별 노드"),
    "cluster.camera_restarts": ("Restarts", "재시작 횟수"),
    "cluster.placing": ("being placed", "배치 중"),
    "cluster.not_running": ("not running (disabled)", "실행 안 함 (사용 중지)"),
}
