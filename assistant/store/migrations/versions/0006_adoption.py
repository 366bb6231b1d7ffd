"""Adoption: usage records (dashboard), the "not understood" review queue, onboarding,
practice mode.

Revision ID: 0006_adoption
Revises: 0005_privacy
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_adoption"
down_revision = "0005_privacy"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "usage_turn",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("role", sa.String(60), nullable=False),
        sa.Column("intent", sa.String(120)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("kind", sa.String(120)),
        sa.Column("latency_ms", sa.Integer, nullable=False),
        sa.Column("conversation", sa.String(32), nullable=False),
        sa.Column("practice", sa.Boolean, nullable=False, server_default=sa.false()),
    )
    op.create_index("ix_usage_turn_at", "usage_turn", ["at"])
    op.create_index("ix_usage_turn_conversation", "usage_turn", ["conversation"])
    op.create_table(
        "nlu_review",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", TZ, nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("role", sa.String(60), nullable=False),
        sa.Column("kind", sa.String(60), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("predictions", sa.Text, nullable=False),
        sa.Column("seen", sa.Integer, nullable=False, server_default="1"),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("label_intent", sa.String(120)),
        sa.Column("label_text", sa.Text),
        sa.Column("reviewer", sa.String(120)),
        sa.Column("reviewed_at", TZ),
        sa.Column("exported_at", TZ),
    )
    op.create_index("ix_nlu_review_at", "nlu_review", ["at"])
    op.create_index("ix_nlu_review_text_hash", "nlu_review", ["text_hash"])
    op.create_index("ix_nlu_review_key_id", "nlu_review", ["key_id"])
    op.create_index("ix_nlu_review_status", "nlu_review", ["status"])
    op.create_table(
        "onboarding_seen",
        sa.Column("staff", sa.String(120), primary_key=True),
        sa.Column("channel", sa.String(30), primary_key=True),
        sa.Column("at", TZ, nullable=False),
    )

    op.create_table(
        "practice_mode",
        sa.Column("staff", sa.String(120), primary_key=True),
        sa.Column("since", TZ, nullable=False),
        sa.Column("tour_done", sa.Text, nullable=False, server_default=""),
    )


def downgrade() -> None:
    op.drop_table("practice_mode")
    op.drop_table("onboarding_seen")
    op.drop_table("nlu_review")
    op.drop_table("usage_turn")
