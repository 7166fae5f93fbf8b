"""Rate limits on authentication: wrong bearer tokens, per client address, answered 429 with Retry-After.

The login form's own limit is tested in tests/web/test_pages.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from gwanje.api import ApiContext, create_app
from gwanje.api.auth import Role, TokenAuth, TooManyWrongTokens
from gwanje.api.ratelimit import RateLimiter
from gwanje.store import MediaStore, Store
from tests.api.conftest import TOKENS, make_config, serve
from tests.store.factories import make_event

LIMIT = 3
RIGHT = {"Authorization": f"Bearer {TOKENS['viewer'][1]}"}
WRONG = {"Authorization": "Bearer wrong-token-0123456789"}


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[tuple[ApiContext, TestClient]]:
    config = make_config(tmp_path / "data", token_failures_per_minute=LIMIT)
    store = Store.open(config.store)
    ctx = ApiContext.create(config, store, MediaStore.for_config(config.store))
    with TestClient(create_app(ctx)) as client:
        yield ctx, client
    store.close()


def _assert_limited(response: httpx.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert "too many wrong tokens" in response.json()["detail"]


def test_wrong_tokens_are_limited_per_address_and_then_even_the_right_one_waits(
    limited: tuple[ApiContext, TestClient],
) -> None:
    ctx, client = limited
    event = make_event()
    ctx.store.save_event(event)
    assert client.get("/api/events", headers=RIGHT).status_code == 200  # successes are not counted
    for _ in range(LIMIT):
        assert client.get("/api/events", headers=WRONG).status_code == 401
    _assert_limited(client.get("/api/events", headers=WRONG))
    _assert_limited(client.get("/api/events", headers=RIGHT))  # a guesser learns nothing from a hit
    # the query token (stream, clips), and a POST stopped before its body is read: the same limit
    _assert_limited(client.get(f"/api/events/{event.id}/clip.mp4", params={"token": TOKENS["viewer"][1]}))
    _assert_limited(client.post(f"/api/events/{event.id}/note", headers=WRONG, json={"note": "x"}))
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/api/events/ws", headers=RIGHT):
        pass
    assert closed.value.code == 1008
    assert client.get("/api/health").status_code == 200  # no token, no limit
    assert ctx.store.list_actions(event.id) == []


def test_the_limit_is_counted_per_client_address_over_real_http(tmp_path: Path) -> None:
    """Another address is not slowed by this one's guesses (the TestClient's address is fixed: real sockets)."""
    config = make_config(tmp_path / "data", token_failures_per_minute=LIMIT)
    store = Store.open(config.store)
    ctx = ApiContext.create(config, store, MediaStore.for_config(config.store))
    try:
        with serve(create_app(ctx)) as url:
            for _ in range(LIMIT):
                assert httpx.get(f"{url}/api/events", headers=WRONG).status_code == 401
            _assert_limited(httpx.get(f"{url}/api/events", headers=WRONG))
            # another client address (the whole 127/8 is this machine's): not slowed by the first one's guesses
            with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2")) as client:
                assert client.get(f"{url}/api/events", headers=RIGHT).status_code == 200
    finally:
        store.close()


def test_the_wait_ends_a_minute_after_the_first_counted_failure() -> None:
    now = [0.0]
    auth = TokenAuth([("ci", "right-token-0123456789", Role.VIEWER)], failures_per_minute=2)
    auth._failures = RateLimiter(2, clock=lambda: now[0])
    assert auth.authenticate("wrong", "10.0.0.9") is None
    now[0] = 20.0
    assert auth.authenticate("wrong", "10.0.0.9") is None
    with pytest.raises(TooManyWrongTokens) as refused:
        auth.authenticate("right-token-0123456789", "10.0.0.9")
    assert refused.value.retry_after_s == 40
    assert auth.authenticate("right-token-0123456789", "10.0.0.8") is not None
    now[0] = 60.5
    assert auth.authenticate("right-token-0123456789", "10.0.0.9") is not None


def test_the_default_limit_is_in_the_configuration(tmp_path: Path) -> None:
    assert make_config(tmp_path).api.token_failures_per_minute == 10
