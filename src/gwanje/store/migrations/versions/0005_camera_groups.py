"""Camera groups: per-camera permissions (a user below admin sees only the cameras of their groups).

Revision ID: 0005_camera_groups
Revises: 0004_outbox_idempotency
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_camera_groups"
down_revision: str | None = "0004_outbox_idempotency"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "camera_groups",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", sa.Double(), nullable=False),
    )
    op.create_table(
        "camera_group_cameras",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("camera_groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("camera_id", sa.String(64), primary_key=True),
    )
    op.create_table(
        "camera_group_members",
        sa.Column("group_id", sa.Integer(), sa.ForeignKey("camera_groups.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    )
    op.create_index("ix_camera_group_members_user", "camera_group_members", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_camera_group_members_user", table_name="camera_group_members")
    op.drop_table("camera_group_members")
    op.drop_table("camera_group_cameras")
    op.drop_table("camera_groups")
