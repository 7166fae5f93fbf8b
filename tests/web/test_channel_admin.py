"""Adding, changing and deleting alert channels through the API: applied to the running outbox at once (a real
receiver gets the next alert, a filtered-out one does not arrive, a deleted channel gets nothing more), and the
tokens of webhook and Apprise URLs never come back in answers, pages, the audit log or the server log."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gwanje.alerts import AlertService
from gwanje.config.alerts import AlertsConfig
from gwanje.config.managed_channels import ManagedChannels
from tests.alerts.support import Receiver, make_event, wait_until
from tests.web.conftest import Web, log_in, with_alerts

TOKEN = "hook-token-9f8e7d6c"
ADMIN = {"Authorization": "Bearer admin-token-0123456789"}
Site = tuple[Web, TestClient, Receiver, AlertService]


@pytest.fixture
def site(web: Web) -> Iterator[Site]:
    receiver = Receiver().start()
    config = AlertsConfig.model_validate({"webhooks": [{"name": "ops", "url": f"{receiver.url}/ops"}]})
    managed = ManagedChannels.for_data_dir(config, web.data_dir)
    alerts = AlertService(config, web.store.engine, managed=managed)
    alerts.worker.start()
    with with_alerts(web, alerts) as (served, client):
        yield served, client, receiver, alerts
    receiver.stop()


def _paths(receiver: Receiver) -> list[str]:
    return [r.path for r in receiver.requests]


def _statuses(alerts: AlertService, event_id: str) -> dict[str, str]:
    return {r["channel"]: r["status"] for r in alerts.outbox.delivery_status(event_id)}


def test_a_channel_added_changed_and_deleted_through_the_api_applies_at_once(site: Site) -> None:
    _web, client, receiver, alerts = site
    hook = {"kind": "webhook", "name": "desk", "url": f"{receiver.url}/desk/{TOKEN}", "event_types": ["fire"]}
    created = client.post("/api/channels", headers=ADMIN, json=hook)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "webhook:desk" and TOKEN not in created.text

    alerts.outbox.enqueue(make_event(event_id="evt-1", camera_id="gate"))
    wait_until(lambda: f"/hook/desk/{TOKEN}" in _paths(receiver), "the new channel receives the next alert")

    changed = client.patch("/api/channels/webhook:desk", headers=ADMIN, json={"url": "", "cameras": ["gate"]})
    assert changed.status_code == 200 and changed.json()["filters"]["cameras"] == ["gate"]
    alerts.outbox.enqueue(make_event(event_id="evt-2", camera_id="yard"))  # filtered out now
    alerts.outbox.enqueue(make_event(event_id="evt-3", camera_id="gate"))
    wait_until(lambda: _statuses(alerts, "evt-3").get("webhook:desk") == "delivered", "evt-3 to desk")
    assert "webhook:desk" not in _statuses(alerts, "evt-2") and _statuses(alerts, "evt-2")["webhook:ops"]
    assert [r.json()["event"]["id"] for r in receiver.requests if "/desk/" in r.path] == ["evt-1", "evt-3"]

    assert client.delete("/api/channels/webhook:desk", headers=ADMIN).status_code == 204
    alerts.outbox.enqueue(make_event(event_id="evt-4", camera_id="gate"))
    wait_until(lambda: _statuses(alerts, "evt-4") == {"webhook:ops": "delivered"}, "evt-4 to ops only")
    assert sum("/desk/" in p for p in _paths(receiver)) == 2
    assert [c["name"] for c in client.get("/api/channels", headers=ADMIN).json()] == ["webhook:ops"]
    assert client.delete("/api/channels/webhook:desk", headers=ADMIN).status_code == 404


def test_deleting_a_channel_fails_its_queued_messages_and_keeps_the_others(site: Site) -> None:
    _web, client, _receiver, alerts = site
    dead = {"kind": "webhook", "name": "dead", "url": "http://127.0.0.1:1/hook"}
    assert client.post("/api/channels", headers=ADMIN, json=dead).status_code == 201
    alerts.worker.stop()  # nothing is delivered while the channel is deleted: every message is still queued
    alerts.outbox.enqueue(make_event(event_id="evt-q"))
    assert _statuses(alerts, "evt-q") == {"webhook:ops": "pending", "webhook:dead": "pending"}
    assert client.delete("/api/channels/webhook:dead", headers=ADMIN).status_code == 204
    rows = {r["channel"]: r for r in alerts.outbox.delivery_status("evt-q")}
    assert rows["webhook:dead"]["status"] == "failed" and "channel deleted" in rows["webhook:dead"]["last_error"]
    assert rows["webhook:ops"]["status"] == "pending"
    alerts.worker.start()
    wait_until(lambda: _statuses(alerts, "evt-q")["webhook:ops"] == "delivered", "ops delivers its queued message")


def test_tokens_never_come_back(site: Site, caplog: pytest.LogCaptureFixture) -> None:
    web, client, receiver, alerts = site
    caplog.set_level(logging.DEBUG)
    hook = {
        "kind": "webhook",
        "name": "signed",
        "url": f"{receiver.url}/s?token={TOKEN}",
        "secret": f"hmac-{TOKEN}",
        "headers": {"Authorization": f"Bearer {TOKEN}"},
    }
    answers = [client.post("/api/channels", headers=ADMIN, json=hook)]
    apprise = {"kind": "apprise", "name": "phone", "urls": [f"json://127.0.0.1:{receiver.port}/n?token={TOKEN}"]}
    answers.append(client.post("/api/channels", headers=ADMIN, json=apprise))
    assert [a.status_code for a in answers] == [201, 201]
    answers.append(client.post("/api/channels", headers=ADMIN, json={**hook, "url": f"ftp://x/{TOKEN}"}))
    answers.append(client.post("/api/channels", headers=ADMIN, json={**apprise, "urls": [f"nope://{TOKEN}"]}))
    answers.append(client.patch("/api/channels/webhook:signed", headers=ADMIN, json={"url": f"gopher://{TOKEN}"}))
    assert [a.status_code for a in answers[2:]] == [422, 422, 422]
    answers.append(client.patch("/api/channels/webhook:signed", headers=ADMIN, json={"secret": "", "headers": {}}))
    answers.append(client.get("/api/channels", headers=ADMIN))
    assert answers[-1].json()[1]["settings"] == {"signed": True, "headers": [], "timeout_s": 5.0}
    web.add_user("root", "admin")
    log_in(client, "root")
    answers.append(client.get("/admin/channels"))
    for answer in answers:
        assert TOKEN not in answer.text
    audit = web.store.list_audit(None, None, None, None, 50, 0)
    assert {r.action for r in audit} >= {"channel_save"} and TOKEN not in str([r.detail for r in audit])
    assert "changed_secrets" in str([r.detail for r in audit])
    assert TOKEN not in caplog.text

    alerts.outbox.enqueue(make_event(event_id="evt-s"))  # the secret sent empty was kept: the message is signed
    wait_until(lambda: any(r.path == f"/hook/s?token={TOKEN}" for r in receiver.requests), "signed delivery")
    signed = next(r for r in receiver.requests if r.path.startswith("/hook/s"))
    assert signed.headers["X-Gwanje-Signature"].startswith("sha256=") and "Authorization" not in signed.headers


def test_refusals(site: Site) -> None:
    _web, client, receiver, _alerts = site
    ops = {"kind": "webhook", "name": "ops", "url": receiver.url}
    assert client.post("/api/channels", headers=ADMIN, json=ops).status_code == 409
    assert client.patch("/api/channels/mqtt", headers=ADMIN, json={}).status_code == 404
    assert client.patch("/api/channels/webhook:ops", headers=ADMIN, json={"name": "x"}).status_code == 422
    bad_type = client.patch("/api/channels/webhook:ops", headers=ADMIN, json={"event_types": ["party"]})
    assert bad_type.status_code == 422 and "event_types" in bad_type.text
    assert client.post("/api/channels", json=ops).status_code == 401


def test_the_page_has_the_forms_in_both_languages_and_mqtt_is_not_editable(site: Site) -> None:
    web, client, _receiver, alerts = site
    web.add_user("root", "admin")
    log_in(client, "root")
    page = client.get("/admin/channels").text
    assert 'id="channel-form"' in page and "Save channel" in page and "Add a channel" in page
    row = page.split('id="channel-webhook-ops"')[1].split("</tr>")[0]
    assert "data-channel=" in row and "delete-channel" in row and "edit-channel" in row
    korean = client.get("/admin/channels?lang=ko").text
    assert "채널 추가" in korean and "채널 저장" in korean and "Save channel" not in korean
    assert alerts.channel("webhook:ops") is not None
