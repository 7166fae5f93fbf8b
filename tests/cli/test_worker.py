"""`gwanje worker`'s ``ray start`` command lines and the addresses ``serve --cluster`` accepts, without a cluster."""

from __future__ import annotations

import pytest

from gwanje.cli.worker import CLIENT_PORT, ray_environment, ray_start_command
from gwanje.core.errors import ConfigError
from tests.faults.services import free_port

supervisor = pytest.importorskip("gwanje.runtime.cluster.supervisor", reason="cluster mode needs Ray")


def test_the_head_serves_ray_client_on_its_port_and_a_worker_does_not() -> None:
    head = ray_start_command(None, port=6379, client_port=20001)
    assert "--head" in head and "--ray-client-server-port=20001" in head
    assert f"--ray-client-server-port={CLIENT_PORT}" in ray_start_command(None)
    assert not any(arg.startswith("--ray-client-server-port") for arg in ray_start_command(None, client_port=None))
    worker = ray_start_command("10.0.0.1:6379")
    assert "--address=10.0.0.1:6379" in worker
    assert not any(arg.startswith("--ray-client-server-port") for arg in worker)


def test_nodes_start_without_grpc_fork_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """With them, the head's Ray Client server lost the process it forks for a connection now and then."""
    monkeypatch.setenv("GRPC_ENABLE_FORK_SUPPORT", "true")
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "1")
    env = ray_environment()
    assert env["GRPC_ENABLE_FORK_SUPPORT"] == "false" and env["RAY_USAGE_STATS_ENABLED"] == "0"


@pytest.mark.parametrize("address", ["127.0.0.1:{port}", "ray://127.0.0.1:{port}"])
def test_an_address_that_does_not_answer_is_a_clear_error(address: str) -> None:
    with pytest.raises(ConfigError, match="cannot reach the Ray head"):
        supervisor._check_reachable(address.format(port=free_port()))


@pytest.mark.parametrize("address", ["10.0.0.1", "ray://10.0.0.1", "http://10.0.0.1:6379", "ray://:10001"])
def test_a_malformed_address_is_refused(address: str) -> None:
    with pytest.raises(ConfigError, match="expected HOST:PORT"):
        supervisor._check_reachable(address)


class _Init:
    """``ray.init`` failing ``failures`` times as Ray Client does when the head's server for the connection dies."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def __call__(self, address: str, **_kwargs: object) -> None:
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionAbortedError("Initialization failure from server: Starting Ray client server failed")


@pytest.mark.parametrize(
    ("address", "failures", "calls", "joins"),
    [
        ("ray://10.0.0.1:10001", 1, 2, True),  # the second connection gets a new server process
        ("ray://10.0.0.1:10001", 2, 2, False),
        ("10.0.0.1:6379", 1, 1, False),  # a driver's failure is not Ray Client's: no second try
    ],
)
def test_a_ray_client_join_is_tried_twice(
    monkeypatch: pytest.MonkeyPatch, address: str, failures: int, calls: int, joins: bool
) -> None:
    init = _Init(failures)
    monkeypatch.setattr(supervisor, "_check_reachable", lambda _address: None)
    monkeypatch.setattr(supervisor.ray, "init", init)
    if joins:
        supervisor._join(address)
    else:
        with pytest.raises(ConfigError, match=r"cannot join the Ray cluster .* Starting Ray client server failed"):
            supervisor._join(address)
    assert init.calls == calls
