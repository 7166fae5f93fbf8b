"""The tamper-evident audit chain: each entry's hash covers the previous entry's hash and its own fields.

Editing a stored entry changes its hash; removing one leaves the next entry's ``prev_hash`` pointing at
nothing. ``verify_chain`` walks the log in order and reports the first entries where either shows. Removing
the newest entries leaves a shorter valid chain: keep the head hash that ``gwanje audit verify`` prints
somewhere else to detect that too.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field

from sqlalchemy import Connection, column, select, table, text, update
from sqlalchemy.orm import Session

from gwanje.store.models import AuditRow

GENESIS = ""
"""``prev_hash`` of the first entry."""
MAX_PROBLEMS = 20


def entry_hash(
    prev_hash: str,
    entry_id: int,
    time: float,
    actor: str,
    action: str,
    target: str,
    client: str | None,
    detail: str | None,
) -> str:
    """SHA-256 (hex) of the previous hash and the entry's fields, as canonical JSON (floats round-trip exactly)."""
    body = json.dumps(
        [prev_hash, entry_id, time, actor, action, target, client, detail], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def _hash_of(row: AuditRow, prev_hash: str) -> str:
    return entry_hash(prev_hash, row.id, row.time, row.actor, row.action, row.target, row.client, row.detail)


def append_entry(session: Session, row: AuditRow) -> None:
    """Add ``row`` to the chain inside ``session``'s transaction.

    The row is inserted first: on SQLite that takes the database's write lock, on PostgreSQL the table lock
    below does, so no other writer can slip an entry between reading the previous hash and writing this one.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE audit_log IN SHARE ROW EXCLUSIVE MODE"))
    session.add(row)
    session.flush()
    prev = session.scalar(select(AuditRow.entry_hash).where(AuditRow.id < row.id).order_by(AuditRow.id.desc()).limit(1))
    row.prev_hash = prev or GENESIS
    row.entry_hash = _hash_of(row, row.prev_hash)


_AUDIT_0003 = table(
    "audit_log",
    *(column(name) for name in ("id", "time", "actor", "action", "target", "client", "detail")),
    column("prev_hash"),
    column("entry_hash"),
)
"""The audit table as migration 0003 leaves it (the model may grow later; the migration must not follow)."""


def rechain(connection: Connection) -> int:
    """Compute the hashes of entries written before the chain existed (migration 0003), oldest first."""
    t = _AUDIT_0003.c
    rows = connection.execute(
        select(t.id, t.time, t.actor, t.action, t.target, t.client, t.detail).order_by(t.id)
    ).all()
    prev = GENESIS
    for row in rows:
        digest = entry_hash(prev, *row)
        connection.execute(update(_AUDIT_0003).where(t.id == row.id).values(prev_hash=prev, entry_hash=digest))
        prev = digest
    return len(rows)


@dataclass
class ChainReport:
    """What ``verify_chain`` found: ``ok`` when every entry matches its hash and follows the one before."""

    entries: int = 0
    head: str = GENESIS
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_chain(session: Session) -> ChainReport:
    """Recompute every hash, oldest first; problems name the entry id and what is wrong (at most 20)."""
    report = ChainReport()
    prev = GENESIS
    for row in session.execute(select(AuditRow).order_by(AuditRow.id).execution_options(yield_per=1000)).scalars():
        report.entries += 1
        if len(report.problems) >= MAX_PROBLEMS:
            continue
        if row.prev_hash != prev:
            report.problems.append(
                f"entry {row.id}: does not follow the entry before it (an entry was removed or its hash rewritten)"
            )
        if row.entry_hash != _hash_of(row, row.prev_hash or GENESIS):
            report.problems.append(
                f"entry {row.id} ({row.action} by {row.actor}): its content does not match its hash (edited)"
            )
        prev = row.entry_hash or GENESIS
    report.head = prev
    return report
