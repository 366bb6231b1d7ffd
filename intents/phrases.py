"""Phrase fragments shared by the gateway's clause splitter and the actions (regex source).

``DETAIL_SUBJECT``: how a statement that only gives details opens ("her MRN is ...", "the
patient is ...", "it's for ..."), after any leading filler words; each user adds its own
leading words around it.
"""

from __future__ import annotations

DETAIL_SUBJECT = (
    r"(?:it'?s|it\s+is|that'?s|that\s+is"
    r"|(?:her|his|their|the)\s+(?:patient'?s?\s+)?(?:mrn|name|full\s+name|hospital\s+number"
    r"|number|date\s+of\s+birth|dob|clinic|department|time|date|day|ward|bed|doctor"
    r"|consultant|patient)\b)"
)
