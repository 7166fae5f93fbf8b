"""Unread per reader, on SQLite and PostgreSQL: an alert is unread for a reader until that reader opens it or marks all
read; a user's alerts from before they existed are not unread for them; an upgrade marks existing users' history read."""

from __future__ import annotations

import time

from alembic import command
from alembic.config import Config
from sqlalchemy import select

from gwanje.config.store import StoreConfig
from gwanje.core.clock import FakeClock
from gwanje.store.db import MIGRATIONS_DIR, create_db_engine
from gwanje.store.models import ReadMarkRow
from gwanje.store.repo import Store
from tests.store.factories import make_event


def test_an_alert_is_unread_for_each_reader_until_they_open_it(store: Store, fake_clock: FakeClock) -> None:
    before = make_event("gate")
    store.save_event(before)
    fake_clock.advance(1)
    store.accounts.add_user("vic", "viewer", "hash")  # the alert stored before vic existed is not unread for vic
    fake_clock.advance(1)
    gate, lobby = make_event("gate"), make_event("lobby")
    store.save_event(gate)
    store.save_event(lobby)
    ids = [before.id, gate.id, lobby.id]
    assert store.reads.count_unread("vic") == 2
    assert store.reads.count_unread("desk-token") == 3  # a reader without a mark (a token): everything unopened

    store.reads.mark_read("vic", gate.id)
    store.reads.mark_read("vic", gate.id)  # twice: still once
    assert store.reads.unread("vic", ids) == {lobby.id}
    assert store.reads.count_unread("vic", camera_ids={"gate"}) == 0
    assert store.reads.count_unread("vic", camera_ids={"lobby"}) == 1
    assert store.reads.unread("desk-token", ids) == set(ids)  # another reader's opening changes nothing for it

    fake_clock.advance(5)
    store.save_event(make_event("lobby", state=lobby.state, **{"id": lobby.id, "peak_confidence": 0.95}))  # updated
    assert store.reads.count_unread("vic") == 1  # an update does not make it new again, nor read

    store.reads.mark_all_read("vic")
    assert store.reads.count_unread("vic") == 0
    fake_clock.advance(1)
    later = make_event("gate")
    store.save_event(later)
    assert store.reads.unread("vic", [*ids, later.id]) == {later.id}
    store.reads.mark_read("vic", later.id)
    store.reads.mark_all_read("vic")  # again: nothing unread, the per-alert rows before the mark are dropped
    assert store.reads.count_unread("vic") == 0


def test_the_upgrade_marks_existing_users_history_read(store_cfg: StoreConfig) -> None:
    engine = create_db_engine(store_cfg)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.begin() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, "0005_camera_groups")
    finally:
        engine.dispose()
    clock = FakeClock(time.time() - 100)  # the migration marks with the real time
    old = Store(create_db_engine(store_cfg), clock)  # the schema before unread per user (no migration on init)
    old.save_event(make_event("gate"))
    old.accounts.add_user("olga", "operator", "hash")
    old.close()

    store = Store.open(store_cfg, clock)
    try:
        with store.session() as s:
            assert s.scalars(select(ReadMarkRow.reader)).all() == ["olga"]
        assert store.reads.count_unread("olga") == 0  # stored before the upgrade, after olga existed: read for her
        clock.advance(1000)
        store.save_event(make_event("gate"))
        assert store.reads.count_unread("olga") == 1
    finally:
        store.close()
