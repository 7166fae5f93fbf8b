"""``/api/cameras/{id}/lines``: tripwires saved as the camera's line_crossing rules (admins only), validated like the
configuration, kept with their other settings when redrawn, stored and audited."""

from __future__ import annotations

from gwanje.config.rules import LineCrossingRuleConfig
from tests.api.conftest import Api


def test_only_admins_see_and_change_tripwires(api: Api) -> None:
    for role in ("viewer", "operator"):
        headers = api.headers(role)
        assert api.client.get("/api/cameras/gate/lines", headers=headers).status_code == 403
        body = {"line": [[0.1, 0.5], [0.9, 0.5]]}
        assert api.client.put("/api/cameras/gate/lines/door", json=body, headers=headers).status_code == 403
    assert api.client.get("/api/cameras/gate/lines").status_code == 401


def test_an_admin_saves_redraws_and_deletes_a_tripwire(api: Api) -> None:
    admin = api.headers("admin")
    assert api.client.get("/api/cameras/gate/lines", headers=admin).json() == {"camera_id": "gate", "lines": []}
    body = {"line": [[0.123456, 0.5], [0.9, 0.5]], "direction": "a_to_b"}
    saved = api.client.put("/api/cameras/gate/lines/door", json=body, headers=admin)
    assert saved.status_code == 200, saved.text
    assert saved.json()["lines"] == [{"name": "door", "line": [[0.1235, 0.5], [0.9, 0.5]], "direction": "a_to_b"}]
    camera = api.ctx.camera("gate")
    assert camera is not None
    (rule,) = camera.rules
    assert isinstance(rule, LineCrossingRuleConfig) and rule.direction == "a_to_b" and rule.labels == ["person"]

    # a rule written in the rules JSON keeps its labels and schedule when its line is redrawn
    patched = {
        "rules": [{**rule.model_dump(mode="json"), "labels": ["person", "car"], "schedule": {"timezone": "UTC"}}]
    }
    assert api.client.patch("/api/cameras/gate", json=patched, headers=admin).status_code == 200
    redrawn = {"line": [[0.5, 0.1], [0.5, 0.9]], "direction": "any"}
    assert api.client.put("/api/cameras/gate/lines/door", json=redrawn, headers=admin).status_code == 200
    camera = api.ctx.camera("gate")
    assert camera is not None
    (rule,) = camera.rules
    assert isinstance(rule, LineCrossingRuleConfig)
    assert rule.line == [(0.5, 0.1), (0.5, 0.9)] and rule.direction == "any"
    assert rule.labels == ["person", "car"] and rule.schedule.timezone == "UTC"

    assert api.client.delete("/api/cameras/gate/lines/door", headers=admin).json()["lines"] == []
    assert api.client.delete("/api/cameras/gate/lines/door", headers=admin).status_code == 404
    camera = api.ctx.camera("gate")
    assert camera is not None and camera.rules == []
    audit = [(a.action, a.target) for a in reversed(api.store.list_audit()) if a.action.startswith("line_")]
    assert audit == [
        ("line_save", "camera:gate:line:door"),
        ("line_save", "camera:gate:line:door"),
        ("line_delete", "camera:gate:line:door"),
    ]


def test_invalid_tripwires_are_422_with_the_reason(api: Api) -> None:
    admin = api.headers("admin")
    cases = {
        "same": ({"line": [[0.5, 0.5], [0.5, 0.5]]}, "the same"),
        "three": ({"line": [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]]}, "exactly 2 points"),
        "outside": ({"line": [[0.1, 0.1], [1.5, 0.5]]}, "less than or equal to 1"),
        "direction": ({"line": [[0.1, 0.1], [0.9, 0.9]], "direction": "up"}, "a_to_b"),
    }
    for name, (body, reason) in cases.items():
        response = api.client.put(f"/api/cameras/gate/lines/{name}", json=body, headers=admin)
        assert response.status_code == 422, (name, response.text)
        assert reason in response.text, (name, response.text)
    assert api.client.put("/api/cameras/roof/lines/x", json=cases["same"][0], headers=admin).status_code == 404
    camera = api.ctx.camera("gate")
    assert camera is not None and camera.rules == []  # nothing half-saved
