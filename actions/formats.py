"""The formats staff really use: number words, the hospital's MRN and ticket-id forms.

Channel-independent: typed "bed twelve", a spoken "one oh oh four eight two one" and a
Slack "HD-1042" all come through here. Identifier forms are settings (``MRN_PATTERN``,
``TICKET_PREFIXES``, ``TICKET_DIGITS``), because every hospital's differ.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DIGIT_WORDS = {
    "zero": 0,
    "oh": 0,
    "o": 0,
    "nought": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
}
TEENS = {
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
}
_WORD = re.compile(r"[a-z]+|\d+", re.I)


def small_number(text: str | None) -> int | None:
    """A number said as digits or words up to 999: '12', 'twelve', 'twenty one', 'one two'."""
    if not text:
        return None
    tokens = [t.lower() for t in _WORD.findall(text.replace("-", " "))]
    tokens = [t for t in tokens if t not in ("and", "number", "no", "bed", "bay")]
    if not tokens:
        return None
    if all(t.isdigit() for t in tokens):
        return int("".join(tokens)) if len("".join(tokens)) <= 3 else None
    if all(t in DIGIT_WORDS for t in tokens) and len(tokens) <= 3:  # "one two" = 12
        return int("".join(str(DIGIT_WORDS[t]) for t in tokens))
    total, current = 0, 0
    for token in tokens:
        if token.isdigit():
            current += int(token)
        elif token in DIGIT_WORDS:
            current += DIGIT_WORDS[token]
        elif token in TEENS:
            current += TEENS[token]
        elif token in TENS:
            current += TENS[token]
        elif token == "hundred":  # noqa: S105 - a number word, not a password
            current = max(current, 1) * 100
        else:
            return None
    total += current
    return total if 0 < total < 1000 else None


def words_to_digits(text: str) -> str:
    """Spoken digits to digits, run by run: 'one oh oh four' -> '1004' (other words kept)."""
    out: list[str] = []
    run: list[str] = []
    for token in text.replace("-", " ").split():
        low = token.lower().strip(".,")
        if low in DIGIT_WORDS or low.isdigit():
            run.append(str(DIGIT_WORDS.get(low, low)))
            continue
        if low in ("double", "triple") and run is not None:
            run.append(low)
            continue
        if run:
            out.append(_expand(run))
            run = []
        out.append(token)
    if run:
        out.append(_expand(run))
    return " ".join(out)


def _expand(run: list[str]) -> str:
    """['double', '4', '8'] -> '448' ("double four eight")."""
    digits: list[str] = []
    repeat = 1
    for item in run:
        if item == "double":
            repeat = 2
        elif item == "triple":
            repeat = 3
        else:
            digits.append(item * repeat)
            repeat = 1
    return "".join(digits)


@dataclass(frozen=True)
class MrnFormat:
    """The hospital's MRN: a regular expression over the identifier (default 6-10 digits)."""

    pattern: str = r"\d{6,10}"

    @property
    def regex(self) -> re.Pattern[str]:
        return re.compile(self.pattern, re.IGNORECASE)

    def describe(self) -> str:
        match = re.fullmatch(r"\\d\{(\d+)(?:,(\d+))?\}", self.pattern)
        if match and match.group(2):
            return f"{match.group(1)} to {match.group(2)} digits"
        if match:
            return f"{match.group(1)} digits"
        return "the hospital number on the wristband"

    def find(self, text: str | None) -> str | None:
        """The MRN in ``text`` ('mrn 1004 821', 'one oh oh four...'), or None."""
        if not text:
            return None
        spoken = words_to_digits(text)
        candidates = re.findall(r"[A-Za-z]*\d[\d\s-]*\d|\d", spoken)
        for raw in sorted(candidates, key=len, reverse=True):
            compact = re.sub(r"[\s-]", "", raw)
            for value in (compact, re.sub(r"^[A-Za-z]+", "", compact)):
                if value and self.regex.fullmatch(value):
                    return value.upper()
        return None

    def is_mrn(self, text: str | None) -> bool:
        """True when ``text`` is just an MRN (perhaps with 'mrn', 'number', spaces)."""
        if not text:
            return False
        rest = re.sub(
            r"\b(mrn|m r n|hospital|number|no|it's|its|is|the|patient)\b", " ", text, flags=re.I
        )
        return self.find(rest) is not None and not re.search(
            r"[a-z]{3,}", words_to_digits(rest), re.I
        )


@dataclass(frozen=True)
class TicketFormat:
    """Ticket ids: prefixes (HR = help request, HD = help desk) and the zero-padded width."""

    prefixes: tuple[str, ...] = ("HR", "HD")
    digits: int = 6

    def canonical(self, prefix: str, number: int) -> str:
        return f"{prefix.upper()}-{number:0{self.digits}d}"

    def find(self, text: str | None) -> list[str]:
        """Candidate ids, most specific first: 'HD-1042' -> ['HD-001042'];
        'ticket 1042' / 'request 1042' -> one id per prefix."""
        if not text:
            return []
        spoken = words_to_digits(text)
        alternation = "|".join(re.escape(p) for p in self.prefixes)
        explicit = re.search(rf"\b({alternation})[\s#:-]*(\d{{1,{self.digits}}})\b", spoken, re.I)
        if explicit:
            return [self.canonical(explicit.group(1), int(explicit.group(2)))]
        bare = re.search(
            rf"\b(?:ticket|request|job|reference|ref|number|no)\.?[\s#:-]*(\d{{1,{self.digits}}})\b",
            spoken,
            re.I,
        ) or re.fullmatch(rf"\s*#?(\d{{1,{self.digits}}})\s*", spoken)
        if bare:
            return [self.canonical(p, int(bare.group(1))) for p in self.prefixes]
        return self._in_words(text, alternation)

    def _in_words(self, text: str, alternation: str) -> list[str]:
        """'ticket twelve', 'hr twenty one' (a number said in words, as at the kiosk)."""
        worded = re.search(
            rf"\b({alternation}|ticket|request|job|reference|ref)\.?[\s#:-]+"
            r"([a-z]+(?:[\s-]+[a-z]+){0,3})",
            text,
            re.I,
        )
        if not worded:
            return []
        words = worded.group(2).split()
        for size in range(len(words), 0, -1):
            number = small_number(" ".join(words[:size]))
            if number is not None:
                key = worded.group(1).upper()
                prefixes = (key,) if key in {p.upper() for p in self.prefixes} else self.prefixes
                return [self.canonical(p, number) for p in prefixes]
        return []


def ordinal_choice(text: str | None, count: int) -> int | None:
    """'the second one' / '2' / 'last' -> a 0-based index into ``count`` offered choices."""
    if not text or count <= 0:
        return None
    low = text.lower()
    for word, number in ORDINALS.items():
        if re.search(rf"\b{re.escape(word)}\b", low):
            return count - 1 if number == -1 else (number - 1 if number <= count else None)
    bare = re.fullmatch(r"\s*(?:option|number|no\.?)?\s*(\d)\s*", low)
    if bare and 1 <= int(bare.group(1)) <= count:
        return int(bare.group(1)) - 1
    return None


_ACRONYMS = frozenset({"ent", "ed", "icu", "hdu", "ccu", "gp", "ecg", "mri", "ct"})


def clinic_word(code: str | None) -> str:
    """A clinic's service code as said in a reply: "dermatology" -> "Dermatology", "ent" ->
    "ENT" (title case made "Ent")."""
    word = code or "clinic"
    return word.upper() if word.casefold() in _ACRONYMS else word.title()


# a bed label whose ward code is a bare number ("7 Bed 3", the HMS's own name for it):
# said with the word "Ward" ("Ward 7 Bed 3"), as the HMS names such a ward ("Ward 7")
_NUMBERED_WARD_BED = re.compile(r"(?<![\w-])(?<!Ward )(?<!ward )(\d{1,3}) Bed (\d{1,3})\b")


def ward_said(code: str, name: str | None = None) -> str:
    """How a ward is named in a sentence: its code ("4B", "ICU"), or, when the code is a
    bare number, its HMS name ("Ward 7") - "IT request for 7" reads as a bed or a count."""
    if not code.isdigit():
        return code
    return name if name and name.split()[-1] == code else f"Ward {code}"


def spoken_beds(text: str) -> str:
    """``text`` with every bed of a numbered ward said with its ward ("Done: Ward 7 Bed 3
    is now closed"); the reply's data keeps the HMS's label."""
    return _NUMBERED_WARD_BED.sub(r"Ward \1 Bed \2", text)
