"""The audit log is a hash chain: editing or removing an entry shows in ``verify_audit``."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import delete, text, update

from gwanje.config.store import StoreConfig
from gwanje.store.audit import entry_hash
from gwanje.store.db import MIGRATIONS_DIR, create_db_engine
from gwanje.store.models import AuditRow
from gwanje.store.repo import Store


def _fill(store: Store) -> None:
    store.audit("alice", "login", "user:alice", "10.0.0.1")
    store.audit("alice", "view_clip", "event:e1:clip", "10.0.0.1")
    store.audit("cli:root", "user_add", "user:bob", None, detail="role=viewer")
    store.audit("bob", "login_failed", "user:bob", "10.0.0.2", detail="wrong password")


def test_an_untouched_log_verifies_and_names_its_head(store: Store) -> None:
    _fill(store)
    report = store.verify_audit()
    assert report.ok, report.problems
    assert report.entries == 4
    assert len(report.head) == 64
    newest = store.list_audit(limit=1)[0]
    assert (newest.action, newest.detail) == ("login_failed", "wrong password")


def test_an_edited_entry_is_found(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(update(AuditRow).where(AuditRow.action == "view_clip").values(actor="mallory"))
    report = store.verify_audit()
    assert not report.ok
    assert len(report.problems) == 1
    assert "entry 2 (view_clip by mallory): its content does not match its hash (edited)" in report.problems[0]


def test_a_removed_entry_is_found(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(delete(AuditRow).where(AuditRow.action == "user_add"))
    report = store.verify_audit()
    assert report.problems == [
        "entry 4: does not follow the entry before it (an entry was removed or its hash rewritten)"
    ]


def test_rewriting_a_hash_to_hide_an_edit_breaks_the_next_link(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        row = s.get(AuditRow, 2)
        assert row is not None
        row.target = "event:other:clip"
        row.entry_hash = entry_hash(
            row.prev_hash or "", row.id, row.time, row.actor, row.action, row.target, row.client, row.detail
        )
    assert any(p.startswith("entry 3: does not follow") for p in store.verify_audit().problems)


def test_entries_written_before_the_chain_are_chained_by_the_migration(tmp_path: Path) -> None:
    cfg = StoreConfig(data_dir=tmp_path / "data")
    engine = create_db_engine(cfg)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0002_outbox")
        conn.execute(
            text(
                "INSERT INTO audit_log (time, actor, action, target, client) VALUES (1.5, 'a', 'view_clip', 'x', NULL)"
            )
        )
        conn.execute(
            text("INSERT INTO audit_log (time, actor, action, target, client) VALUES (2.5, 'b', 'export', 'y', 'z')")
        )
    engine.dispose()
    store = Store.open(cfg)
    try:
        store.audit("c", "login", "user:c")
        report = store.verify_audit()
        assert report.ok and report.entries == 3
    finally:
        store.close()
