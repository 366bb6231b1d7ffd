"""Tables of the assistant store. Schema changes go through Alembic (``migrations/``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class AuditEventRow(Base):
    """One guarded action. Append-only: rows are only ever inserted (see assistant.audit)."""

    __tablename__ = "audit_event"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    staff: Mapped[str] = mapped_column(String(120), index=True)
    role: Mapped[str] = mapped_column(String(60))
    channel: Mapped[str] = mapped_column(String(30))
    intent: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(120))
    permission: Mapped[str | None] = mapped_column(String(120))
    resource: Mapped[str | None] = mapped_column(String(255))
    patient_ref: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(20))
    detail: Mapped[str] = mapped_column(Text, default="")
    reason: Mapped[str | None] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # which audit key made ``hash`` (HMAC-SHA256); None: a legacy unkeyed SHA-256 event
    key_id: Mapped[str | None] = mapped_column(String(16))


class AuditChainHead(Base):
    """A single row (id=1): the last seq and hash; locked while appending on PostgreSQL."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(Integer)
    last_hash: Mapped[str] = mapped_column(String(64))


class HelpdeskTicket(Base):
    __tablename__ = "helpdesk_ticket"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    requester: Mapped[str] = mapped_column(String(120), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    reason: Mapped[str] = mapped_column(Text)
    summary: Mapped[str] = mapped_column(Text)  # JSON, no PHI (shown in a shared channel)
    status: Mapped[str] = mapped_column(String(20), index=True)
    claimer: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    rating: Mapped[int | None] = mapped_column(Integer)


class TicketMessage(Base):
    """One transcript line of a handoff; ``body`` is a Fernet token (encrypted at rest)."""

    __tablename__ = "ticket_message"
    __table_args__ = (Index("ix_ticket_message_ticket", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ticket_id: Mapped[int] = mapped_column(
        ForeignKey("helpdesk_ticket.id", ondelete="CASCADE"), index=False
    )
    role: Mapped[str] = mapped_column(String(10))
    body: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class RevokedToken(Base):
    __tablename__ = "revoked_token"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class UsageTurn(Base):
    """One conversation turn as seen by the gateway, for the usage dashboard. No PHI:
    reply kinds and intent names only; ``conversation`` is a keyed hash of the sender id."""

    __tablename__ = "usage_turn"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(60))
    intent: Mapped[str | None] = mapped_column(String(120))
    outcome: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(120))
    latency_ms: Mapped[int] = mapped_column(Integer)
    conversation: Mapped[str] = mapped_column(String(32), index=True)
    practice: Mapped[bool] = mapped_column(Boolean, default=False)


class NluReviewItem(Base):
    """A message the assistant did not understand, kept for a trainer to label.

    ``text`` is the PHI-redacted message, Fernet-encrypted (``key_id`` names the key);
    ``predictions`` is JSON ``[{"intent", "confidence"}]`` (no PHI); ``label_text`` is the
    trainer's annotated example (Rasa markup), encrypted the same way.
    """

    __tablename__ = "nlu_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    channel: Mapped[str] = mapped_column(String(30))
    role: Mapped[str] = mapped_column(String(60))
    kind: Mapped[str] = mapped_column(String(60))
    text: Mapped[str] = mapped_column(Text)
    text_hash: Mapped[str] = mapped_column(String(64), index=True)
    key_id: Mapped[str] = mapped_column(String(16), index=True)
    predictions: Mapped[str] = mapped_column(Text)
    seen: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), index=True)
    label_intent: Mapped[str | None] = mapped_column(String(120))
    label_text: Mapped[str | None] = mapped_column(Text)
    reviewer: Mapped[str | None] = mapped_column(String(120))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    exported_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class OnboardingSeen(Base):
    """A staff member has been welcomed on a channel (the first-message guide is shown once)."""

    __tablename__ = "onboarding_seen"

    staff: Mapped[str] = mapped_column(String(120), primary_key=True)
    channel: Mapped[str] = mapped_column(String(30), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PracticeModeRow(Base):
    """A staff member in practice mode (assistant.practice), with their tour progress."""

    __tablename__ = "practice_mode"

    staff: Mapped[str] = mapped_column(String(120), primary_key=True)
    since: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    tour_done: Mapped[str] = mapped_column(Text, default="")


class KioskQueuedHelp(Base):
    """A kiosk help request waiting for the HMS (downtime); ``body`` is a Fernet token.

    The body is the request's form slots as JSON, encrypted with the data key. Rows from
    before encryption (``body`` NULL) keep the clear legacy columns until
    ``privacy rotate-key`` seals them.
    """

    __tablename__ = "kiosk_help_queue"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    staff: Mapped[str] = mapped_column(String(64))
    help_type: Mapped[str | None] = mapped_column(String(32))
    location_id: Mapped[str | None] = mapped_column(String(64))
    priority: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(String(500))
    queued_at: Mapped[float] = mapped_column(Float)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    body: Mapped[str | None] = mapped_column(Text)
    key_id: Mapped[str | None] = mapped_column(String(16))


class PrivacyProgress(Base):
    """Where a long privacy job (key rotation of the tracker store) stopped, to resume."""

    __tablename__ = "privacy_progress"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(String(16))
    position: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
