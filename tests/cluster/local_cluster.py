"""A real Ray cluster on this machine: a head and worker nodes, each a separate ``ray start`` process group.

Every node is started by ``gwanje worker``'s own command line (``cli.worker.ray_start_command``) in a new
session, with its own short temporary folder, so that killing a node (every process it started, by pid)
or stopping the cluster never touches another Ray on the machine. The head's folder is ``ray`` inside
``root``, where Ray looks for it when ``RAY_TMPDIR`` is ``root``: ``ray.init("auto")`` then finds this
cluster's address there (``ray_current_cluster``), as on a machine where ``gwanje worker`` runs.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

from gwanje.cli.worker import ray_client_installed, ray_environment, ray_start_command
from tests.faults.services import free_port, wait_port

SRC = Path(__file__).resolve().parents[2] / "src"
OBJECT_STORE_BYTES = 80_000_000


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it (Ray's workers start their own sessions, so a group kill misses them)."""
    tree = _children()
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(tree.get(p, []))
    return found


class LocalCluster:
    """Head (no CPUs for cameras) and workers on 127.0.0.1; ``kill_node`` is a machine that died."""

    def __init__(self, node_timeout_s: float = 2.0) -> None:
        self.port = free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.client_port = free_port() if ray_client_installed() else None
        """Ray Client's port on the head; None where Ray Client is not installed."""
        self.root = tempfile.mkdtemp(prefix="gwr-", dir="/tmp")  # Ray's socket paths must stay short
        self.temp_dir = str(Path(self.root) / "ray")
        self.node_timeout_s = node_timeout_s
        self.nodes: list[subprocess.Popen[bytes]] = []
        self._logs = Path(self.root)
        self._env = {
            **ray_environment(),
            "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")])),
        }

    def _start(self, cmd: list[str], name: str) -> subprocess.Popen[bytes]:
        log = open(self._logs / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        proc = subprocess.Popen(cmd, env=self._env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.nodes.append(proc)
        return proc

    def start_head(self) -> None:
        cmd = ray_start_command(
            None,
            port=self.port,
            object_store_bytes=OBJECT_STORE_BYTES,
            node_timeout_s=self.node_timeout_s,
            node_ip="127.0.0.1",
            temp_dir=self.temp_dir,
            client_port=self.client_port,
        )
        self._start(cmd, "head")
        wait_port(self.port, 60.0)
        if self.client_port is not None:
            wait_port(self.client_port, 60.0)  # Ray Client's server starts after the head's own port opens

    def add_worker(self, num_cpus: int) -> subprocess.Popen[bytes]:
        """A worker node; each has its own temporary folder (nodes sharing one clash on their socket names)."""
        name = f"w{len(self.nodes)}"
        cmd = ray_start_command(
            self.address,
            num_cpus=num_cpus,
            object_store_bytes=OBJECT_STORE_BYTES,
            node_ip="127.0.0.1",
            temp_dir=str(Path(self.root) / name),
        )
        return self._start(cmd, name)

    def kill_node(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL the node's every process at once, as a machine losing power."""
        pids = descendants(proc.pid)
        for p in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        proc.wait(10)

    def node_pids(self, proc: subprocess.Popen[bytes]) -> list[int]:
        return descendants(proc.pid)

    def stop(self) -> None:
        """Stop every node this cluster started (SIGTERM, then SIGKILL after a few seconds), by pid, and remove
        the temporary folder."""
        pids = [p for proc in self.nodes for p in descendants(proc.pid)]
        for p in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(proc.poll() is None for proc in self.nodes):
            time.sleep(0.1)
        for p in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p, signal.SIGKILL)
        for proc in self.nodes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)

    def log_tail(self, lines: int = 30) -> str:
        out = []
        for path in sorted(self._logs.glob("*.log")):
            out.append(f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-lines:]))
        return "\n".join(out)
