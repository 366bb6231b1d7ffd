"""An order to change a bed's status, whatever task NLU ranked.

"need to block a bed" (NLU: a help request - it asked "What kind of help?"), "block a bed
on ward nine" / "can you block bed 4" (NLU: not understood) are bed managers' and nurses'
plainest words for closing a bed. A message that leads with a status verb said of a bed
(close, block, unblock, reopen), with only asking words before it and no kind of help,
patient, watch or question word anywhere, is served as ``update_bed_status``.
"""

from __future__ import annotations

import re

from actions.state import Turn, blanked

# what may come before the verb: "ok", "can you", "I need to", "we'll have to"
_LEAD = (
    r"(?:(?:ok|okay|so|and|also|right|please|pls|just|quickly|hi|hey|"
    r"can|could|would|will|you|i|we|i'?d|we'?d|need|needs|have|has|got|gotta|want|like|"
    r"going|gonna|to|must|should|let'?s|'ll|ll)\W+)*"
)
# the verb said of a bed; "take bed 4 out of use" reads as a status phrase already
_VERB = r"(?:block|unblock|close|re-?open|open\s+up)"
# between the verb and "bed": a determiner or a number / code ("close the", "block one",
# "close 4B"); entity spans are blanked first ("block ICU bed 4")
_BETWEEN = r"(?:(?:a|an|the|that|this|another|one|two|of|my|our|up|off|down|\w*\d\w*)\s+){0,3}"
_ORDER = re.compile(rf"^\W*{_LEAD}{_VERB}\s+{_BETWEEN}beds?\b", re.I)
# a bed watch, a question, a request for someone else's job: never a status change
_NOT_AN_ORDER = re.compile(
    r"\b(?:watch|watches|alert|alerts|notify|notification|tell\s+me|let\s+me\s+know|when|"
    r"curtains?|door|window|ticket|request|job|task)\b",
    re.I,
)
_OTHER_THINGS = frozenset(
    {"help_type", "mrn", "patient_name", "ticket_id", "clinician", "department", "time", "slot_id"}
)


def orders_a_bed_change(turn: Turn) -> bool:
    """Whether the message orders a bed's status changed ("need to block a bed", "close a
    bed on 4B", "can you reopen ICU bed 1") - typed, leading with the verb said of a bed,
    naming nothing but a ward or a bed."""
    if turn.is_payload or not turn.text.strip():
        return False
    if {str(e.get("entity")) for e in turn.entities} & _OTHER_THINGS:
        return False
    text = blanked(turn.text, turn.spans("ward"))
    if _NOT_AN_ORDER.search(text):
        return False
    return bool(_ORDER.search(text)) or _bed_id_with_a_status(turn.text)


# the words before a bed id leading the message: "ok ed-23 needs a clean"
_BEFORE_ID = re.compile(r"^\W*(?:(?:ok|so|right|pls|please)\W+)*", re.I)


def _leads_with_a_bed_id(text: str) -> bool:
    """ "ed-23 ...", "4b-13 ...", "ICU-05 ...": a bed id with a lettered ward code, as
    ``beds.bed_number`` reads one ("7-04" is left: a bare number pair is no id to lead
    with)."""
    from actions.beds import bed_number

    words = _BEFORE_ID.sub("", text).split(maxsplit=1)
    ward, number = bed_number(words[0]) if words and "-" in words[0] else (None, None)
    return bool(ward and number and not ward.isdigit())


def _bed_id_with_a_status(text: str) -> bool:
    """ "ed-23 needs a clean", "4b-13 dirty" (NLU: not understood - it said "Sorry, I
    didn't get that"): a bed id, then a status; never a question ("is ED-23 clean?")."""
    from actions.beds import bed_status_code
    from actions.reading import asks_how_things_are

    if not _leads_with_a_bed_id(text) or text.rstrip().endswith("?") or asks_how_things_are(text):
        return False
    return bed_status_code(text) is not None


def asks_who_is_in_a_bed(turn: Turn) -> bool:
    """ "where is the patient in bed 1" (NLU: find a patient, with a bed and no name): who
    is in that bed - it asked for the patient's full name."""
    named = {e.get("entity") for e in turn.entities}
    return (
        not turn.is_payload
        and turn.intent == "find_patient"
        and "bed" in named
        and not named & {"patient_name", "mrn"}
    )
