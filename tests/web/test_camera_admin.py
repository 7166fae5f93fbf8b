"""Camera and zone administration over HTTP: admins only, credentials only to admins and never logged, zones saved
through the API (CSRF, validation, audit), applied to the camera and stored so they survive a restart."""

from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from gwanje.config.managed import OVERRIDES_FILE
from tests.web.conftest import Web, log_in

SQUARE = [[0.1, 0.2], [0.5, 0.2], [0.5, 0.6], [0.1, 0.6]]


def _csrf(client: TestClient) -> str:
    page = client.get("/admin/cameras")
    return page.text.split('name="csrf-token" content="')[1].split('"')[0]


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_admins_open_the_camera_pages_and_zone_api(web: Web, browser_client: TestClient, role: str) -> None:
    web.add_user("kim", role)
    log_in(browser_client, "kim")
    for path in ("/admin/cameras", "/admin/cameras/gate/zones"):
        page = browser_client.get(path)
        assert page.status_code == 403 and "it needs admin" in page.text
        assert "hunter2" not in page.text
    assert browser_client.get("/api/cameras/gate/zones").status_code == 403
    token = browser_client.get("/events").text.split('name="csrf-token" content="')[1].split('"')[0]
    saved = browser_client.put(
        "/api/cameras/gate/zones/fence", json={"polygon": SQUARE}, headers={"X-CSRF-Token": token}
    )
    assert saved.status_code == 403
    assert not (web.data_dir / OVERRIDES_FILE).exists()
    for path in ("/admin/cameras/new", "/admin/cameras/gate"):
        assert browser_client.get(path).status_code == 403
    assert "/admin/cameras" not in browser_client.get("/events").text  # not in the menu


def test_an_admin_sees_cameras_with_health_and_the_source_but_it_is_not_logged(
    web: Web, browser_client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    web.add_user("adam", "admin")
    log_in(browser_client, "adam")
    with caplog.at_level(logging.DEBUG):
        page = browser_client.get("/admin/cameras")
    assert page.status_code == 200
    assert "rtsp://admin:hunter2@10.0.0.5/ch1" in page.text
    assert "hunter2" not in caplog.text
    assert all(a.detail is None or "hunter2" not in a.detail for a in web.store.list_audit())
    row = page.text.split('id="camera-lobby"')[1].split("</tr>")[0]
    assert "Offline" in row
    assert "카메라 관리" in browser_client.get("/admin/cameras?lang=ko").text
    assert browser_client.get("/admin/cameras/roof/zones").status_code == 404


def test_a_zone_is_saved_with_csrf_validated_audited_and_given_as_yaml(web: Web, browser_client: TestClient) -> None:
    web.add_user("adam", "admin")
    log_in(browser_client, "adam")
    url = "/api/cameras/gate/zones/fence"
    assert browser_client.put(url, json={"polygon": SQUARE}).status_code == 403  # no CSRF token
    csrf = {"X-CSRF-Token": _csrf(browser_client)}
    line = browser_client.put(url, json={"polygon": [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]]}, headers=csrf)
    assert line.status_code == 422 and "zero area" in line.json()["detail"]
    outside = browser_client.put(url, json={"polygon": [[0.1, 0.1], [1.5, 0.2], [0.3, 0.9]]}, headers=csrf)
    assert outside.status_code == 422
    saved = browser_client.put(url, json={"polygon": SQUARE}, headers=csrf)
    assert saved.status_code == 200
    body = saved.json()
    assert body["zones"] == [{"name": "fence", "polygon": SQUARE, "rules": []}]
    assert 'zones:\n  - name: "fence"\n    polygon: [[0.1, 0.2], [0.5, 0.2], [0.5, 0.6], [0.1, 0.6]]' in body["yaml"]
    stored = json.loads((web.data_dir / OVERRIDES_FILE).read_text())["cameras"]
    assert stored == {"gate": {"zones": [{"name": "fence", "polygon": SQUARE}]}}  # the difference, no URL
    camera = web.ctx.camera("gate")
    assert camera is not None and [z.name for z in camera.zones] == ["fence"]
    audit = web.store.list_audit(action="zone_save")
    assert [(a.actor, a.target) for a in audit] == [("adam", "camera:gate:zone:fence")]
    assert json.loads(audit[0].detail or "") == {"polygon": SQUARE, "rules": []}
    watched = browser_client.put(url, json={"polygon": SQUARE, "rules": ["intrusion"]}, headers=csrf)
    assert watched.json()["zones"][0]["rules"] == ["intrusion"]
    assert [(r.type, r.zone) for r in web.ctx.camera("gate").rules] == [("intrusion", "fence")]  # type: ignore[union-attr]
    refused = browser_client.delete(url, headers=csrf)  # a rule watches it
    assert refused.status_code == 422 and "names zone 'fence'" in refused.json()["detail"]
    unwatched = browser_client.put(url, json={"polygon": SQUARE, "rules": []}, headers=csrf)
    assert unwatched.json()["zones"][0]["rules"] == []
    bad_rule = browser_client.put(url, json={"polygon": SQUARE, "rules": ["fall"]}, headers=csrf)
    assert bad_rule.status_code == 422
    page = browser_client.get("/admin/cameras/gate/zones")
    assert 'data-zone="fence"' in page.text and "no rule watches it yet" in page.text
    assert browser_client.delete(url, headers=csrf).json()["zones"] == []
    assert browser_client.delete(url, headers=csrf).status_code == 404
    assert web.store.list_audit(action="zone_delete")[0].actor == "adam"
    assert len(web.store.list_audit(action="zone_save")) == 3  # the refused one is not logged
    assert web.store.verify_audit().ok


def test_the_add_and_edit_forms_show_the_camera_to_admins_in_both_languages(
    web: Web, browser_client: TestClient
) -> None:
    web.add_user("adam", "admin")
    log_in(browser_client, "adam")
    listing = browser_client.get("/admin/cameras").text
    assert 'href="/admin/cameras/new"' in listing and 'href="/admin/cameras/gate"' in listing
    new = browser_client.get("/admin/cameras/new")
    assert new.status_code == 200 and 'data-new="true"' in new.text and "/static/cameras.js" in new.text
    edit = browser_client.get("/admin/cameras/gate")
    assert 'value="rtsp://admin:hunter2@10.0.0.5/ch1"' in edit.text and 'id="camera-delete"' in edit.text
    assert 'name="id" required maxlength="63"' in edit.text and "readonly" in edit.text
    disabled = browser_client.get("/admin/cameras/yard?lang=ko").text
    assert "카메라 yard" in disabled and ">사용</button>" in disabled
    assert browser_client.get("/admin/cameras/roof").status_code == 404
    zones = browser_client.get("/admin/cameras/gate/zones").text
    assert 'name="rules" value="intrusion"' in zones and 'name="rules" value="loitering"' in zones
