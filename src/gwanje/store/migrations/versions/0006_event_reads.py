"""Unread per user: the alerts each reader has opened, and each reader's "all read" mark.

Every user existing at the upgrade gets a mark at the upgrade's time, so the alerts stored before it do not all turn
unread at once (before, "unread" was the shared status ``new``).

Revision ID: 0006_event_reads
Revises: 0005_camera_groups
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op

revision = "0006_event_reads"
down_revision: str | None = "0005_camera_groups"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "event_reads",
        sa.Column("reader", sa.String(64), primary_key=True),
        sa.Column("event_id", sa.String(64), sa.ForeignKey("events.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("read_at", sa.Double(), nullable=False),
    )
    marks = op.create_table(
        "event_read_marks",
        sa.Column("reader", sa.String(64), primary_key=True),
        sa.Column("read_before", sa.Double(), nullable=False),
    )
    users = sa.table("users", sa.column("name", sa.String(64)))
    names = [row.name for row in op.get_bind().execute(sa.select(users.c.name))]
    if names:
        now = time.time()
        op.bulk_insert(marks, [{"reader": name, "read_before": now} for name in names])


def downgrade() -> None:
    op.drop_table("event_read_marks")
    op.drop_table("event_reads")
