"""The help requests a status answer just showed, for the cancel that follows it.

"status of HR-12" then "cancel it" / "cancel that request": HR-12. "my requests" (a list)
then "cancel the first one" / "cancel the second request": that one of the list, in the
order shown (NLU may read it as an appointment cancel, or a stop). The status answer keeps
what it showed in ``last_task`` (tickets only, no PHI): ``shown`` for one request,
``requests`` for a list. The request just filed stays in ``last_task`` when the one shown
is that one, or with a list, so "make that urgent" still changes it.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.formats import ordinal_choice
from actions.helptasks import withdraws_filed
from actions.state import slots_before_turn

_CANCEL = re.compile(r"\b(?:cancel|withdraw|scrap|call\s+off)\b", re.I)
_PICK = re.compile(r"\b(?:one|request|ticket|first|second|third|last|top)\b", re.I)


def shown_events(
    tracker: Tracker, tickets: list[str], about: dict[str, str] | None = None
) -> tuple[dict[str, Any], ...]:
    """What a status answer showed, kept for "cancel it" next (``last_task``); for a list,
    the words each line showed of its description (``about``: "cancel the MRI one")."""
    if not tickets:
        return ()
    # the request filed before this question: the status question, a new request, may
    # have cleared every task slot already (``flow.fresh_start``)
    last = tracker.get_slot("last_task") or slots_before_turn(tracker).get("last_task")
    kept: dict[str, Any] = dict(last) if isinstance(last, dict) and last.get("ticket") else {}
    words = {"about": {t: about[t] for t in tickets if about.get(t)}} if about else {}
    if len(tickets) == 1 and kept.get("ticket") == tickets[0]:
        # the request just filed: kept as it was
        return (SlotSet("last_task", {**kept, **words}),)
    if len(tickets) == 1:
        shown = {"intent": "check_request_status", "shown": tickets[0], **words}
        return (SlotSet("last_task", shown),)
    # a list: kept with the request just filed, if any ("make that routine" still changes it)
    listed = {"intent": "check_request_status", **kept, "requests": tickets, **words}
    return (SlotSet("last_task", listed),)


def request_to_cancel(tracker: Tracker, text: str) -> str | None:
    """The ticket "cancel it" (one request just shown) or "cancel the first one" (a list
    just shown) means; None when the message is no such cancel."""
    if not text or text.lstrip().startswith("/"):
        return None
    last = slots_before_turn(tracker).get("last_task")
    if not isinstance(last, dict) or not (
        last.get("shown") or last.get("requests") or last.get("about")
    ):
        return None
    if last.get("shown") and withdraws_filed(text):
        return str(last["shown"])
    if not (_CANCEL.search(text) and _PICK.search(text)):
        return None
    listed = last.get("requests")
    if isinstance(listed, list) and listed:
        index = ordinal_choice(re.sub(r"\btop\b", "first", text, flags=re.I), len(listed))
        if index is not None:
            return str(listed[index])
    return described_in_list(last.get("about"), text)


def described_in_list(about: Any, text: str) -> str | None:
    """ "cancel the MRI one" right after 'Your requests: ... HR-9 porter - "wheelchair to
    MRI" ...': the one request whose words shown hold a word the message names (it was
    read as an appointment's cancel and the patient's name asked); None for none or two."""
    if not isinstance(about, dict):
        return None
    from actions.helptasks import said_words  # (actions.helptasks imports this module's users)

    words = said_words(text)
    found = [t for t, shown in about.items() if words & said_words(str(shown))]
    return str(found[0]) if words and len(found) == 1 else None
