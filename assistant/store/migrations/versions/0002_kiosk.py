"""Kiosk: badges (argon2-hashed PINs, lockout state) and the downtime help-request queue.

Revision ID: 0002_kiosk
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_kiosk"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_badge",
        sa.Column("badge_id", sa.String(32), primary_key=True),
        sa.Column("staff", sa.String(64), nullable=False, index=True),
        sa.Column("pin_hash", sa.String(255), nullable=False),
        sa.Column("failures", sa.Integer, nullable=False, server_default="0"),
        sa.Column("locked_until", sa.Float, nullable=False, server_default="0"),
    )
    op.create_table(
        "kiosk_help_queue",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("staff", sa.String(64), nullable=False),
        sa.Column("help_type", sa.String(32), nullable=False),
        sa.Column("location_id", sa.String(64), nullable=True),
        sa.Column("priority", sa.String(16), nullable=False),
        sa.Column("description", sa.String(500), nullable=False),
        sa.Column("queued_at", sa.Float, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    )


def downgrade() -> None:
    op.drop_table("kiosk_help_queue")
    op.drop_table("kiosk_badge")
