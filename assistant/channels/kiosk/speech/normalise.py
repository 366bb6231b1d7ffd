"""Spoken forms -> the written forms the NLU was trained on.

"ward four b" -> "ward 4B", "bed twelve" -> "bed 12", "one zero zero zero four eight two
one" -> "10004821", "two thirty" -> "2:30", "i c u" -> "ICU". The inverse,
:func:`spoken`, turns written training text into what a speaker says (used to build the
language model), so both directions share one table of number words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
WORD_VALUE = {w: i for i, w in enumerate(UNITS)} | TENS
DIGIT_WORDS = {w: str(i) for i, w in enumerate(UNITS[:10])} | {"oh": "0"}
LETTERS = set("abcdefghijklmnopqrstuvwxyz")
WARD_LETTERS = set("abcdefgh")
MIN_DIGIT_RUN = 4
HOURS = {w: WORD_VALUE[w] for w in UNITS[1:13]}
ORDINALS = {
    f"{n}{suffix}": word
    for n, suffix, word in [
        (1, "st", "first"),
        (2, "nd", "second"),
        (3, "rd", "third"),
        (4, "th", "fourth"),
        (5, "th", "fifth"),
        (6, "th", "sixth"),
        (7, "th", "seventh"),
        (8, "th", "eighth"),
        (9, "th", "ninth"),
        (10, "th", "tenth"),
        (11, "th", "eleventh"),
        (12, "th", "twelfth"),
        (20, "th", "twentieth"),
        (21, "st", "twenty first"),
        (30, "th", "thirtieth"),
    ]
}
NUMBER_CONTEXT = {"bed", "beds", "bay", "room", "ward", "bays", "number"}


def _number_at(tokens: list[str], i: int) -> tuple[int, int] | None:
    """Parse a cardinal 0..59 starting at ``tokens[i]``: (value, tokens used)."""
    word = tokens[i]
    if word in TENS:
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ""
        if nxt in WORD_VALUE and 0 < WORD_VALUE[nxt] < 10:
            return TENS[word] + WORD_VALUE[nxt], 2
        return TENS[word], 1
    if word in WORD_VALUE:
        return WORD_VALUE[word], 1
    if word.isdigit():
        return int(word), 1
    return None


def _minutes_at(tokens: list[str], i: int) -> tuple[int, int] | None:
    if i >= len(tokens):
        return None
    if tokens[i] in {"oh", "o"} and i + 1 < len(tokens) and tokens[i + 1] in UNITS[1:10]:
        return WORD_VALUE[tokens[i + 1]], 2
    parsed = _number_at(tokens, i)
    if parsed and 10 <= parsed[0] <= 59:
        return parsed
    return None


def normalise(text: str, ward_codes: Iterable[str] = ()) -> str:
    """Rewrite a recogniser hypothesis into written form for the NLU."""
    codes = {c.upper() for c in ward_codes}
    tokens = re.sub(r"[^a-z0-9' ]", " ", text.lower()).split()
    out: list[str] = []
    i = 0
    while i < len(tokens):
        word = tokens[i]
        prev = out[-1].lower() if out else ""
        # MRN / long digit strings: four or more digit words in a row.
        run = 0
        while i + run < len(tokens) and tokens[i + run] in DIGIT_WORDS:
            run += 1
        if run >= MIN_DIGIT_RUN:
            out.append("".join(DIGIT_WORDS[t] for t in tokens[i : i + run]))
            i += run
            continue
        number = _number_at(tokens, i)
        if number is not None:
            value, used = number
            after = tokens[i + used] if i + used < len(tokens) else ""
            # Ward codes: number + letter ("four b" -> 4B).
            code = f"{value}{after.upper()}"
            if after in LETTERS and (code in codes or (not codes and after in WARD_LETTERS)):
                out.append(code)
                i += used + 1
                continue
            # Times: hour + minutes ("two thirty"), "two o'clock", "half past two".
            if word in HOURS and prev not in NUMBER_CONTEXT and used == 1:
                minutes = _minutes_at(tokens, i + 1)
                if minutes is not None:
                    out.append(f"{value}:{minutes[0]:02d}")
                    i += 1 + minutes[1]
                    continue
                if after in {"o'clock", "oclock"}:
                    out.append(f"{value}:00")
                    i += 2
                    continue
            out.append(str(value))
            i += used
            continue
        if word in {"half", "quarter"} and i + 2 < len(tokens) and tokens[i + 1] == "past":
            hour = tokens[i + 2]
            if hour in HOURS:
                out.append(f"{HOURS[hour]}:{30 if word == 'half' else 15:02d}")
                i += 3
                continue
        # Spelled letters: "i c u" -> ICU, "a and e" -> A&E.
        if word in LETTERS and len(word) == 1:
            if tokens[i : i + 3] == ["a", "and", "e"]:
                out.append("A&E")
                i += 3
                continue
            letters = 0
            while (
                i + letters < len(tokens)
                and len(tokens[i + letters]) == 1
                and tokens[i + letters] in LETTERS
            ):
                letters += 1
            if letters >= 2:
                out.append("".join(tokens[i : i + letters]).upper())
                i += letters
                continue
        out.append(word)
        i += 1
    return " ".join(out)


def number_words(value: int) -> str:
    """0..99 as words ("twenty one")."""
    if value < 20:
        return UNITS[value]
    tens, unit = divmod(value, 10)
    name = {v: k for k, v in TENS.items()}.get(tens * 10, "")
    if not name:
        raise ValueError(f"no words for {value}")
    return name if unit == 0 else f"{name} {UNITS[unit]}"


def spoken(text: str) -> str:
    """Written text -> how it is said: "4B" -> "four b", "10004821" -> digits, "2:30"."""
    words: list[str] = []
    for token in re.sub(r"[^A-Za-z0-9:&' ]", " ", text).split():
        if re.fullmatch(r"\d{1,2}:\d\d", token):
            hour, minute = token.split(":")
            words.append(number_words(int(hour)))
            if minute != "00":
                mins = int(minute)
                words.append(number_words(mins) if mins >= 10 else f"oh {UNITS[mins]}")
            else:
                words.append("o'clock")
        elif token.isdigit():
            if len(token) >= MIN_DIGIT_RUN or int(token) > 59:
                words.extend(UNITS[int(d)] for d in token)
            else:
                words.append(number_words(int(token)))
        elif m := re.fullmatch(r"(\d{1,2})(am|pm)", token.lower()):
            words.extend([number_words(int(m.group(1))), m.group(2)[0], "m"])
        elif token.lower() in ORDINALS:
            words.append(ORDINALS[token.lower()])
        elif m := re.fullmatch(r"(\d{1,2})([A-Za-z])", token):
            words.extend([number_words(int(m.group(1))), m.group(2).lower()])
        elif token.lower() in {"a&e", "a&amp;e"}:
            words.extend(["a", "and", "e"])
        elif "&" in token:
            words.extend(part.lower() for part in token.split("&") if part)
        else:
            words.append(token.lower())
    return " ".join(words)
