"""The outbox takes each message once per channel: a unique (channel, message_id) is the idempotency key.

A write retried after the database went away (the commit may have landed before the connection broke)
then stores nothing twice.

Revision ID: 0004_outbox_idempotency
Revises: 0003_users_audit_chain
"""

from __future__ import annotations

from alembic import op

revision = "0004_outbox_idempotency"
down_revision: str | None = "0003_users_audit_chain"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_index("ux_outbox_messages_channel_message", "outbox_messages", ["channel", "message_id"], unique=True)
    op.create_index("ix_outbox_messages_camera", "outbox_messages", ["camera_id", "status"])


def downgrade() -> None:
    op.drop_index("ix_outbox_messages_camera", table_name="outbox_messages")
    op.drop_index("ux_outbox_messages_channel_message", table_name="outbox_messages")
