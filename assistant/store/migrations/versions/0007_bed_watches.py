"""Bed watches ("tell me when a bed frees") and notices waiting for a kiosk sign-in.

Revision ID: 0007_bed_watches
Revises: 0006_adoption
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007_bed_watches"
down_revision = "0006_adoption"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "bed_watch",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("staff", sa.String(120), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("ward_code", sa.String(32), nullable=True),
        sa.Column("feature", sa.String(32), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("baseline", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("bed_id", sa.String(64), nullable=True),
        sa.Column("bed_label", sa.String(64), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_via", sa.String(16), nullable=True),
    )
    op.create_index("ix_bed_watch_status_expires", "bed_watch", ["status", "expires_at"])
    op.create_index("ix_bed_watch_staff_status", "bed_watch", ["staff", "status"])
    op.create_table(
        "staff_notice",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("staff", sa.String(120), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_staff_notice_staff", "staff_notice", ["staff"])


def downgrade() -> None:
    op.drop_index("ix_staff_notice_staff", table_name="staff_notice")
    op.drop_table("staff_notice")
    op.drop_index("ix_bed_watch_staff_status", table_name="bed_watch")
    op.drop_index("ix_bed_watch_status_expires", table_name="bed_watch")
    op.drop_table("bed_watch")
