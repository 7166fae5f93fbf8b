"""A camera URL's password is shown to admins only, on the pages made to edit it, and never logged.

Every GET route of the served app (from its route table, API and pages) is read by every caller; only the admin's
``/api/cameras/{id}/config`` and camera admin pages may carry the password. Test connection's error, the audit
log, ``/metrics``, ``gwanje check-config``'s output and every log line stay clean. (The running reader's
``last_error`` and log lines: tests/integration/test_service_bad_camera.py.)
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from gwanje.api import ApiContext
from gwanje.api.auth import SESSION_COOKIE
from gwanje.cli.main import main
from gwanje.config import parse_config
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import Store
from gwanje.web import create_web_app
from tests.api.conftest import TOKENS, context_finding_nobody, live_jpeg
from tests.store.factories import make_event
from tests.web.test_permissions import app_routes

SECRET = "s3cr3t-pw"
URL = f"rtsp://user:{SECRET}@127.0.0.1:1/x"
PASSWORD = "correct horse battery"
ADMIN_SHOWS = {"/api/cameras/{camera_id}/config", "/admin/cameras", "/admin/cameras/{camera_id}"}
"""Where an admin sees the whole URL: the camera's own configuration and its edit pages."""


def _config_data(data_dir: Path) -> dict[str, object]:
    return {
        "store": {"data_dir": str(data_dir)},
        "api": {"mode": "production", "tokens": [{"name": n, "token": t, "role": r} for r, (n, t) in TOKENS.items()]},
        # The main stream recorded for clips carries the same password (source.record_url)
        "cameras": [{"id": "cam", "name": "Back door", "source": {"url": URL, "record_url": URL + "-main"}}],
    }


@dataclasses.dataclass
class Site:
    client: TestClient
    ctx: ApiContext
    event_id: str
    sessions: dict[str, str]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    lines = _capture_logs()
    config = parse_config(_config_data(tmp_path / "data"))
    store = Store.open(config.store)
    jpeg = live_jpeg()
    stats = StreamStats("cam", StreamState.OFFLINE, last_error="camera cam: rtsp://user:***@127.0.0.1:1/x: refused")
    ctx = context_finding_nobody(config, store, camera_status=lambda: [stats], latest_snapshot=lambda _c: jpeg)
    event = make_event("cam")
    store.save_event(event)
    sessions = {}
    for name, role in (("vic", "viewer"), ("olga", "operator"), ("root", "admin")):
        ctx.accounts.create_user(name, role, PASSWORD, actor="test", client=None)
        token = ctx.accounts.login(name, PASSWORD, "testclient").session_token
        assert token is not None
        sessions[role] = token
    ctx.close_streams()  # the live event and video streams answer at once
    with TestClient(create_web_app(ctx), follow_redirects=False) as client:
        yield Site(client, ctx, event.id, sessions)
    store.close()
    logging.getLogger().removeHandler(lines)
    logging.getLogger().setLevel(lines.level_before)
    assert lines.records and not [r for r in lines.records if SECRET in r.getMessage()]


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.level_before = logging.getLogger().level

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _capture_logs() -> _Lines:
    """Every log line of every logger, at every level, for the whole test (setup and teardown too)."""
    lines = _Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    root.setLevel(logging.DEBUG)
    return lines


def _callers(site: Site) -> dict[str, dict[str, str]]:
    callers = {f"token-{role}": {"Authorization": f"Bearer {TOKENS[role][1]}"} for role in TOKENS}
    callers |= {f"session-{role}": {"Cookie": f"{SESSION_COOKIE}={token}"} for role, token in site.sessions.items()}
    return callers


def test_only_admins_see_a_camera_password_and_only_where_they_edit_it(site: Site) -> None:
    gets = sorted(path for method, path in app_routes(site.client.app) if method == "GET")  # type: ignore[arg-type]
    assert len(gets) > 30
    shown: set[tuple[str, str]] = set()
    for path in gets:
        url = path.replace("{event_id}", site.event_id).replace("{camera_id}", "cam").replace("{path}", "app.css")
        for caller, headers in _callers(site).items():
            response = site.client.get(url, headers=headers)
            assert response.status_code != 500, (caller, url)  # 503: the closed live stream
            if SECRET in response.text:
                shown.add((caller, path))
    admins = {"token-admin", "session-admin"}
    assert {caller for caller, _ in shown} <= admins, f"a non-admin saw the password: {sorted(shown)}"
    assert {path for _, path in shown} <= ADMIN_SHOWS, f"shown outside the admin's camera pages: {sorted(shown)}"
    assert ("token-admin", "/api/cameras/{camera_id}/config") in shown  # the admin can still read and edit it
    masked = site.client.get("/api/cameras/cam", headers=_callers(site)["token-viewer"]).json()
    assert masked["source"] == "rtsp://user:***@127.0.0.1:1/x"


def test_test_connection_audit_and_metrics_never_carry_it(site: Site) -> None:
    admin = {"Authorization": f"Bearer {TOKENS['admin'][1]}"}
    for body in (None, {"source": {"url": f"rtsp://other:{SECRET}@127.0.0.1:1/y", "timeout_s": 2}, "timeout_s": 5}):
        failed = site.client.post("/api/cameras/cam/test", json=body, headers=admin)
        assert failed.status_code in (502, 504), failed.text
        assert SECRET not in failed.text and "***" in failed.text
    changed = site.client.patch("/api/cameras/cam", json={"source": {"url": URL + "2"}}, headers=admin)
    assert changed.status_code == 200 and SECRET not in changed.text
    audit = site.client.get("/api/audit", headers=admin)
    assert audit.status_code == 200 and "camera_test" in audit.text and SECRET not in audit.text
    assert all(SECRET not in (entry.detail or "") for entry in site.ctx.store.list_audit())
    metrics = site.client.get("/metrics", headers=admin)
    assert metrics.status_code == 200 and 'camera="cam"' in metrics.text and SECRET not in metrics.text


@pytest.mark.parametrize(
    "body",
    [
        {"source": {"url": URL}, "detectors": [URL]},  # a URL where a detector name belongs
        {"source": {"url": URL, "timeout_s": URL}},
        {"source": URL},
    ],
)
def test_a_refused_camera_never_echoes_a_password(site: Site, body: dict[str, object]) -> None:
    """Found by this test: the configuration's reason quoted the value (``uses detector 'rtsp://user:pw@...'``)."""
    admin = {"Authorization": f"Bearer {TOKENS['admin'][1]}"}
    for response in (
        site.client.patch("/api/cameras/cam", json=body, headers=admin),
        site.client.post("/api/cameras", json={"id": "other", **body}, headers=admin),
    ):
        assert response.status_code == 422, response.text
        assert SECRET not in response.text
    rules = site.client.put("/api/cameras/cam/zones/door", json={"polygon": [[0, 0], [1, 0], [1, 1]], "rules": [URL]},
                            headers=admin)  # fmt: skip
    assert rules.status_code == 422 and SECRET not in rules.text


@pytest.mark.parametrize("broken", ["no", "values", "names", "yaml"])
def test_check_config_never_prints_it(
    broken: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    """values: the URL where a number belongs; names: where a detector and a zone name belong (found by this test:
    the reference check quoted them whole); yaml: a line that is not YAML (the parser quotes it)."""
    caplog.set_level(logging.DEBUG)
    data = _config_data(tmp_path / "data")
    camera = {"id": "cam", "source": {"url": URL}}
    if broken == "values":
        data["cameras"] = [{**camera, "source": {"url": URL, "timeout_s": URL}, "analysis_fps": 0}]
    if broken == "names":
        data["cameras"] = [{**camera, "detectors": [URL], "rules": [{"type": "intrusion", "zone": URL}]}]
    path = tmp_path / "gwanje.yaml"
    path.write_text(
        yaml.safe_dump(data) if broken != "yaml" else f"cameras:\n  - id: cam\n    source: {{url: {URL}: 1}}\n"
    )
    code = main(["check-config", str(path)])
    out = capsys.readouterr()
    assert code == (0 if broken == "no" else 2), out
    assert SECRET not in out.out + out.err + caplog.text
    assert broken == "no" or "***" in out.err
