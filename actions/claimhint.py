"""'claim the first one' right after the help-desk queue was listed: where tickets are
claimed, said plainly.

Help-desk agents claim a ticket with the Claim button on its card in the Slack help-desk
channel (the card carries the conversation; docs/handoff.md). Asked here, "claim the
first one" / "I'll take it" was "Sorry, I didn't get that", then "still not sure".
"""

from __future__ import annotations

import re

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.state import last_answer

_CLAIM = re.compile(r"\b(?:claim|take|grab|pick\s+up|assign|have)\b", re.I)
LISTED = ("handoff_queue_success", "handoff_queue_none", "handoff_queue_ticket")


def last_answer_kinds(tracker: Tracker) -> list[str]:
    """The kinds of the assistant's replies to the message before the latest one."""
    return [
        str(((e.get("data") or {}).get("custom") or {}).get("kind") or "")
        for e in last_answer(tracker)
    ]


def claims_from_the_queue(tracker: Tracker, text: str) -> bool:
    return bool(_CLAIM.search(text or "")) and any(k in LISTED for k in last_answer_kinds(tracker))


def say_where_to_claim(dispatcher: CollectingDispatcher) -> None:
    dispatcher.utter_message(
        text=(
            "Tickets are claimed in the Slack help-desk channel: press Claim on the ticket's "
            "card there, and you'll talk with the requester in its thread."
        ),
        json_message={"phi": False, "kind": "handoff_claim_where", "data": {}},
    )
