"""Keyed audit chain: each event records the id of the audit key whose HMAC made its hash.

Existing events keep ``key_id`` NULL: they stay verifiable as unkeyed SHA-256 links, and the
first keyed event after them signs the last legacy hash (its ``prev_hash`` is inside the
HMAC), so rewriting a legacy event breaks the keyed chain from there on. Plain
``ADD COLUMN`` keeps SQLite's append-only triggers (a table rebuild would drop them).

Revision ID: 0004_keyed_audit
Revises: 0003_handoff
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_keyed_audit"
down_revision = "0003_handoff"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("audit_event", sa.Column("key_id", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("key_id")
