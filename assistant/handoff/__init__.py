"""Help-desk handoff: tickets (assistant store), relay and timers."""

from __future__ import annotations

from assistant.handoff.tickets import (
    Ticket,
    TicketAlreadyClaimed,
    TicketError,
    TicketNotFound,
    TicketStateError,
    TicketStore,
)

__all__ = [
    "Ticket",
    "TicketAlreadyClaimed",
    "TicketError",
    "TicketNotFound",
    "TicketStateError",
    "TicketStore",
]
