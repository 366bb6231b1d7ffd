from __future__ import annotations

from assistant.conversation import Button, Reply
from assistant.handoff.triggers import EscalatingAssistant
from tests.handoff.handoff_kit import HELPDESK, REQUESTER_DM, open_ticket

REPHRASE = "Sorry, I didn't get that. Could you say it another way?"
CLARIFY = "Sorry, I'm still not sure what you need. Is it one of these?"
DEFAULT = "I can't work out what you need, sorry."


def fallback(text: str, kind: str) -> Reply:
    help_desk = (Button("Contact the help desk", "/talk_to_human"),)
    return Reply(text, help_desk, {"kind": kind})


class ScriptedAssistant:
    """Answers each text from a script; ``/talk_to_human`` opens a ticket like the action."""

    def __init__(self, service, answers):
        self.service = service
        self.answers = list(answers)
        self.texts: list[str] = []

    async def send(self, *, staff, channel, conversation, text):
        self.texts.append(text)
        if text == "/talk_to_human":
            ticket = open_ticket(self.service, f"{channel}:{staff}:{conversation}")
            return [
                Reply(
                    f"your ticket is {ticket.ticket_id}",
                    custom={
                        "kind": "talk_to_human_success",
                        "data": {"ticket_id": ticket.ticket_id},
                    },
                )
            ]
        return [self.answers.pop(0)]


async def test_triggers_fallbacks_never_open_a_ticket_by_themselves(make_worker, slack_api):
    """Escalation is offered (a button), never done on the user's behalf."""
    service = make_worker()
    replies = [
        fallback(REPHRASE, "nlu_fallback_rephrase"),
        fallback(CLARIFY, "nlu_fallback_clarify"),
        fallback(DEFAULT, "fallback_default"),
        fallback(DEFAULT, "fallback_default"),
    ]
    inner = ScriptedAssistant(service, replies)
    assistant = EscalatingAssistant(inner, service)
    for text in ("flibber", "flobber", "yes", "yes please"):
        await assistant.send(staff="n.jones", channel="slack", conversation=REQUESTER_DM, text=text)
    assert "/talk_to_human" not in inner.texts
    assert [p for p in slack_api.calls_to("chat.postMessage") if p["channel"] == HELPDESK] == []


async def test_triggers_pressing_the_offered_help_desk_announces_the_ticket(make_worker, slack_api):
    service = make_worker()
    inner = ScriptedAssistant(service, [fallback(REPHRASE, "nlu_fallback_rephrase")])
    assistant = EscalatingAssistant(inner, service)
    await assistant.send(staff="n.jones", channel="slack", conversation=REQUESTER_DM, text="x")
    opened = await assistant.send(
        staff="n.jones", channel="slack", conversation=REQUESTER_DM, text="/talk_to_human"
    )
    assert opened[-1].text.startswith("your ticket is HD-")
    card = [p for p in slack_api.calls_to("chat.postMessage") if p["channel"] == HELPDESK]
    assert len(card) == 1  # announced at once, not on the next tick
