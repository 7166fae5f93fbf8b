"""The alert channels page and "send test", with a real Apprise channel posting to a real local receiver."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from gwanje.alerts import AlertService
from gwanje.config.alerts import AlertsConfig
from tests.alerts.support import Receiver, make_event, wait_until
from tests.web.conftest import Web, log_in, with_alerts

TOKEN = "chan-secret-4d3c2b1a"


@pytest.fixture
def site(web: Web) -> Iterator[tuple[Web, TestClient, Receiver, AlertService]]:
    receiver = Receiver().start()
    config = AlertsConfig.model_validate(
        {
            "apprise": [
                {
                    "name": "desk",
                    "urls": [f"json://127.0.0.1:{receiver.port}/n?token={TOKEN}"],
                    "event_types": ["fire"],
                },
                {"name": "dead", "urls": [f"json://u:{TOKEN}@127.0.0.1:1/n"], "cameras": ["gate"]},
            ],
            "webhooks": [{"name": "ops", "url": f"{receiver.url}/{TOKEN}"}],
        }
    )
    alerts = AlertService(config, web.store.engine)
    with with_alerts(web, alerts) as (served, client):
        yield served, client, receiver, alerts
    receiver.stop()


def _csrf(page: str) -> str:
    return page.split('name="csrf-token" content="')[1].split('"', maxsplit=1)[0]


def test_admin_sees_channels_without_secrets_and_sends_a_test(
    site: tuple[Web, TestClient, Receiver, AlertService],
) -> None:
    web, client, receiver, _alerts = site
    web.add_user("root", "admin")
    assert log_in(client, "root") == 303
    page = client.get("/admin/channels")
    assert page.status_code == 200
    assert "desk" in page.text and "json://…" in page.text and "http://127.0.0.1" in page.text
    assert TOKEN not in page.text
    assert "Send test" in page.text and "nothing sent yet" in page.text

    answer = client.post("/api/channels/apprise:desk/test", headers={"X-CSRF-Token": _csrf(page.text)}, json={})
    assert answer.status_code == 200 and answer.json() == {"channel": "apprise:desk", "ok": True, "error": None}
    assert receiver.requests[-1].json()["title"] == "Gwanje: test notification"
    failed = client.post("/api/channels/apprise:dead/test", headers={"X-CSRF-Token": _csrf(page.text)}, json={})
    assert failed.status_code == 200 and failed.json()["ok"] is False and TOKEN not in failed.text
    assert [r.action for r in web.store.list_audit(None, "channel_test", None, None, 10, 0)] == ["channel_test"] * 2
    page = client.get("/admin/channels?lang=ko")
    assert "테스트 전송" in page.text and "테스트 실패" in page.text and TOKEN not in page.text


def test_the_page_shows_each_channels_last_delivery(site: tuple[Web, TestClient, Receiver, AlertService]) -> None:
    web, client, _receiver, alerts = site
    alerts.worker.start()
    alerts.outbox.enqueue(make_event(camera_id="gate"))
    wait_until(
        lambda: (
            {r["channel"]: r["status"] for r in alerts.outbox.delivery_status("evt-1")}.get("apprise:desk")
            == "delivered"
        ),
        "delivered to apprise:desk",
    )
    web.add_user("root", "admin")
    log_in(client, "root")
    row = client.get("/admin/channels").text.split('id="channel-apprise-desk"')[1].split("</tr>")[0]
    assert "delivered" in row


def test_channels_are_for_admins_only(site: tuple[Web, TestClient, Receiver, AlertService]) -> None:
    web, client, receiver, _alerts = site
    assert client.post("/api/channels/apprise:desk/test", json={}).status_code == 401
    web.add_user("vic", "viewer")
    log_in(client, "vic")
    page = client.get("/events")
    assert client.get("/admin/channels").status_code == 403
    assert client.post("/api/channels/apprise:desk/test", headers={"X-CSRF-Token": _csrf(page.text)}).status_code == 403
    assert receiver.requests == []


def test_api_lists_channels_and_404s_an_unknown_one(site: tuple[Web, TestClient, Receiver, AlertService]) -> None:
    _web, client, _receiver, _alerts = site
    headers = {"Authorization": "Bearer admin-token-0123456789"}
    listed = client.get("/api/channels", headers=headers).json()
    assert [c["name"] for c in listed] == ["webhook:ops", "apprise:desk", "apprise:dead"]
    assert listed[1]["filters"]["event_types"] == ["fire"] and TOKEN not in str(listed)
    assert client.post("/api/channels/apprise:nope/test", headers=headers).status_code == 404
