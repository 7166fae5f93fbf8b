"""``POST/PATCH/DELETE /api/cameras`` and "test connection": admins only, validated with the configuration's models
(422 with the reason), audited, and source credentials never echoed or logged."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.api.conftest import Api

NEW = {
    "id": "yard2",
    "name": "Back yard",
    "source": {"url": "rtsp://cam:s3cret-pw@192.0.2.7/live"},
    "detectors": ["person"],
}


@pytest.mark.parametrize("role", ["viewer", "operator"])
def test_only_admins_change_cameras(api: Api, role: str) -> None:
    headers = api.headers(role)
    assert api.client.post("/api/cameras", json=NEW, headers=headers).status_code == 403
    assert api.client.patch("/api/cameras/gate", json={"enabled": False}, headers=headers).status_code == 403
    assert api.client.delete("/api/cameras/gate", headers=headers).status_code == 403
    assert api.client.post("/api/cameras/gate/test", headers=headers).status_code == 403
    assert api.client.get("/api/cameras/gate/config", headers=headers).status_code == 403
    assert api.client.post("/api/cameras", json=NEW).status_code == 401
    assert [c["id"] for c in api.client.get("/api/cameras", headers=headers).json()] == ["gate", "lobby", "yard"]


def test_an_admin_adds_changes_and_deletes_a_camera(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    admin = api.headers("admin")
    with caplog.at_level(logging.DEBUG):
        added = api.client.post("/api/cameras", json=NEW, headers=admin)
        assert added.status_code == 201, added.text
        assert added.json()["source"] == "rtsp://cam:***@192.0.2.7/live"
        assert api.client.post("/api/cameras", json=NEW, headers=admin).status_code == 409
        assert "yard2" in [c["id"] for c in api.client.get("/api/cameras", headers=api.headers()).json()]
        viewer_view = api.client.get("/api/cameras/yard2", headers=api.headers())
        assert "s3cret-pw" not in viewer_view.text
        config = api.client.get("/api/cameras/yard2/config", headers=admin).json()
        assert config["source"]["url"] == NEW["source"]["url"]  # type: ignore[index]

        changed = api.client.patch(
            "/api/cameras/yard2", json={"name": "Yard", "enabled": False, "source": {"transport": "udp"}}, headers=admin
        )
        assert changed.status_code == 200, changed.text
        assert changed.json()["name"] == "Yard" and changed.json()["state"] == "disabled"
        camera = api.ctx.camera("yard2")
        assert camera is not None and camera.source.transport == "udp" and camera.source.url == NEW["source"]["url"]  # type: ignore[index]

        assert api.client.delete("/api/cameras/yard2", headers=admin).status_code == 204
        assert api.client.delete("/api/cameras/yard2", headers=admin).status_code == 404
        assert api.client.patch("/api/cameras/yard2", json={}, headers=admin).status_code == 404
    actions = [(a.action, a.target) for a in reversed(api.store.list_audit())]
    assert [a for a in actions if a[0].startswith("camera_")] == [
        ("camera_add", "camera:yard2"),
        ("camera_update", "camera:yard2"),
        ("camera_delete", "camera:yard2"),
    ]
    assert all("s3cret-pw" not in (a.detail or "") for a in api.store.list_audit())
    assert "s3cret-pw" not in caplog.text


def test_the_record_streams_password_is_masked_in_the_audit_log(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    admin = api.headers("admin")
    body = {
        **NEW,
        "source": {"url": "rtsp://cam:s3cret-pw@192.0.2.7/sub", "record_url": "rtsp://cam:m41n-pw@192.0.2.7/main"},
    }
    with caplog.at_level(logging.DEBUG):
        added = api.client.post("/api/cameras", json=body, headers=admin)
        assert added.status_code == 201, added.text
        assert "m41n-pw" not in added.text
        assert "m41n-pw" not in api.client.get("/api/cameras/yard2", headers=api.headers()).text
    details = [a.detail or "" for a in api.store.list_audit(action="camera_add")]
    assert details and "rtsp://cam:***@192.0.2.7/main" in details[0]
    assert all("m41n-pw" not in d and "s3cret-pw" not in d for d in details)
    assert "m41n-pw" not in caplog.text


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ({**NEW, "detectors": ["smell"]}, "detector 'smell', which is not declared"),
        ({**NEW, "id": "Bad Id"}, "lowercase"),
        ({**NEW, "analysis_fps": 99}, "less than or equal to 30"),
        ({**NEW, "rules": [{"type": "intrusion", "zone": "nowhere"}]}, "names zone 'nowhere'"),
    ],
)
def test_invalid_cameras_are_422_with_the_reason(api: Api, body: dict[str, object], reason: str) -> None:
    response = api.client.post("/api/cameras", json=body, headers=api.headers("admin"))
    assert response.status_code == 422
    assert reason in response.text
    assert "s3cret-pw" not in response.text


def test_a_patch_is_validated_and_cannot_rename(api: Api) -> None:
    admin = api.headers("admin")
    renamed = api.client.patch("/api/cameras/gate", json={"id": "gate2"}, headers=admin)
    assert renamed.status_code == 422 and "cannot change" in renamed.json()["detail"]
    bad = api.client.patch("/api/cameras/gate", json={"sensitivity": 9, "colour": "red"}, headers=admin)
    assert bad.status_code == 422
    assert "sensitivity" in bad.json()["detail"] and "colour" in bad.json()["detail"]
    assert api.store.list_audit(action="camera_update") == []


def test_test_connection_gives_a_frame_or_the_exact_error(api: Api, tmp_path: Path) -> None:
    admin = api.headers("admin")
    frame = api.client.post("/api/cameras/lobby/test", headers=admin)
    assert frame.status_code == 200 and frame.headers["content-type"] == "image/jpeg"
    assert frame.content[:2] == b"\xff\xd8"
    missing = tmp_path / "missing.mp4"
    failed = api.client.post("/api/cameras/new/test", json={"source": {"url": str(missing)}}, headers=admin)
    assert failed.status_code == 502
    assert str(missing) in failed.json()["detail"]
    secret = api.client.post(
        "/api/cameras/gate/test",
        json={"source": {"url": "rtsp://admin:hunter2@127.0.0.1:9/none", "timeout_s": 2}, "timeout_s": 5},
        headers=admin,
    )
    assert secret.status_code in (502, 504)
    assert "hunter2" not in secret.text
    assert api.client.post("/api/cameras/roof/test", headers=admin).status_code == 404
    assert [a.target for a in api.store.list_audit(action="camera_test")][-1] == "camera:lobby"
