"""What the requester is told while waiting for the help desk, and when they withdraw.

Every reply carries ``custom = {"phi": False, "kind", "data"}``: ``handoff_waiting``
(``data = {ticket_id, claimed_by?}``) and ``handoff_withdrawn`` (``data = {ticket_id}``).
"""

from __future__ import annotations

from assistant.conversation import Reply
from assistant.conversation.kinds import HandoffWaitingData, HandoffWithdrawnData
from assistant.handoff.tickets import Ticket

PASSED = "Passed to the help desk (ticket {ticket}). They will answer here."
STILL_WAITING = (
    "Passed to the help desk (ticket {ticket}); still waiting for someone to pick it up."
)
WITH_AGENT = "Passed to {agent} on the help desk (ticket {ticket})."
WITHDRAW_HINT = ' Say "cancel" if you no longer need help.'
WAITING = "You are already waiting for the help desk (ticket {ticket}). Write here to add to it."
WITHDRAWN = "OK, I've withdrawn ticket {ticket}: you're back with the assistant. How can I help?"
WAITING_KIND = "handoff_waiting"
WITHDRAWN_KIND = "handoff_withdrawn"


def waiting_reply(text: str, ticket: Ticket) -> Reply:
    data = HandoffWaitingData(ticket_id=ticket.ticket_id)
    if ticket.status == "claimed" and ticket.claimer:
        data["claimed_by"] = ticket.claimer
    return Reply(text, custom={"phi": False, "kind": WAITING_KIND, "data": data})


def acknowledgement(ticket: Ticket, *, first: bool = False) -> Reply:
    """The short answer to each message while waiting: delivered, and who has it."""
    tid = ticket.ticket_id
    if ticket.status == "claimed" and ticket.claimer:
        return waiting_reply(WITH_AGENT.format(agent=ticket.claimer, ticket=tid), ticket)
    text = (PASSED if first else STILL_WAITING).format(ticket=tid)
    return waiting_reply(text + (WITHDRAW_HINT if first else ""), ticket)


def withdrawn_reply(ticket_id: str) -> Reply:
    return Reply(
        WITHDRAWN.format(ticket=ticket_id),
        custom={
            "phi": False,
            "kind": WITHDRAWN_KIND,
            "data": HandoffWithdrawnData(ticket_id=ticket_id),
        },
    )
