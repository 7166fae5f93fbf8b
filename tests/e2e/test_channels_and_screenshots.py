"""In a real browser: an admin's "Send test" on the channels page reaching a real receiver through Apprise, and the
screenshots of the main pages in docs/screenshots/ (written only when GWANJE_SCREENSHOTS=1:

    GWANJE_SCREENSHOTS=1 PYTHONPATH=src .venv/bin/python -m pytest tests/e2e/test_channels_and_screenshots.py
)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
from playwright.sync_api import Page, expect

from gwanje.alerts import AlertService
from gwanje.api import ApiContext
from gwanje.config.alerts import AlertsConfig
from gwanje.core.events import EventType
from gwanje.core.health import StreamState, StreamStats
from gwanje.store import MediaStore, Store
from gwanje.web import create_web_app
from tests.alerts.support import Receiver
from tests.api.conftest import make_config, serve
from tests.e2e.conftest import PASSWORD, Site, log_in
from tests.store.factories import make_event

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
MAX_BYTES = 300_000


def _scene(seed: int) -> bytes:
    """A 1280x720 street-like frame (no person, so masking leaves it as it is)."""
    rng = np.random.default_rng(seed)
    image = np.zeros((720, 1280, 3), np.uint8)
    image[:] = (70, 80, 90)
    cv2.rectangle(image, (0, 430), (1280, 720), (60, 60, 60), -1)
    for x in range(0, 1280, 160):
        cv2.rectangle(
            image, (x + 10, 150 + (x % 3) * 30), (x + 140, 430), tuple(int(v) for v in rng.integers(90, 180, 3)), -1
        )
    cv2.putText(image, f"CAM {seed}", (30, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (255, 255, 255), 3)
    ok, buf = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, 80])
    assert ok
    return bytes(buf.tobytes())


@pytest.fixture
def full_site(tmp_path: Path) -> Iterator[tuple[Site, Receiver]]:
    """A site with users, alerts with snapshots, a camera group and alert channels (one Apprise to a real receiver)."""
    receiver = Receiver().start()
    config = make_config(tmp_path / "data", mode="production")
    alerts_config = AlertsConfig.model_validate(
        {
            "apprise": [
                {"name": "night-desk", "urls": [f"json://127.0.0.1:{receiver.port}/n"], "event_types": ["fire"]}
            ],
            "webhooks": [{"name": "control-room", "url": receiver.url, "cameras": ["gate"]}],
        }
    )
    config = config.model_copy(update={"alerts": alerts_config})
    store = Store.open(config.store)
    media = MediaStore.for_config(config.store)
    frames = {"gate": _scene(1), "lobby": _scene(2)}
    for i, (camera, kind) in enumerate(
        [("gate", EventType.FIRE), ("lobby", EventType.INTRUSION), ("gate", EventType.FALL)]
    ):
        event = make_event(camera, kind, start_time=1_764_028_800.0 + 600 * i, zone="fence" if i == 1 else None)
        event.snapshot_path = str(media.write_snapshot(event.id, camera, event.start_time, frames[camera]))
        store.save_event(event)
    alerts = AlertService(config.alerts, store.engine)
    ctx = ApiContext.create(
        config,
        store,
        media,
        camera_status=lambda: [StreamStats("gate", StreamState.LIVE), StreamStats("lobby", StreamState.OFFLINE)],
        latest_snapshot=lambda camera: frames.get(camera) if camera == "gate" else None,
        alerts=alerts,
    )
    for name, role in (("chief", "admin"), ("desk-1", "operator"), ("guest", "viewer")):
        ctx.accounts.create_user(name, role, PASSWORD, actor="test", client=None)
    store.groups.save_group("front", ["gate", "lobby"], ["desk-1", "guest"])
    with serve(create_web_app(ctx)) as url:
        yield Site(url, ctx, store, tmp_path / "data"), receiver
    alerts.stop()
    receiver.stop()
    store.close()


def test_an_admin_sends_a_test_from_the_channels_page(full_site: tuple[Site, Receiver], page: Page) -> None:
    site, receiver = full_site
    log_in(page, site, "chief")
    page.goto(f"{site.url}/admin/channels")
    row = page.locator("#channel-apprise-night-desk")
    expect(row).to_contain_text("json://…")
    row.locator("button.send-test").click()
    expect(row.locator(".test-result")).to_have_text("Test delivered.")
    assert receiver.requests[-1].json()["title"] == "Gwanje: test notification"
    page.goto(f"{site.url}/admin/channels?lang=ko")
    expect(page.locator("#channel-apprise-night-desk .test-result")).to_contain_text("테스트 메시지를 전달했습니다")


def test_an_admin_adds_a_webhook_sends_a_test_and_deletes_it(full_site: tuple[Site, Receiver], page: Page) -> None:
    site, receiver = full_site
    token = "e2e-token-5a6b7c8d"
    log_in(page, site, "chief")
    page.goto(f"{site.url}/admin/channels")
    form = page.locator("#channel-form")
    form.locator("input[name=name]").fill("lobby-hook")
    form.locator("input[name=url]").fill(f"{receiver.url}/lobby?token={token}")
    form.locator("input[name=event_type][value=intrusion]").check()
    form.locator("input[name=camera][value=lobby]").check()
    form.locator("button[type=submit]").click()
    row = page.locator("#channel-webhook-lobby-hook")
    expect(row).to_contain_text("http://127.0.0.1")
    expect(row).to_contain_text("lobby")
    assert token not in page.content()
    row.locator("button.send-test").click()
    expect(row.locator(".test-result")).to_have_text("Test delivered.")
    assert receiver.requests[-1].path == f"/hook/lobby?token={token}" and receiver.requests[-1].json()["test"] is True
    assert site.ctx.alerts is not None and [f.event_types for f in site.ctx.alerts.config.webhooks][-1] == ["intrusion"]

    row.locator("button.edit-channel").click()  # edited without retyping the URL: the stored one is kept
    expect(form.locator("input[name=url]")).to_have_value("")
    form.locator("input[name=event_type][value=fire]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator("#channel-webhook-lobby-hook")).to_contain_text("Fire")
    page.locator("#channel-webhook-lobby-hook button.send-test").click()
    expect(page.locator("#channel-webhook-lobby-hook .test-result")).to_have_text("Test delivered.")
    assert receiver.requests[-1].path == f"/hook/lobby?token={token}"

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#channel-webhook-lobby-hook button.delete-channel").click()
    expect(page.locator("#channel-webhook-lobby-hook")).to_have_count(0)
    assert [
        r.action for r in site.store.list_audit(None, None, None, None, 20, 0) if r.action.startswith("channel_")
    ] == [
        "channel_delete",
        "channel_test",
        "channel_save",
        "channel_test",
        "channel_save",
    ]


PAGES = [
    ("feed", "/events"),
    ("event", None),
    ("live", "/live"),
    ("cameras", "/admin/cameras"),
    ("camera", "/admin/cameras/gate"),
    ("zones", "/admin/cameras/gate/zones"),
    ("users", "/admin/users"),
    ("channels", "/admin/channels"),
    ("audit", "/admin/audit"),
]


@pytest.mark.skipif(
    not os.environ.get("GWANJE_SCREENSHOTS"), reason="set GWANJE_SCREENSHOTS=1 to write docs/screenshots"
)
def test_screenshots_of_the_main_pages(full_site: tuple[Site, Receiver], browser: object) -> None:
    site, _receiver = full_site
    SHOTS.mkdir(parents=True, exist_ok=True)
    event_id = site.store.list_events(limit=1)[0].event.id
    for lang, locale in (("en", "en-US"), ("ko", "ko-KR")):
        context = browser.new_context(locale=locale, viewport={"width": 1280, "height": 720})  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(f"{site.url}/login?lang={lang}")
        _shoot(page, f"login-{lang}")
        log_in(page, site, "chief")
        page.wait_for_url("**/events**")
        for name, path in PAGES:
            page.goto(f"{site.url}{path or f'/events/{event_id}'}?lang={lang}")
            page.wait_for_load_state("networkidle") if name not in ("feed", "live") else page.wait_for_timeout(1500)
            _shoot(page, f"{name}-{lang}")
        context.close()


def _shoot(page: Page, name: str) -> None:
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path))
    if path.stat().st_size > MAX_BYTES:  # a busy page: fall back to a palette PNG, which stays small
        image = cv2.imread(str(path))
        quantized = (image // 32) * 32 + 16
        cv2.imwrite(str(path), quantized, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes"
