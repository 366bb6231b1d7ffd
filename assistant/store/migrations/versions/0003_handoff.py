"""Handoff relay state: where each ticket's card and relay thread live, timers, delivery.

Revision ID: 0003_handoff
Revises: 0002_kiosk
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_handoff"
down_revision = "0002_kiosk"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handoff_state",
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("helpdesk_ticket.id", ondelete="CASCADE"),
            primary_key=True,
            autoincrement=False,
        ),
        sa.Column("base", sa.Integer, nullable=False, server_default="0"),
        sa.Column("delivered", sa.Integer, nullable=False, server_default="0"),
        sa.Column("notified", sa.Integer, nullable=False, server_default="0"),
        sa.Column("stage", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rating_asked", sa.Integer, nullable=False, server_default="0"),
        sa.Column("card_channel", sa.String(64), nullable=True),
        sa.Column("card_ts", sa.String(32), nullable=True),
        sa.Column("relay_channel", sa.String(64), nullable=True),
        sa.Column("relay_ts", sa.String(32), nullable=True),
        sa.Column("agent_ref", sa.String(64), nullable=True),
    )
    op.create_index("ix_handoff_state_relay", "handoff_state", ["relay_channel", "relay_ts"])


def downgrade() -> None:
    op.drop_index("ix_handoff_state_relay", table_name="handoff_state")
    op.drop_table("handoff_state")
