"""Initial assistant store: audit trail, help-desk tickets, revoked tokens.

Revision ID: 0001_initial
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

GENESIS_HASH = "0" * 64
TZ = sa.DateTime(timezone=True)

_SQLITE_GUARDS = [
    f"""CREATE TRIGGER audit_event_no_{verb.lower()} BEFORE {verb} ON audit_event
    BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END"""
    for verb in ("UPDATE", "DELETE")
]
_PG_GUARDS = [
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()""",
]


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("at", TZ, nullable=False),
        sa.Column("staff", sa.String(120), nullable=False),
        sa.Column("role", sa.String(60), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("intent", sa.String(120), nullable=False),
        sa.Column("action", sa.String(120), nullable=False),
        sa.Column("permission", sa.String(120)),
        sa.Column("resource", sa.String(255)),
        sa.Column("patient_ref", sa.String(255)),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("detail", sa.Text, nullable=False, server_default=""),
        sa.Column("reason", sa.Text),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_staff", "audit_event", ["staff"])
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last_seq", sa.Integer, nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
    )
    op.bulk_insert(head, [{"id": 1, "last_seq": 0, "last_hash": GENESIS_HASH}])
    op.create_table(
        "helpdesk_ticket",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("requester", sa.String(120), nullable=False),
        sa.Column("channel", sa.String(30), nullable=False),
        sa.Column("conversation_id", sa.String(255), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("claimer", sa.String(120)),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.Column("rating", sa.Integer),
    )
    op.create_index("ix_helpdesk_ticket_requester", "helpdesk_ticket", ["requester"])
    op.create_index("ix_helpdesk_ticket_conversation_id", "helpdesk_ticket", ["conversation_id"])
    op.create_index("ix_helpdesk_ticket_status", "helpdesk_ticket", ["status"])
    op.create_table(
        "ticket_message",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.Integer,
            sa.ForeignKey("helpdesk_ticket.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("key_id", sa.String(16), nullable=False),
        sa.Column("at", TZ, nullable=False),
    )
    op.create_index("ix_ticket_message_ticket", "ticket_message", ["ticket_id", "id"])
    op.create_index("ix_ticket_message_key_id", "ticket_message", ["key_id"])
    op.create_index("ix_ticket_message_at", "ticket_message", ["at"])
    op.create_table(
        "revoked_token",
        sa.Column("jti", sa.String(64), primary_key=True),
        sa.Column("expires_at", TZ, nullable=False),
    )
    op.create_index("ix_revoked_token_expires_at", "revoked_token", ["expires_at"])
    guards = _SQLITE_GUARDS if op.get_bind().dialect.name == "sqlite" else _PG_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event")
        op.execute("DROP FUNCTION IF EXISTS audit_event_append_only()")
    for table in ("revoked_token", "ticket_message", "helpdesk_ticket", "audit_chain_head"):
        op.drop_table(table)
    op.drop_table("audit_event")
