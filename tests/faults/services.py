"""Private service instances for the fault tests: each test restarts or stops its own, never the shared ones.

PostgreSQL is initialised in a temporary folder and run on a free port (as the ``postgres`` user when the
tests run as root, since the server refuses root); Mosquitto runs from a two-line configuration.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout_s: float = 15.0, up: bool = True) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.05)
    raise AssertionError(f"port {port} did not go {'up' if up else 'down'} within {timeout_s} s")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
            return str(candidate)
        pytest.skip(f"{name} not installed: the fault test needs its own PostgreSQL server")
    return found


class PrivatePostgres:
    """A throw-away PostgreSQL server: ``start``, ``stop`` (fast shutdown), ``restart``; trust auth on 127.0.0.1."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="gwanje-pg-"))  # not under pytest's root-only folder
        self.data = self.root / "pgdata"
        self.port = free_port()
        self._as_postgres = os.geteuid() == 0
        if self._as_postgres:
            shutil.chown(self.root, "postgres")
        self._run([_tool("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync"])

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, argv: list[str]) -> None:
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
        if done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)} failed: {done.stderr or done.stdout}")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run([_tool("pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"), "-o", options, "-w", "start"])
        wait_port(self.port)

    def stop(self) -> None:
        self._run([_tool("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"])
        wait_port(self.port, up=False)

    def close(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run([_tool("pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])
        shutil.rmtree(self.root, ignore_errors=True)


class PrivateMosquitto:
    """A Mosquitto broker of the test's own on a free port (anonymous). It keeps its state across a restart, as
    a deployed broker does: a durable subscriber's session and queued QoS 1 messages survive ``stop``/``start``."""

    def __init__(self, root: Path) -> None:
        self.binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        if not Path(self.binary).exists():
            pytest.skip("mosquitto not installed: the fault test needs its own broker")
        self.port = free_port()
        self.conf = root / "mosquitto.conf"
        self.conf.write_text(
            f"listener {self.port} 127.0.0.1\nallow_anonymous true\n"
            f"persistence true\npersistence_location {root}/\nautosave_interval 0\n"
        )
        self._proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self._proc = subprocess.Popen(
            [self.binary, "-c", str(self.conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        wait_port(self.port)

    def stop(self) -> None:
        if self._proc is not None:
            self._proc.send_signal(signal.SIGTERM)
            self._proc.wait(10)
            self._proc = None
            wait_port(self.port, up=False)
