from __future__ import annotations

from assistant.conversation import Button, Reply
from assistant.handoff.bus import MemoryBus
from assistant.handoff.triggers import EscalatingAssistant, FallbackWatch, fallback_texts
from tests.handoff.handoff_kit import HELPDESK, REQUESTER_DM, open_ticket

REPHRASE = "Sorry, I didn't understand that. Could you say it another way?"
DEFAULT = "Sorry, I still didn't get that. You can ask what I can do, or ask for the help desk."


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


def test_triggers_fallback_texts_come_from_the_domain():
    texts = fallback_texts()
    assert REPHRASE in texts and DEFAULT in texts


async def test_triggers_two_fallbacks_in_a_row_hand_off(make_worker, slack_api):
    service = make_worker()
    inner = ScriptedAssistant(service, [Reply(REPHRASE), Reply(DEFAULT)])
    assistant = EscalatingAssistant(inner, service)
    first = await assistant.send(
        staff="n.jones", channel="slack", conversation=REQUESTER_DM, text="flibber"
    )
    assert [r.text for r in first] == [REPHRASE] and "/talk_to_human" not in inner.texts
    second = await assistant.send(
        staff="n.jones", channel="slack", conversation=REQUESTER_DM, text="flobber"
    )
    assert inner.texts[-1] == "/talk_to_human"
    assert second[-1].text.startswith("your ticket is HD-")
    card = [p for p in slack_api.calls_to("chat.postMessage") if p["channel"] == HELPDESK]
    assert len(card) == 1  # announced at once, not on the next tick


async def test_triggers_a_good_answer_resets_the_fallback_count(make_worker):
    service = make_worker()
    inner = ScriptedAssistant(
        service, [Reply(REPHRASE), Reply("Ward 4B has 2 free beds."), Reply(REPHRASE)]
    )
    assistant = EscalatingAssistant(inner, service)
    for text in ("flibber", "free beds 4B", "flobber"):
        await assistant.send(staff="n.jones", channel="slack", conversation=REQUESTER_DM, text=text)
    assert "/talk_to_human" not in inner.texts


async def test_triggers_fallback_kind_counts_and_counter_is_per_conversation():
    watch = FallbackWatch(MemoryBus(), texts=frozenset())
    fallback = [Reply("?", custom={"kind": "nlu_fallback"})]
    assert not await watch.seen("slack:a:D1", fallback)
    assert not await watch.seen("slack:b:D2", fallback)
    assert await watch.seen("slack:a:D1", fallback)


def test_triggers_outage_offer_is_not_counted_as_a_fallback():
    # an HMS outage answer offers the help desk button (/talk_to_human), it is no fallback
    offer = Reply(
        "The hospital system is not answering.",
        (Button("Contact the help desk", "/talk_to_human"),),
        {"kind": "check_bed_availability_unavailable"},
    )
    assert not FallbackWatch(MemoryBus(), texts=fallback_texts()).is_fallback([offer])
