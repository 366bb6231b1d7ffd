"""One message, several requests: cut it into clauses only when each stands alone as a task.

"book T.A. into cardiology on friday and show me the dermatology list" is two requests;
"porter and wheelchair to 4B bed 3", "close bed 3 and 4 on 4B" are one. A message is cut
at its coordinators (``assistant.clauses.segments``) only when, read on its own by the
conversation's NLU, every clause

- is a task the assistant carries out (not small talk, an answer, an emergency, the help
  desk or "what can you do"), read with at least ``min_confidence`` (so Rasa itself reads
  it as that task, never as a near miss);
- names a detail of its own that the task takes (an entity the catalog lists for it), or
  is read with at least ``sure_without_details`` ("what's the status of my requests");
- and, when two clauses are the same task, each names what its request is about (the
  catalog's ``subject``: "mark bed 5 clean and bed 6 dirty", but not "porter to 4B bed 7
  and then back to ward 7").

Of the ways to cut, the one with the most clauses wins. Nothing is cut while a form is
waiting for an answer (a description may well say "and"). The clauses are served in the
order given, except that those that may ask something back (a task with a form and no
follow-ups: a booking, a help request) go last, so the turn ends on its question. Each
clause is its own message to Rasa, so its entities stay with its own task.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Any

from intents.phrases import DETAIL_SUBJECT

from .reading import ClauseReader, Reading
from .segments import comma_clauses, partitions

log = logging.getLogger(__name__)

# a statement that only gives details ("her MRN is 10643380", "it's for R.K. next week",
# "the patient is Rhys Kaur"): more of the request next to it, however NLU reads it alone
_DETAILS = re.compile(
    rf"^\W*(?:(?:and|also|oh|plus|so)\s+)?(?:{DETAIL_SUBJECT}|this\s+is"
    r"|for\s+(?:patient|mr|mrs|ms|miss)\b)",
    re.I,
)
# "it" (lower case: "IT" is the help desk's kind of help), "that bed", "the bed"
_REFERENCE = re.compile(r"\bit\b|(?i:\b(?:that|the|this)\s+(?:bed|one)\b)")
_BED_ID = re.compile(r"\b[a-z0-9]{1,4}\s*-\s*\d{1,3}\b", re.I)  # "4B-06", "ICU-3": ward and bed

NOT_SPLIT = ("emergency", "talk_to_human", "ask_capabilities")
MIN_CONFIDENCE = 0.6
SURE_WITHOUT_DETAILS = 0.9
NEAR_MISS = 0.4  # a task NLU ranks first this high, though unsure (see ``near_miss``)
ASIDE = ("inform", "nlu_fallback")  # readings a near miss may rank under


@dataclass(frozen=True)
class TaskShape:
    """What the splitter needs to know of a task intent (from the catalog)."""

    entities: frozenset[str]
    subject: frozenset[str] = frozenset()
    asks_back: bool = False  # a form and no follow-ups: it may end on a question


@dataclass(frozen=True)
class ClauseRules:
    tasks: Mapping[str, TaskShape]
    min_confidence: float = MIN_CONFIDENCE
    sure_without_details: float = SURE_WITHOUT_DETAILS
    near_miss_confidence: float = NEAR_MISS

    @classmethod
    def from_catalog(cls, catalog: Any) -> ClauseRules:
        tasks = {
            i.name: TaskShape(
                entities=frozenset(i.entities),
                subject=frozenset(i.subject),
                asks_back=i.form is not None and not i.follow_up,
            )
            for i in catalog.tasks()
            if i.name not in NOT_SPLIT
        }
        return cls(MappingProxyType(tasks))

    def stands_alone(self, reading: Reading | None) -> bool:
        if reading is None or reading.intent is None or reading.intent not in self.tasks:
            return False
        if reading.confidence < self.min_confidence:
            return False
        own = reading.entities & self.tasks[reading.intent].entities
        return bool(own) or reading.confidence >= self.sure_without_details

    def near_miss(self, reading: Reading | None) -> Reading | None:
        """A clause NLU was unsure of that still says plainly which task it is: the first
        task in NLU's ranking (only "details" or "not understood" above it) reaches
        ``near_miss_confidence``, the clause names what that task is about (its subject)
        and either asks ("is bed 9 free?") or opens with that subject ("porter to 4B bed
        2", "housekeeping to 7 bed 12") - never a tail of details ("... and oxygen to ICU
        bed 4"). It is read as that task; None otherwise."""
        if reading is None:
            return None
        task = next(((n, c) for n, c in reading.ranking if n not in ASIDE), None)
        if task is None or task[0] not in self.tasks or task[1] < self.near_miss_confidence:
            return None
        subject = self.tasks[task[0]].subject
        if not reading.entities & subject:
            return None
        if not (reading.question or reading.opens_with in subject):
            return None
        return replace(reading, intent=task[0], confidence=task[1])

    def told_apart(self, readings: Iterable[Reading]) -> bool:
        """Clauses of the same task each name what their request is about."""
        seen: dict[str, int] = {}
        for reading in readings:
            intent = reading.intent or ""
            seen[intent] = seen.get(intent, 0) + 1
        for reading in readings:
            intent = reading.intent or ""
            if seen[intent] > 1 and not reading.entities & self.tasks[intent].subject:
                return False
        return True

    def read_as_tasks(self, readings: tuple[Reading | None, ...]) -> tuple[Reading, ...] | None:
        """Each clause as the task it stands for, when every one stands alone or is a near
        miss and at least one stands alone; None otherwise."""
        tasks: list[Reading] = []
        for reading in readings:
            if reading is not None and self.stands_alone(reading):
                tasks.append(reading)
                continue
            as_task = self.near_miss(reading)
            if as_task is None:
                return None
            tasks.append(as_task)
        near = [t for r, t in zip(readings, tasks, strict=True) if r is not t]
        if near and not any(t.confidence >= self.sure_without_details for t in tasks):
            # a near miss is cut off only from a request NLU is sure of - or, opening with
            # what it is about, from the same task read alone ("get a porter for bed 5 and
            # housekeeping for bed 7": kept whole, it filed one housekeeping job for bed 5)
            alone = {t.intent for r, t in zip(readings, tasks, strict=True) if r is t}
            if not all(
                t.intent in alone and t.opens_with in self.tasks[t.intent or ""].subject
                for t in near
            ):
                return None
        return tuple(tasks)

    def lend_wards(
        self, clauses: tuple[str, ...], readings: tuple[Reading, ...]
    ) -> tuple[str, ...]:
        """The clauses with the one ward the message names lent to those about a bed or a
        bed type that name none ("free beds on 4B and then porter to bed 2": bed 2 on 4B).
        With no ward, or several, nothing is lent."""
        wards = {w.casefold(): w for r in readings for w in r.wards}
        if len(wards) != 1:
            return clauses
        (ward,) = wards.values()
        ward = f"ward {ward}" if ward.isdigit() else ward
        lent = []
        for clause, reading in zip(clauses, readings, strict=True):
            takes = "ward" in self.tasks[reading.intent or ""].entities
            at = reading.bed_end
            if takes and at is not None and not reading.wards and not _BED_ID.search(clause):
                clause = f"{clause[:at]} on {ward}{clause[at:]}"  # "is bed 9 on 4B free?"
            lent.append(clause)
        return tuple(lent)

    def lend_beds(self, clauses: tuple[str, ...], readings: tuple[Reading, ...]) -> tuple[str, ...]:
        """The one bed the message names put for "it" / "that bed" in a clause whose task
        takes a bed and that names no bed or ward ("close bed 3 and get maintenance for
        it" -> "... for bed 3"), with the one ward named, if any."""
        beds = {b.casefold(): b for r in readings for b in r.beds}
        wards = {w.casefold(): w for r in readings for w in r.wards}
        if len(beds) != 1 or len(wards) > 1:
            return clauses
        (bed,) = beds.values()
        bed = f"bed {bed}" if bed.isdigit() else bed
        ward = next(iter(wards.values()), None)
        if ward is not None and not _BED_ID.search(bed):
            bed = f"{bed} on {'ward ' + ward if ward.isdigit() else ward}"
        lent = []
        for clause, reading in zip(clauses, readings, strict=True):
            takes = "bed" in self.tasks[reading.intent or ""].entities
            if takes and not reading.entities & {"bed", "ward"}:
                clause = _REFERENCE.sub(bed, clause, count=1)
            lent.append(clause)
        return tuple(lent)

    def details_of_another(self, clauses: tuple[str, ...], readings: tuple[Reading, ...]) -> bool:
        """A clause is only a statement of details ("... and her MRN is 10643380") that
        another clause's task takes: it belongs to that request, so the message is not cut
        this way (the whole message keeps every detail for the one task)."""
        for i, (clause, reading) in enumerate(zip(clauses, readings, strict=True)):
            if reading.question or not reading.entities or not _DETAILS.search(clause):
                continue
            for j, other in enumerate(readings):
                takes = self.tasks[other.intent or ""].entities if other.intent else frozenset()
                if j != i and other.intent != reading.intent and reading.entities <= takes:
                    return True
        return False

    def serving_order(self, clauses: tuple[str, ...], readings: tuple[Reading, ...]) -> list[str]:
        """As given, those that may ask something back last."""
        pairs = list(zip(clauses, readings, strict=True))
        later = [c for c, r in pairs if self.tasks[r.intent or ""].asks_back]
        return [c for c, r in pairs if not self.tasks[r.intent or ""].asks_back] + later


class ClauseSplitter:
    """``await split(sender, text)``: the clauses to serve one after the other (the text
    alone when it is one request, or when anything needed to tell is unavailable)."""

    def __init__(self, reader: ClauseReader, rules: ClauseRules) -> None:
        self.reader = reader
        self.rules = rules

    async def aclose(self) -> None:
        close = getattr(self.reader, "aclose", None)
        if close is not None:
            await close()

    async def split(self, sender: str, text: str) -> list[str]:
        ways = partitions(text)
        if not ways:
            return await self._repeated(sender, text)
        distinct = sorted({c for way in ways for c in way})
        read = await asyncio.gather(*(self.reader.read(sender, c) for c in distinct))
        readings = dict(zip(distinct, read, strict=True))
        for way in ways:  # most clauses first
            found = self.rules.read_as_tasks(tuple(readings[c] for c in way))
            if (
                found is not None
                and self.rules.told_apart(found)
                and not self.rules.details_of_another(way, found)
            ):
                return await self._unless_form(sender, text, way, found)
        return [text]

    async def _repeated(self, sender: str, text: str) -> list[str]:
        """ "4B bed 2 needs cleaning, 7 bed 1 needs cleaning": the same request said again
        for another subject after a comma - every clause that task, standing alone, each
        naming its own subject (a comma that only adds details is no cut)."""
        clauses = comma_clauses(text)
        if not clauses:
            return [text]
        read = await asyncio.gather(*(self.reader.read(sender, c) for c in clauses))
        if any(r is None or not self.rules.stands_alone(r) for r in read):
            return [text]
        readings = tuple(r for r in read if r is not None)
        intents = {r.intent for r in readings}
        subject = self.rules.tasks[readings[0].intent or ""].subject
        if len(intents) != 1 or not subject or not self.rules.told_apart(readings):
            return [text]
        return await self._unless_form(sender, text, clauses, readings)

    async def _unless_form(
        self, sender: str, text: str, way: tuple[str, ...], readings: tuple[Reading, ...]
    ) -> list[str]:
        if await self.reader.form_active(sender) is not False:
            return [text]  # a form waits (or cannot tell): the form's answer, read whole
        log.info(
            "one message, %d requests: %s", len(way), ", ".join(r.intent or "" for r in readings)
        )
        lent = self.rules.lend_beds(self.rules.lend_wards(way, readings), readings)
        return self.rules.serving_order(lent, readings)
