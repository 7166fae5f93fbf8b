"""Schemathesis against the real service: uvicorn on 127.0.0.1, the web app as ``gwanje serve`` builds it.

Every operation of the OpenAPI schema gets generated requests (valid and invalid), as an admin with a bearer token
and as an admin with a web session (cookie + CSRF token). Every answer must be declared in the schema, match its
JSON shape and content type, and never be a 5xx (but test connection's declared 502/504: the camera's answer).
The run is bounded (``EXAMPLES`` per operation, a fixed seed) so that it stays well under two minutes on two
cores (about 40 s); ``GWANJE_FUZZ_EXAMPLES=200`` hunts longer.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import ignored_auth, positive_data_acceptance

from gwanje.alerts import AlertService
from gwanje.api.auth import CSRF_HEADER, SESSION_COOKIE
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import Store
from gwanje.web import create_web_app
from tests.api.conftest import TOKENS, context_finding_nobody, live_jpeg, make_config, serve
from tests.store.factories import make_event

EXAMPLES = int(os.environ.get("GWANJE_FUZZ_EXAMPLES", "25"))
PASSWORD = "correct horse battery"
SEED = 20261207
ENDLESS = {"/api/events/stream": "text/event-stream", "/api/live/frames": "multipart/mixed"}
"""Operations whose 200 answer never ends (live streams), with its content type."""
CROSS_CHECKED = {
    ("POST", "/api/cameras"),
    ("PATCH", "/api/cameras/{camera_id}"),
    ("PUT", "/api/cameras/{camera_id}/zones/{name}"),
    ("POST", "/api/channels"),
    ("PATCH", "/api/channels/{name}"),
}
"""Bodies checked against the rest of the configuration (declared detectors, zones the rules name, a polygon's
area, Apprise URLs that Apprise understands, a merge patch against the channel's configuration): a schema-valid body
may rightly get 422 with the reason, so positive_data_acceptance does not apply."""
UPSTREAM = {("POST", "/api/cameras/{camera_id}/test")}
"""Test connection answers 502/504 (declared) when the camera source fails: the camera's answer, not the
server's failure. A 500 is still a failure (asserted for every operation)."""


Served = tuple[Any, dict[str, dict[str, str]]]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    data_dir: Path = tmp_path_factory.mktemp("fuzz") / "data"
    # the fuzzer sends wrong tokens on purpose, all from one address: the limit has its own tests (test_rate_limits)
    config = make_config(data_dir, mode="production", token_failures_per_minute=10_000)
    store = Store.open(config.store)
    jpeg = live_jpeg()
    ctx = context_finding_nobody(
        config,
        store,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.OFFLINE)],
        latest_snapshot=lambda camera: jpeg if camera == "gate" else None,
        alerts=AlertService(config.alerts, store.engine),  # channels can be added and changed; nothing is sent
    )
    for camera in ("gate", "lobby"):
        store.save_event(make_event(camera))
    ctx.accounts.create_user("root", "admin", PASSWORD, actor="test", client=None)
    session = ctx.accounts.login("root", PASSWORD, "127.0.0.1").session_token
    assert session is not None
    who = {
        "token": {"Authorization": f"Bearer {TOKENS['admin'][1]}"},
        "session": {"Cookie": f"{SESSION_COOKIE}={session}", CSRF_HEADER: ctx.accounts.csrf_token(session)},
    }
    app = create_web_app(ctx)
    with serve(app) as url:
        schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
        yield schema, who
    store.close()


def _check_stream_start(case: Case, headers: dict[str, str]) -> None:
    """An endless stream: its status and content type are checked, then the connection is dropped."""
    with requests.request(**case.as_transport_kwargs(headers=headers), stream=True, timeout=60) as response:
        declared = case.operation.definition.raw["responses"]
        assert response.status_code < 500, f"{response.status_code}: {case.as_curl_command(headers)}"
        assert str(response.status_code) in declared, f"undeclared {response.status_code}: {case.as_curl_command()}"
        expected = ENDLESS[case.operation.path] if response.status_code == 200 else "application/json"
        assert response.headers["content-type"].startswith(expected), case.as_curl_command()


def _excluded(case: Case, session: bool) -> list[Any]:
    """Checks that do not apply to this operation, each for a reason the schema cannot carry."""
    excluded: list[Any] = []
    if (case.method, case.operation.path) in CROSS_CHECKED:
        excluded.append(positive_data_acceptance)
    if (case.method, case.operation.path) in UPSTREAM:
        excluded.append(not_a_server_error)
    if session:  # a junk Authorization header beside a valid session cookie: the session is a declared way in
        excluded.append(ignored_auth)
    return excluded


def _fuzz(schema: Any, headers: dict[str, str]) -> None:
    """Every operation, valid and invalid requests; all failures reported together, each with a curl line."""
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        cases = st.one_of(
            operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)
        )

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=cases)
        def check(case: Case) -> None:
            if case.operation.path in ENDLESS:
                _check_stream_start(case, headers)
                return
            response = case.call_and_validate(
                headers=headers, timeout=60, excluded_checks=_excluded(case, "Cookie" in headers)
            )
            assert response.status_code != 500, case.as_curl_command()

        try:
            check()
        except (Exception, BaseExceptionGroup) as error:  # one operation's failure must not hide another's
            failures.append(f"{operation.label}: {error}")
    assert not failures, "\n\n".join(failures)


def test_every_operation_answers_as_declared_to_a_token(served: Served) -> None:
    _fuzz(served[0], served[1]["token"])


def test_every_operation_answers_as_declared_to_a_web_session(served: Served) -> None:
    """The admin as a person: session cookie and CSRF token."""
    _fuzz(served[0], served[1]["session"])
