"""`gwanje worker`: start a Ray node of a Gwanje cluster (a worker joining the head, or with --head the head).

This is ``ray start`` with Gwanje's settings: no dashboard, no usage statistics (nothing reaches the network),
a small object store (cameras send events, not frames) and, on the head, node-loss detection in seconds
instead of Ray's default of about 15 s. Plain ``ray start`` works as well, on a machine with Gwanje installed.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import shutil
import sys
from pathlib import Path
from typing import Any

OBJECT_STORE_BYTES = 100_000_000
HEALTH_CHECK_PERIOD_MS = 500
CLIENT_PORT = 10001
"""Ray Client's port on the head (Ray's default)."""


def ray_executable() -> str:
    """The ``ray`` command installed next to this Python (the project's environment), else the one on PATH."""
    beside = Path(sys.executable).parent / "ray"
    found = str(beside) if beside.is_file() else shutil.which("ray")
    if found is None:
        raise SystemExit("the ray command was not found: install Gwanje with its dependencies (make install)")
    return found


def ray_start_command(
    address: str | None,
    port: int = 6379,
    num_cpus: int | None = None,
    object_store_bytes: int = OBJECT_STORE_BYTES,
    node_timeout_s: float = 5.0,
    node_ip: str | None = None,
    temp_dir: str | None = None,
    client_port: int | None = CLIENT_PORT,
) -> list[str]:
    """``ray start --block`` for a worker joining ``address`` (HOST:PORT), or for the head when it is None.

    The head offers no CPUs unless ``num_cpus`` says so (cameras run on the workers), declares a node dead
    after ``node_timeout_s`` without an answer to its health checks and serves Ray Client on ``client_port``
    (``gwanje serve --cluster ray://HEAD:PORT`` from another machine; None: no Ray Client)."""
    cmd = [
        ray_executable(),
        "start",
        "--block",
        "--disable-usage-stats",
        f"--object-store-memory={object_store_bytes}",
    ]
    if address is None:
        checks = max(2, math.ceil(node_timeout_s * 1000 / HEALTH_CHECK_PERIOD_MS))
        config = {
            "health_check_period_ms": HEALTH_CHECK_PERIOD_MS,
            "health_check_failure_threshold": checks,
            "health_check_initial_delay_ms": 0,
        }
        cmd += ["--head", f"--port={port}", "--include-dashboard=false", f"--system-config={json.dumps(config)}"]
        if client_port is not None:
            cmd.append(f"--ray-client-server-port={client_port}")
        cmd.append(f"--num-cpus={num_cpus or 0}")
    else:
        cmd.append(f"--address={address}")
        if num_cpus is not None:
            cmd.append(f"--num-cpus={num_cpus}")
    if node_ip is not None:
        cmd.append(f"--node-ip-address={node_ip}")
    if temp_dir is not None:
        cmd.append(f"--temp-dir={temp_dir}")
    return cmd


def ray_client_installed() -> bool:
    """Whether Ray Client's package (``grpcio``, from Ray's client extra) is installed: ``ray start`` refuses a
    client port without it."""
    return importlib.util.find_spec("grpc") is not None


def ray_environment() -> dict[str, str]:
    """The environment of a Ray node, whatever the caller's environment says: usage statistics off, and gRPC's
    fork handlers off. The head's Ray Client server forks a process for each new connection while its gRPC
    threads run; with the handlers on, gRPC restarted its threads in the child before it could exec, and the
    child crashed there (a segfault in ``cygrpc``, in 4 of 42 test runs): the connection failed after 30 s."""
    return {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "GRPC_ENABLE_FORK_SUPPORT": "false"}


def _run(args: argparse.Namespace) -> int:
    if not args.head and not args.address:
        raise SystemExit("gwanje worker: give --address HEAD:PORT to join a cluster, or --head to start one")
    client_port = args.client_port if ray_client_installed() else None
    if args.head and client_port is None:
        print(
            "gwanje worker: Ray Client is not installed, so serve --cluster ray:// cannot join this head "
            "(pip install 'gwanje[cluster]')",
            file=sys.stderr,
        )
    cmd = ray_start_command(
        None if args.head else args.address,
        port=args.port,
        num_cpus=args.num_cpus,
        object_store_bytes=args.object_store_memory,
        node_timeout_s=args.node_timeout,
        node_ip=args.node_ip,
        client_port=client_port,
    )
    os.execve(cmd[0], cmd, ray_environment())


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="start a Ray node of a Gwanje cluster (a worker, or with --head the head)")
    p.add_argument("--address", help="the head's HOST:PORT to join (see docs/cluster.md)")
    p.add_argument("--head", action="store_true", help="start the head node instead (runs no camera itself)")
    p.add_argument("--port", type=int, default=6379, help="the head's port (with --head; default 6379)")
    p.add_argument(
        "--client-port",
        type=int,
        default=CLIENT_PORT,
        help=f"with --head: Ray Client's port, for serve --cluster ray://HEAD:PORT (default {CLIENT_PORT})",
    )
    p.add_argument("--num-cpus", type=int, help="logical CPUs this node offers to cameras (default: all; head: 0)")
    p.add_argument("--object-store-memory", type=int, default=OBJECT_STORE_BYTES, help="object store bytes")
    p.add_argument(
        "--node-timeout", type=float, default=5.0, help="with --head: seconds without answer before a node is dead"
    )
    p.add_argument("--node-ip", help="this node's address as the others reach it (default: Ray's guess)")
    p.set_defaults(func=_run)
