"""Privacy: kiosk downtime queue encrypted at rest; resumable key-rotation progress.

``kiosk_help_queue`` gains ``body`` (a Fernet token of the request's form slots) and
``key_id``; the clear columns become nullable and are only read for rows queued before
this revision (``privacy rotate-key`` seals those). ``privacy_progress`` remembers where a
tracker-store key rotation stopped.

Revision ID: 0005_privacy
Revises: 0004_keyed_audit
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_privacy"
down_revision = "0004_keyed_audit"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("kiosk_help_queue") as batch:
        batch.add_column(sa.Column("body", sa.Text, nullable=True))
        batch.add_column(sa.Column("key_id", sa.String(16), nullable=True))
        batch.alter_column("help_type", existing_type=sa.String(32), nullable=True)
        batch.alter_column("priority", existing_type=sa.String(16), nullable=True)
        batch.alter_column("description", existing_type=sa.String(500), nullable=True)
    op.create_table(
        "privacy_progress",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("privacy_progress")
    with op.batch_alter_table("kiosk_help_queue") as batch:
        batch.drop_column("key_id")
        batch.drop_column("body")
