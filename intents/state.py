"""The dialogue's own bookkeeping slots (not catalog data: the machinery that runs it).

All are set by actions only (``custom`` mappings): no user message or button payload can
set them. None influences the dialogue policies; actions read them.
"""

from __future__ import annotations

from types import MappingProxyType

STATE_SLOTS = MappingProxyType(
    {
        "pending": "the step a task waits on outside a form ('book_appointment:offer')",
        "stash": "an interrupted task and its slot values, offered again afterwards",
        "offered": "record ids the last answer offered as choices (slots, appointments)",
        "confirmed": "the record the user was asked to confirm, re-checked before writing",
        "misses": "'<slot>:<n>': how often the current question went unanswered",
        "fallbacks": "how many messages in a row were not understood",
        "offer_after": "start time after which 'other times' looks for slots",
        "breakglass_patient": "patient id (a reference) emergency access was offered for",
        "slot_id": "the appointment slot the user chose from the offered ones",
        "appointment_id": "the appointment the user chose from the offered ones",
        "last_task": "the question just answered and its details (for 'and friday?')",
    }
)

# entities that only button payloads carry (the choice among offered records); they fill
# no slot: the action checks them against ``offered``
CHOICE_ENTITIES = ("slot_id", "appointment_id")
