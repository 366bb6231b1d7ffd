"""Block Kit for the help desk: the ticket card, its claimed/closed states, the transcript.

The card goes to a shared channel, so it shows only the ticket's scrubbed summary (no
patient names or MRNs: ``TicketStore`` scrubs ``summary`` and ``reason``). The transcript
is only ever rendered for the claiming agent (DM thread or ephemeral).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.handoff.tickets import Ticket

from .render import escape

CLAIM = "hd_claim"
RETURN = "hd_return"
RESOLVE = "hd_resolve"
ACTIONS = (CLAIM, RETURN, RESOLVE)
_SUMMARY_LABELS = {
    "last_task": "Was doing",
    "active_form": "Form in progress",
    "role": "Role",
    "turns": "Turns so far",
}
_MAX_TRANSCRIPT_CHARS = 2900


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def _button(action: str, text: str, ticket_id: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action,
        "text": {"type": "plain_text", "text": text},
        "value": ticket_id,
    }
    if style:
        button["style"] = style
    return button


def summary_lines(summary: Mapping[str, Any]) -> list[str]:
    """Only the known structured fields: free text could name a patient (minimum necessary)."""
    lines = []
    for key, label in _SUMMARY_LABELS.items():
        value = summary.get(key)
        if value in (None, "", [], {}) or isinstance(value, dict | list | tuple):
            continue
        shown = str(value).replace("_", " ") if isinstance(value, str) else str(value)
        lines.append(f"*{label}:* {escape(shown)[:80]}")
    return lines


def card_text(ticket: Ticket) -> str:
    return f"Help-desk ticket {ticket.ticket_id} from {ticket.requester} ({ticket.channel})"


def card_blocks(ticket: Ticket, *, note: str | None = None) -> list[dict[str, Any]]:
    """The card as first posted: summary and a Claim button."""
    head = (
        f":sos: *{ticket.ticket_id}* - {escape(ticket.requester)} via {escape(ticket.channel)}"
        f"\n*Reason:* {escape(ticket.reason.replace('_', ' '))}"
    )
    blocks = [_section(head)]
    lines = summary_lines(ticket.summary)
    if lines:
        blocks.append(_section("\n".join(lines)))
    if note:
        blocks.append(_context(note))
    blocks.append(
        {"type": "actions", "elements": [_button(CLAIM, "Claim", ticket.ticket_id, "primary")]}
    )
    return blocks


def claimed_blocks(ticket: Ticket, agent_ref: str) -> list[dict[str, Any]]:
    blocks = [b for b in card_blocks(ticket) if b["type"] != "actions"]
    blocks.append(_section(f":raising_hand: Claimed by <@{agent_ref}>"))
    blocks.append(controls(ticket.ticket_id))
    return blocks


def controls(ticket_id: str) -> dict[str, Any]:
    return {
        "type": "actions",
        "elements": [
            _button(RETURN, "Return to assistant", ticket_id),
            _button(RESOLVE, "Resolve", ticket_id, "danger"),
        ],
    }


def closed_blocks(ticket: Ticket, agent_ref: str) -> list[dict[str, Any]]:
    how = "Resolved" if ticket.status == "resolved" else "Returned to the assistant"
    blocks = [b for b in card_blocks(ticket) if b["type"] != "actions"]
    blocks.append(_section(f":white_check_mark: {how} by <@{agent_ref}>"))
    return blocks


def withdrawn_blocks(ticket: Ticket) -> list[dict[str, Any]]:
    """The card after the requester withdrew: no buttons left."""
    blocks = [b for b in card_blocks(ticket) if b["type"] != "actions"]
    blocks.append(_section(":leftwards_arrow_with_hook: Withdrawn by the requester"))
    return blocks


def emergency_text(ticket: Ticket, label: str, number: str) -> str:
    """The flag posted on the card when the requester's message was an emergency (no PHI)."""
    return (
        f":rotating_light: {ticket.ticket_id}: the requester's latest message was recognised "
        f"as an emergency ({escape(label)}); they were told to call {escape(number)} at once."
    )


def transcript_text(ticket: Ticket, messages: Sequence[Mapping[str, str]]) -> str:
    """The conversation so far, newest last, trimmed to one Slack section."""
    names = {"user": ticket.requester, "bot": "assistant", "agent": "help desk"}
    lines = [f"*{names.get(m['role'], m['role'])}:* {escape(m['text'])}" for m in messages]
    text = "\n".join(lines) or "_(no messages)_"
    if len(text) > _MAX_TRANSCRIPT_CHARS:
        text = "...\n" + text[-_MAX_TRANSCRIPT_CHARS:]
    return f"Transcript of {ticket.ticket_id} (confidential, shown to you only):\n{text}"
