"""Patient names and MRNs kept out of a help request's description.

"Briefly, what is needed? (Please no patient names.)" ... "Emily Lloyd 10176509 needs to
go to xray": the job was filed with the name and MRN in its description, which every
porter (or IT, housekeeping) who lists jobs may read, and nothing was said. The names NLU
tagged in the message and the MRNs in it are now left out ("[name] [mrn] needs to go to
xray"), and the reply says so: whoever takes the job goes by the bed.
"""

from __future__ import annotations

import re

from actions.formats import MrnFormat
from actions.slotvalues import Reply
from actions.state import Turn

REMOVED_KIND = "help_description_phi_removed"
_DIGITS = re.compile(r"(?<![\w-])\d[\d\s-]{4,}\d(?![\w-])")


def scrub(description: str, turn: Turn, mrn: MrnFormat) -> tuple[str, list[str]]:
    """The description without the patient names NLU tagged in ``turn`` and without MRNs
    (the hospital's MRN form), and what was left out ("name", "MRN")."""
    removed: list[str] = []
    text = description
    # a name as NLU tagged it: two words or more, or capitalised ("Lloyd"), so a word
    # mistagged in lower case ("xray") stays
    names = [
        str(v).strip()
        for v, at in turn.values("patient_name")
        if len(str(v).split()) >= 2 or turn.text[at : at + 1].isupper()
    ]
    for name in sorted(names, key=len, reverse=True):
        pattern = re.compile(rf"(?i)\b{re.escape(name)}\b")
        if pattern.search(text):
            text = pattern.sub("[name]", text)
            if "name" not in removed:
                removed.append("name")

    def mrn_out(match: re.Match[str]) -> str:
        if mrn.find(match.group()) is None:
            return match.group()
        if "MRN" not in removed:
            removed.append("MRN")
        return "[mrn]"

    text = _DIGITS.sub(mrn_out, text)
    return " ".join(text.split()), removed


def removed_reply(removed: list[str]) -> Reply:
    said = " and ".join("the patient's name" if r == "name" else "the MRN" for r in removed)
    return Reply(
        f"I've left {said} out of the description: whoever takes the job goes by the bed.",
        REMOVED_KIND,
        {"removed": removed},
    )
