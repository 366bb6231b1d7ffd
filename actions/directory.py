"""Names staff say for wards, clinics and clinicians, resolved against the HMS directory.

A value the HMS does not know is not dropped: ``Resolution.known`` is False and
``suggestions`` holds the nearest known ones (title, value) for buttons. Clinician names
resolve through the HMS (``Practitioner?name=`` and clinicians' ``PractitionerRole``), not
only through NLU synonyms. Patient names are never suggested (PHI).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from actions.formats import small_number
from assistant.hms.models import Service, Staff, Ward
from assistant.hms.protocol import HmsClient

MAX_SUGGESTIONS = 4
ALL_WARDS = 10  # an unknown ward is answered with (up to) this many known wards
_WARD_WORDS = re.compile(r"\b(ward|the|unit|on|in)\b", re.I)
_CLINIC_WORDS = re.compile(r"\b(clinic|department|dept|the|list|outpatients?)\b", re.I)
# words around a clinic said as an answer ("ok cardiology", "rheumatology then please")
_AROUND = re.compile(
    r"\b(ok|okay|then|please|pls|thanks|it's|its|it|is|in|into|to|for|at|on|sorry|"
    r"actually|um|er|uh|make|that|instead|no|yes|yeah|try|how|about|what)\b",
    re.I,
)
_TITLES = re.compile(r"\b(dr|doctor|prof|professor|mr|mrs|ms|miss|consultant)\b\.?", re.I)


@dataclass(frozen=True)
class Resolution:
    said: str
    value: str | None  # canonical code / username, None when unknown or ambiguous
    label: str = ""
    suggestions: tuple[tuple[str, str], ...] = ()  # (title, value)
    ambiguous: bool = False

    @property
    def known(self) -> bool:
        return self.value is not None


def _clean(text: str) -> str:
    return " ".join(re.sub(r"[^\w&' ]", " ", text).split()).casefold()


def _nearest(said: str, options: dict[str, tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """The known names closest to ``said`` (options: surface form -> (title, value))."""
    close = difflib.get_close_matches(_clean(said), list(options), n=8, cutoff=0.5)
    found: list[tuple[str, str]] = []
    for key in close:
        if options[key] not in found:
            found.append(options[key])
    return tuple(found[:MAX_SUGGESTIONS])


def ward_candidates(text: str) -> list[str]:
    """Ways to read a ward as said: 'ward four b' -> ['ward four b', 'four b', '4b', '4 b']."""
    base = " ".join(text.split())
    bare = " ".join(_WARD_WORDS.sub(" ", base).split())
    out = [base, bare]
    words = bare.split()
    if words:
        number = small_number(words[0])
        if number is not None:
            out += [f"{number}{''.join(words[1:])}", " ".join([str(number), *words[1:]])]
        number_all = small_number(bare)
        if number_all is not None:
            out.append(str(number_all))
    out.append(bare.replace(" ", ""))
    return [c for c in dict.fromkeys(out) if c]


def ward_said(text: str) -> str:
    """An unknown ward as it is named back: without "ward"/"the", numbers as digits
    ("ward three" -> '3', "the cardiac ward" -> 'cardiac', "5c" -> '5C')."""
    base = " ".join(text.split())
    bare = " ".join(_WARD_WORDS.sub(" ", base).split())  # (not the run-together reading)
    number = small_number(bare)
    if number is not None:
        return str(number)
    if bare and len(bare) <= 4 and any(ch.isdigit() for ch in bare):
        return bare.upper()  # a ward code: "5c" -> 5C
    return bare or text.strip()


_NOT_WARD_WORDS = frozenset("ward unit the on in of and care department dept".split())


def _shared_words(said: str, ward: Ward) -> int:
    """How many words (other than "ward", "unit", ...) ``said`` shares with a ward's names:
    "the cardiac ward" shares "cardiac" with the Coronary Care Unit's "Cardiac Care Unit"."""
    wanted = set(_clean(said).split()) - _NOT_WARD_WORDS
    names = set(_clean(" ".join((ward.code, ward.name, *ward.aliases))).split())
    return len(wanted & names)


def resolve_ward(wards: list[Ward], text: str) -> Resolution:
    for candidate in ward_candidates(text):
        for ward in wards:
            if ward.matches(candidate):
                return Resolution(text, ward.code, ward.name)
    options: dict[str, tuple[str, str]] = {}
    for ward in wards:
        for name in (ward.code, ward.name, *ward.aliases):
            options[_clean(name)] = (ward.name if ward.name != ward.code else ward.code, ward.code)
    sharing = sorted(
        (w for w in wards if _shared_words(text, w)), key=lambda w: -_shared_words(text, w)
    )
    near = tuple((w.name, w.code) for w in sharing) + _nearest(text, options)
    # the nearest first, then the other wards: an unknown ward is answered with the wards
    # the hospital has, not a guess or two
    every = tuple((w.name if w.name != w.code else w.code, w.code) for w in wards)
    ordered = tuple(dict.fromkeys((*near, *every)))
    return Resolution(text, None, suggestions=ordered[:ALL_WARDS])


_WORDS = re.compile(r"[a-z0-9][a-z0-9'&-]*", re.I)


def ward_in_words(wards: list[Ward], text: str) -> str | None:
    """The code of the one ward whose code, name or alias is said in ``text`` as words
    ("icu bed 4 needs cleaning" -> ICU) though NLU tagged none; never a bare number (that
    is a bed: "bed 7 needs cleaning" names no ward 7). A code of digits and letters counts
    ("4b bed 2" -> 4B). None for none or several."""
    words = _WORDS.findall(text)
    spans = {
        " ".join(words[i : i + n])
        for n in (3, 2, 1)
        for i in range(len(words) - n + 1)
        if not any(w.isdigit() for w in words[i : i + n])
    }
    found = {w.code for w in wards for span in spans if w.matches(span)}
    return found.pop() if len(found) == 1 else None


def clinic_words(text: str) -> str:
    """A clinic as said without the words around it: "ok cardiology then" -> "cardiology"."""
    return " ".join(_AROUND.sub(" ", _CLINIC_WORDS.sub(" ", text)).split()) or text.strip()


_NOT_CLINICS = re.compile(
    r"^(the|my|a|an|this|that|which|what|whose|today|tomorrow|tonight|next|morning|afternoon|"
    r"evening|monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|same|other|"
    r"another|new|her|his|their|your|our)$",
    re.I,
)
_SAID_CLINIC = (
    # "free cardiologist slots", "with a dermatologist": the specialist's clinic
    re.compile(r"\b([a-z]+olog(?:ist|ists)|physio(?:therapists?)?)\b", re.I),
    re.compile(r"\b([a-z][a-z&']+)\s+(?:clinic|outpatients)\b", re.I),
    # "gastro list for today": a clinic's list (not "the full list", "my list")
    re.compile(
        r"\b(?!(?:clinic|full|whole|waiting|ward|bed|watch|patient|appointment|job|my|the|"
        r"this|that|next|same|today'?s?|tomorrow'?s?)\b)([a-z][a-z&]+)\s+list\b",
        re.I,
    ),
    # "into optho thurs": a day said straight after (it asked "Which clinic or department?"
    # and never said 'optho' was not known)
    re.compile(
        r"\binto\s+(?:the\s+)?([a-z][a-z&']+)\s*(?:$|[.?!,]|\s+(?:on|for|at|please|today|"
        r"tomorrow|tmrw|next|this|mon|tue|tues|wed|weds|thu|thur|thurs|fri|monday|tuesday|"
        r"wednesday|thursday|friday)\b)",
        re.I,
    ),
)


def said_clinic(text: str) -> str | None:
    """A clinic named in words NLU did not tag ("book her into podiatry", "the podiatry
    clinic"), so an unknown one is answered rather than dropped; None when none is."""
    for pattern in _SAID_CLINIC:
        for match in pattern.finditer(text or ""):
            word = match.group(1)
            if not _NOT_CLINICS.match(word) and not word.lower().endswith(("'s", "s'")):
                return word  # not "Dr Patel's clinic" (a clinician's, read as such)
    return None


# the specialist for the specialty: "a cardiologist" is the cardiology clinic
_ANY = ("a", "an", "any")  # "any cardiologist": the clinic, whoever it is
_SPECIALIST = ((re.compile(r"ologists?\b"), "ology"), (re.compile(r"therapists?\b"), "therapy"))


def resolve_clinic(services: list[Service], text: str) -> Resolution:
    wanted = _clean(clinic_words(text))
    for specialist, specialty in _SPECIALIST:
        wanted = " ".join(w for w in specialist.sub(specialty, wanted).split() if w not in _ANY)
    for svc in services:
        names = (svc.code, svc.id, svc.name, _CLINIC_WORDS.sub(" ", svc.name))
        if wanted and wanted in {_clean(n) for n in names}:
            return Resolution(text, svc.code, svc.name)
    # a word of the name that starts with what was said ("derm", "ortho", "diabetes"), never
    # the middle of a word: "urology" is no clinic here, not the end of "neurology"
    starts = re.compile(rf"\b{re.escape(wanted)}") if wanted else None
    partial = [s for s in services if starts is not None and starts.search(_clean(s.name))]
    if len(partial) == 1:
        return Resolution(text, partial[0].code, partial[0].name)
    options = {_clean(s.code): (s.name, s.code) for s in services}
    options.update({_clean(_CLINIC_WORDS.sub(" ", s.name)): (s.name, s.code) for s in services})
    # none near: every clinic ("Clinics here are ..." must not leave any out)
    near = _nearest(wanted or text, options) or tuple((s.name, s.code) for s in services)
    return Resolution(text, None, suggestions=near)


def clinician_words(text: str) -> str:
    return " ".join(_TITLES.sub(" ", text.replace(".", " ")).split())


def resolve_clinician(clinicians: list[Staff], text: str) -> Resolution:
    """By username ('dr.patel'), full name, family name or given name; titles ignored."""
    said = text.strip()
    by_user = [c for c in clinicians if c.username.casefold() == said.casefold()]
    if by_user:
        return Resolution(text, by_user[0].username, _title(by_user[0]))
    words = _clean(clinician_words(said)).split()
    if not words:
        return Resolution(text, None)

    def score(staff: Staff) -> int:
        parts = _clean(staff.name).split()
        return sum(1 for w in words if w in parts)

    best = max((score(c) for c in clinicians), default=0)
    hits = [c for c in clinicians if best and score(c) == best]
    if len(hits) == 1 and best >= min(len(words), 1):
        return Resolution(text, hits[0].username, _title(hits[0]))
    if len(hits) > 1:
        return Resolution(
            text,
            None,
            suggestions=tuple((_title(c), c.username) for c in hits[:MAX_SUGGESTIONS]),
            ambiguous=True,
        )
    options = {}
    for c in clinicians:
        options[_clean(c.name)] = (_title(c), c.username)
        family = _clean(c.name).split()[-1:] or [""]
        options[family[0]] = (_title(c), c.username)
    near = (
        _nearest(" ".join(words), options)
        or tuple((_title(c), c.username) for c in sorted(clinicians, key=lambda c: c.name))[
            :MAX_SUGGESTIONS
        ]
    )
    return Resolution(text, None, suggestions=near)


def _title(staff: Staff) -> str:
    return f"Dr {staff.name.split()[-1]}" if staff.name else staff.username


async def clinicians(hms: HmsClient) -> list[Staff]:
    return [s for s in await hms.list_staff_with_role("clinician") if s.active]


async def find_clinician(hms: HmsClient, said: str) -> Resolution:
    """A clinician by username or through the HMS name search (``Practitioner?name=``:
    the full name, then the family name); when none matches, the nearest of all
    clinicians (PractitionerRole search) as suggestions."""
    if "." in said and " " not in said.strip():
        by_user = [s for s in await hms.find_staff(username=said.strip()) if s.active]
        if by_user:
            return resolve_clinician(by_user, said)
    words = clinician_words(said).split()
    for query in dict.fromkeys([" ".join(words), words[-1] if words else ""]):
        if len(query) < 2:
            continue
        hits = [s for s in await hms.find_staff(name=query) if s.active and "clinician" in s.roles]
        if hits:
            found = resolve_clinician(hits, said)
            if found.known or found.ambiguous:
                return found
    return resolve_clinician(await clinicians(hms), said)
