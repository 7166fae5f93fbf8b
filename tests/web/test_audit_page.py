"""The admin's audit page: entries filtered by actor, action and time, and whether the hash chain verifies."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import update

from gwanje.store.models import AuditRow
from tests.web.conftest import Web, log_in


def _rows(page: str) -> str:
    return page.split("<tbody>")[1].split("</tbody>", maxsplit=1)[0] if "<tbody>" in page else ""


def test_admin_lists_filters_and_sees_the_chain_verify(web: Web, browser_client: TestClient) -> None:
    web.add_user("root", "admin")
    web.add_user("vic", "viewer")
    web.store.audit("vic", "view_snapshot", "event:e1:snapshot", "10.0.0.7")
    web.store.audit("vic", "export", "event:e2:clip", "10.0.0.7")
    log_in(browser_client, "root")
    page = browser_client.get("/admin/audit")
    assert page.status_code == 200
    assert 'data-ok="true"' in page.text and "The chain verifies" in page.text
    rows = _rows(page.text)
    assert "event:e1:snapshot" in rows and "user_add" in rows and "login" in rows
    only_vic = _rows(browser_client.get("/admin/audit?actor=vic").text)
    assert "event:e1:snapshot" in only_vic and "event:e2:clip" in only_vic and "user:root" not in only_vic
    exports = _rows(browser_client.get("/admin/audit?actor=vic&action=export").text)
    assert "event:e2:clip" in exports and "event:e1:snapshot" not in exports
    future = browser_client.get("/admin/audit?since=2999-01-01T00:00")
    assert "No entries match." in future.text
    assert "feed.bad_filter" not in future.text and "not understood" in browser_client.get("/admin/audit?until=x").text
    korean = browser_client.get("/admin/audit?lang=ko")
    assert "감사 로그" in korean.text and "체인 검증 성공" in korean.text


def test_an_edited_entry_shows_the_chain_broken(web: Web, browser_client: TestClient) -> None:
    web.add_user("root", "admin")
    web.store.audit("vic", "view_clip", "event:e1:clip")
    with web.store.session() as s:
        s.execute(update(AuditRow).where(AuditRow.action == "view_clip").values(actor="someone-else"))
    log_in(browser_client, "root")
    page = browser_client.get("/admin/audit")
    assert 'data-ok="false"' in page.text and "does NOT verify" in page.text
    assert web.store.verify_audit().problems[0] in page.text.replace("&#39;", "'")


def test_the_audit_page_is_for_admins_only(web: Web, browser_client: TestClient) -> None:
    web.add_user("op", "operator")
    log_in(browser_client, "op")
    assert browser_client.get("/admin/audit").status_code == 403
