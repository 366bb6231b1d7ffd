"""A yes or a no sent as an emoji ("👍", Slack's ":+1:"): the word, so every step that asks
"Shall I book it?" reads it like a typed yes. Only a message made of such emoji alone is
read this way; an emoji beside words is left to the words."""

from __future__ import annotations

import re

_YES = (
    "👍",
    "👌",
    "✅",
    "✔",
    "☑",
    ":+1:",
    ":thumbsup:",
    ":ok_hand:",
    ":white_check_mark:",
    ":heavy_check_mark:",
    ":ballot_box_with_check:",
)
_NO = ("👎", "❌", "✖", ":-1:", ":thumbsdown:", ":x:", ":no_entry_sign:")
# skin tones (U+1F3FB..F), Slack's ":skin-tone-N:", variation selectors and joiners
_MODIFIERS = re.compile(r"[\U0001F3FB-\U0001F3FF\uFE0F\u200D]|:skin-tone-\d:")


def as_words(text: str) -> str:
    """``text``, with a message of only yes (or only no) emoji replaced by "yes" ("no")."""
    bare = _MODIFIERS.sub("", text).strip()
    if not bare:
        return text
    for word, marks in (("yes", _YES), ("no", _NO)):
        rest = bare
        for mark in sorted(marks, key=len, reverse=True):
            rest = rest.replace(mark, " ")
        if rest.strip() == "" and rest != bare:
            return word
    return text
