"""Tokens, roles, the development token and keeping tokens out of logs."""

from __future__ import annotations

import logging
import stat
import warnings
from pathlib import Path
from unittest.mock import ANY

import pytest

from gwanje.api.auth import DEV_TOKEN_FILE, RedactTokenFilter, TokenAuth, ensure_dev_token
from gwanje.config import parse_config
from gwanje.core.errors import ConfigError
from tests.api.conftest import Api
from tests.store.factories import make_event


def test_openapi_documents_every_endpoint_and_the_bearer_scheme(api: Api) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. duplicate operation ids
        doc = api.client.get("/openapi.json").json()
    assert {"/api/events", "/api/events/{event_id}/clip.mp4", "/api/events/stream", "/metrics"} <= set(doc["paths"])
    assert doc["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    # the web session is the other way in, declared too (schemathesis took it for ignored authentication)
    assert doc["components"]["securitySchemes"]["APIKeyCookie"] == {
        "type": "apiKey", "in": "cookie", "name": "gwanje_session", "description": ANY,
    }  # fmt: skip
    assert {"HTTPBearer", "APIKeyCookie"} == {k for s in doc["paths"]["/api/events"]["get"]["security"] for k in s}
    clip_params = {p["name"] for p in doc["paths"]["/api/events/{event_id}/clip.mp4"]["get"]["parameters"]}
    assert {"token", "download"} <= clip_params
    list_params = {p["name"] for p in doc["paths"]["/api/events"]["get"]["parameters"]}
    assert "token" not in list_params


def test_health_needs_no_token_and_checks_the_database(api: Api) -> None:
    response = api.client.get("/api/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_health_reports_an_unreachable_database(api: Api) -> None:
    database = Path(str(api.store.engine.url.database))
    api.store.engine.dispose()
    database.unlink()
    database.mkdir()  # a directory where the database file was: SQLite cannot open it
    response = api.client.get("/api/health")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


@pytest.mark.parametrize("path", ["/api/events", "/api/cameras", "/metrics", "/api/audit", "/api/events/stream"])
def test_everything_else_needs_a_token(api: Api, path: str) -> None:
    response = api.client.get(path)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert "Authorization: Bearer" in response.json()["detail"]


def test_a_wrong_token_is_refused(api: Api) -> None:
    response = api.client.get("/api/events", headers={"Authorization": "Bearer not-a-real-token-at-all"})
    assert response.status_code == 401
    assert response.json() == {"detail": "invalid token"}


def test_viewer_reads_but_cannot_act(api: Api) -> None:
    event = make_event()
    api.store.save_event(event)
    assert api.client.get(f"/api/events/{event.id}", headers=api.headers("viewer")).status_code == 200
    response = api.client.post(f"/api/events/{event.id}/acknowledge", headers=api.headers("viewer"))
    assert response.status_code == 403
    assert "role viewer; this needs operator" in response.json()["detail"]
    assert api.store.list_actions(event.id) == []


def test_only_admin_reads_the_audit_log(api: Api) -> None:
    assert api.client.get("/api/audit", headers=api.headers("operator")).status_code == 403
    assert api.client.get("/api/audit", headers=api.headers("admin")).status_code == 200


def test_query_token_only_where_headers_are_impossible(api: Api) -> None:
    viewer_token = api.headers("viewer")["Authorization"].removeprefix("Bearer ")
    assert api.client.get(f"/api/events?token={viewer_token}").status_code == 401
    event = make_event()
    api.store.save_event(event)
    # the clip endpoint accepts it (404: authenticated, but this event has no clip)
    response = api.client.get(f"/api/events/{event.id}/clip.mp4?token={viewer_token}")
    assert response.status_code == 404
    assert response.json()["detail"] == "this event has no clip"


def test_production_without_tokens_creates_none_and_admits_no_token(tmp_path: Path) -> None:
    """People log in to the web app (its first admin is created at /setup); no token is made up."""
    config = parse_config({"api": {"mode": "production"}})
    auth = TokenAuth.from_config(config.api, tmp_path)
    assert auth.authenticate("anything-at-all-0123456789", None) is None
    assert not (tmp_path / DEV_TOKEN_FILE).exists()


def test_development_token_is_created_private_and_reused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="gwanje.api.auth")
    token = ensure_dev_token(tmp_path / "data")
    path = tmp_path / "data" / DEV_TOKEN_FILE
    assert path.read_text().strip() == token
    assert len(token) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert str(path) in caplog.text
    assert ensure_dev_token(tmp_path / "data") == token
    assert token not in caplog.text

    auth = TokenAuth.from_config(parse_config({}).api, tmp_path / "data")
    principal = auth.authenticate(token, None)
    assert principal is not None
    assert principal.role.name == "ADMIN"


@pytest.mark.parametrize(
    ("tokens", "message"),
    [
        ([{"name": "a", "token": "short"}], "at least 16 characters"),
        ([{"name": "a", "token": "x" * 20}, {"name": "a", "token": "y" * 20}], "names must be unique"),
        ([{"name": "a", "token": "x" * 20}, {"name": "b", "token": "x" * 20}], "same secret"),
    ],
)
def test_token_config_mistakes_are_explained(tokens: list[dict[str, str]], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config({"api": {"tokens": tokens}})


def test_tokens_in_urls_are_masked_in_access_logs() -> None:
    record = logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/api/events/stream?token=s3cret-value-123&x=1", "1.1", 200), None,
    )  # fmt: skip
    assert RedactTokenFilter().filter(record)
    assert "s3cret" not in record.getMessage()
    assert "/api/events/stream?token=***&x=1" in record.getMessage()


def test_docs_page_works_offline(api: Api) -> None:
    page = api.client.get("/docs")
    assert page.status_code == 200
    for fragment in ("GET /api/events", "POST /api/events/{event_id}/acknowledge", "maximum 1000", "/openapi.json"):
        assert fragment in page.text
    assert "<script" not in page.text and "http://" not in page.text and "https://" not in page.text
    assert api.client.get("/redoc").status_code == 404
