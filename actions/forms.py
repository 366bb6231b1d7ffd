"""Form validation for every catalog form: one class, instantiated per form.

Each turn while a form waits for an answer:
1. a user whose roles lack the task's permission ends the form at once (no patient details
   are collected from them; the guarded action then refuses and audits);
2. a message that is not an answer - another task, stop, an emergency, small talk - rejects
   the form, so the rules serve it (a task is then followed by the offer to resume);
   in free-text questions any wording is the answer, except "stop" and an emergency the
   gateway's safety net did not already clear (``metadata.safety == "none"``);
3. every slot the message names is filled, in any order, through the slot's check
   (``actions.slotvalues``); "no, 4A not 4B" keeps 4A; "wrong patient" takes the patient
   back; a changed value is confirmed back;
4. a question left unanswered counts as a miss; the third miss ends the form (the guarded
   action then offers the help desk), so no question is asked a fourth time.
Checks that need the HMS directory (ward, clinic, clinician names) read it through
``actions.base.guarded_reader`` (principal, permission, audit).
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecutionRejected, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction

from actions.anotherhelp import (
    another_help_request,
    first_of_two,
    hold_another_request,
    say_held,
)
from actions.base import guarded_reader, lacks_permission, lacks_ward, sole_ward
from actions.bedcheck import check_bed
from actions.beds import bed_answer, said_beds, said_ward, says_own_ward
from actions.destination import corrected_destination
from actions.directory import said_clinic, ward_in_words
from actions.flow import asks_to_carry_on, wrong_thing
from actions.formats import MrnFormat
from actions.freetext import say_take_your_time, waits
from actions.helpplace import a_ward_thing, in_a_bay
from actions.locatename import name_located
from actions.mrnname import lower_case_name
from actions.patientcheck import check_patient
from actions.phidescription import removed_reply, scrub
from actions.reading import (
    DOCTOR,
    alternatives,
    answered_already,
    answers_anyway,
    corrects,
    corrects_in_free_text,
    drop_doctor,
    form_slots,
    is_interruption,
    only_ruled_out,
    resolve_values,
    said_clinician,
)
from actions.referent import PATIENT_SLOTS, patient_in_hand, refers_to_patient
from actions.retime import adds_a_time, moved_to
from actions.sayback import changed_text, noted_phrase
from actions.services import get_services
from actions.shownslots import picked_shown
from actions.slotvalues import (
    CHECKS,
    CheckContext,
    Reply,
    describes,
    infer,
    name_beside,
    no_value_here,
)
from actions.state import (
    MAX_MISSES,
    Turn,
    extracted_this_turn,
    next_miss,
    set_by_actions_this_turn,
    slots_before_turn,
    slots_set_this_turn,
    stands_for,
)
from actions.timeparse import names_day
from actions.timespan import whole_time
from assistant.hms.errors import HmsError
from assistant.hms.protocol import HmsClient
from intents.catalog import Catalog, Form, default_catalog

MINE = "mine"  # "my ward" / "my clinic list": the signed-in user's own (the action resolves it)
# tasks whose ward is checked against the user's wards as soon as it is given
WARD_FIRST = ("update_bed_status",)
MINE_DEFAULTS = {"list_ward_patients": "ward", "list_clinic_appointments": "clinician"}
# tasks whose ward, when none is named, is the user's own if they have exactly one, when the
# request names a bed: a bed change ("mark bed 5 clean" from a 4B nurse) and a help request
# ("porter for bed 6"). A bare "update bed status" names nothing, so it asks "Which ward?"
# (a nurse may be standing on another ward: a guessed ward would change the wrong bed).
OWN_WARD_FIRST = frozenset({"update_bed_status", "request_help"})
SlotValues = dict[str, Any]


_PORTER = re.compile(r"\bporter\b", re.I)
BARE_WORDS = 6


def located_just_before(tracker: Tracker, turn: Turn) -> dict[str, Any] | None:
    """The ward and bed of the patient found by the answer just before, when this message
    refers to that patient ("take them to x-ray") and names no place itself; else None."""
    last = slots_before_turn(tracker).get("last_task")
    located = last.get("located") if isinstance(last, dict) else None
    if turn.is_payload or not isinstance(located, dict):
        return None
    # "take him to x-ray", or a bare "and a porter please" right after the patient was found
    bare_porter = bool(_PORTER.search(turn.text)) and len(turn.text.split()) <= BARE_WORDS
    if not (refers_to_patient(turn.text) or bare_porter):
        return None
    places = [e for e in turn.entities if e.get("entity") in ("ward", "bed")]
    if any(not is_destination(turn.text, e) for e in places):
        return None  # "take her from bed 4": a place of its own, not where she was found
    return {"ward": located.get("ward"), "bed": located.get("bed")}


# "to (ward 7) (bed) ", "into ", "over to ": what comes next is where the job goes
_TO_PLACE = re.compile(
    r"\b(?:to|into|onto|towards?)\s+(?:the\s+)?(?:(?:ward|bay|side\s+room)\s+)?"
    r"(?:[\w-]+\s+)?(?:bed\s+)?$",
    re.I,
)


def is_destination(text: str, entity: dict[str, Any]) -> bool:
    """The ward or bed ``entity`` is where a patient is taken ("take her to bed 6", "move
    him to ward 7"), not where the job starts."""
    start = entity.get("start")
    if not isinstance(start, int):
        return False
    return bool(_TO_PLACE.search(text[:start]))


_SHOWS_A_CLINIC = ("check_free_slots", "list_clinic_appointments")


def clinic_just_shown(tracker: Tracker, candidates: SlotValues) -> dict[str, Any]:
    """A booking right after a clinic's free slots or list were shown ("book one for Kerry
    Demir 10001575", "book her into 9am"): that clinic, and its day, unless the message
    names its own; {} otherwise."""
    last = slots_before_turn(tracker).get("last_task")
    if not isinstance(last, dict) or last.get("intent") not in _SHOWS_A_CLINIC:
        return {}
    shown = last.get("slots") or {}
    if candidates.get("department") or candidates.get("clinician"):
        return {}
    taken = {k: shown[k] for k in ("department", "clinician") if shown.get(k) not in (None, "")}
    if not taken:
        return {}
    day, said = shown.get("time"), candidates.get("time")
    services = get_services()
    now, tz = services.clock(), services.settings.hospital_tz
    text = str((tracker.latest_message or {}).get("text") or "")
    picked = picked_shown(text, last.get("shown_slots"), now, tz)
    if picked is not None:  # "book the 2nd for ...": that slot shown, not the 2nd of the month
        taken["time"] = picked
    elif day and not said:
        taken["time"] = day
    elif day and said and not names_day(str(said), now, tz) and names_day(str(day), now, tz):
        taken["time"] = f"{day} {said}"  # "into 9am" after monday's list: monday 9am
    return taken


def not_understood(tracker: Tracker) -> bool:
    """The assistant answered the latest message "Sorry, I didn't get that" (the fallback,
    after the form let it go as a question of its own that was not understood)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        kind = ((event.get("data") or {}).get("custom") or {}).get("kind", "")
        if event.get("event") == "bot" and str(kind).startswith(("nlu_fallback", "fallback")):
            return True
    return False


def names_a_ward(candidates: SlotValues) -> bool:
    """The message names a ward, on its own or in a bed ("4B-06", "4B bed 6")."""
    beds = candidates.get("bed")
    beds = beds if isinstance(beds, list) else [beds]
    return bool(candidates.get("ward")) or any(bed_answer(str(b))[0] for b in beds if b)


def bed_named_with_its_ward(turn: Turn, candidates: SlotValues) -> SlotValues:
    """ "4b-13 needs a clean", "mark 4B-13 dirty": a bed id NLU tagged as a ward ("4B-13")
    or not at all - its ward and its bed (it asked "Which ward?")."""
    from actions.bedplaces import places_said
    from actions.beds import bed_number

    ward = candidates.get("ward")
    if isinstance(ward, str):
        code, number = bed_number(ward)
        return {"ward": code, "bed": number} if code and number else {}
    if candidates.get("bed") or turn.is_payload:
        return {}
    places = [p for p in places_said(turn.text, turn.values("ward")) if p.ward]
    return {"ward": places[0].ward, "bed": places[0].bed} if len(places) == 1 else {}


def ward_in_hand_for(
    tracker: Tracker, turn: Turn, candidates: SlotValues, values: SlotValues
) -> SlotValues:
    """ "block bed 2" right after a bed on 4B was asked about or changed: that ward (it
    asked "Which ward?" - the ward had just been named); nothing when the message or the
    bed names a ward, or says "my ward"."""
    from actions.beds import bed_number
    from actions.followup import ward_of_the_last_answer

    beds = candidates.get("bed")
    named = set(beds) if isinstance(beds, list) else {beds} if isinstance(beds, str) else set()
    if candidates.get("ward") or values.get("ward") or len(named) != 1:
        return {}
    bed = str(named.pop())
    if bed_number(bed)[0] is not None or says_own_ward(turn.text) or said_ward(turn.text):
        return {}
    ward = ward_of_the_last_answer(tracker)
    return {"ward": ward} if ward else {}


def choices_for_a_yes(tracker: Tracker, requested: str) -> str | None:
    """ "Routine, Urgent or Immediately" when a question with choices was answered by a
    plain yes or no ("yes" to "How urgent is it?" was "Sorry, I didn't get that.")."""
    from actions.resume import polarity

    turn = Turn.of(tracker)
    catalog = default_catalog()
    if turn.is_payload or requested not in catalog.slot_names():
        return None
    titles = [b.title for b in catalog.slot(requested).buttons]
    plain = turn.intent in ("affirm", "deny") or polarity(turn.text) is not None
    if len(titles) < 2 or not plain or turn.entities:
        return None
    return f"{', '.join(titles[:-1])} or {titles[-1]}"


def required_slots(form: Form, values: SlotValues) -> list[str]:
    """The form's slots still to ask, given what is known: a clinician replaces the
    clinic; to find a patient the MRN does instead of the name."""
    slots = list(form.required)
    if "department" in slots and values.get("clinician"):
        slots.remove("department")
    if form.intent == "find_patient" and values.get("mrn"):
        slots = [s for s in slots if s != "patient_name"]
    return slots


class CatalogForm(FormValidationAction, ABC):
    form: ClassVar[str]

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        catalog = default_catalog()
        form = catalog.form(self.form)
        if form is None:
            return [SlotSet("requested_slot", None)]
        owner = catalog.get(form.intent)
        turn = Turn.of(tracker)
        # the question the form asked last; None while the form is being opened
        requested = tracker.get_slot("requested_slot")
        if owner.permission and await lacks_permission(tracker, owner.permission):
            return [SlotSet("requested_slot", None)]
        if requested and answered_already(tracker, self.form):
            # back at the form after something else answered the message (small talk,
            # a re-opened form): nothing to read; ask what is still missing
            values = {s: tracker.get_slot(s) for s in catalog.slot_names()}
            undone: list[EventType] = []
            if is_interruption(turn, form, requested, catalog):
                # the message was something else's ("wait, which bed is she in?" while a
                # clinic is asked): what the slot mappings took from it is not an answer
                before = slots_before_turn(tracker)
                for slot in extracted_this_turn(tracker):
                    if slot in form_slots(form):
                        values[slot] = before.get(slot)
                        undone.append(SlotSet(slot, before.get(slot)))
            missing = [s for s in required_slots(form, values) if values.get(s) in (None, "")]
            said_other = turn.intent == "out_of_scope" or not_understood(tracker)
            early = requested != "help_description" and requested in missing
            if said_other and early and slots_set_this_turn(tracker).get("help_description"):
                said_other = False  # the description said early (actions.earlydescription)
            if requested in missing and said_other and not waits(turn):
                # nonsense ("asdfgh") or something the assistant does not do, answered
                # instead of the question: a miss, so the question is not asked forever
                count = next_miss(tracker, requested)
                ask = None if count >= MAX_MISSES else missing[0]
                return [
                    *undone,
                    SlotSet("misses", f"{requested}:{count}"),
                    SlotSet("requested_slot", ask),
                ]
            return [*undone, SlotSet("requested_slot", missing[0] if missing else None)]
        if requested and waits(turn):
            # "hang on", "one sec", "let me check": the question stays open - no answer,
            # no miss; what the slot mappings took from the words is undone
            say_take_your_time(dispatcher, requested)
            before, kept = slots_before_turn(tracker), form_slots(form)
            return [
                *(SlotSet(s, before.get(s)) for s in slots_set_this_turn(tracker) if s in kept),
                SlotSet("requested_slot", requested),
            ]
        if requested == "help_description" and another_help_request(turn):
            # "oh and housekeeping for bed 7 too" while a porter's description is asked:
            # held for after this request, not its description (actions.anotherhelp)
            return hold_another_request(dispatcher, tracker, turn, form_slots(form))
        if requested and is_interruption(turn, form, requested, catalog):
            return [ActionExecutionRejected(self.form)]
        first = first_of_two(turn) if requested is None and form.intent == "request_help" else None
        if first is not None:
            # "porter for bed 5 and IT for the ward printer": the porter now, IT held
            say_held(dispatcher, first[1])
            turn = first[0]
        return await self._fill(dispatcher, tracker, turn, form, requested)

    async def _fill(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        turn: Turn,
        form: Form,
        requested: str | None,
    ) -> list[EventType]:
        catalog = default_catalog()
        services = get_services()
        values: SlotValues = {s: tracker.get_slot(s) for s in catalog.slot_names()}
        before = slots_before_turn(tracker)
        reader_cache: list[HmsClient | None] = []

        async def reader() -> HmsClient | None:
            if not reader_cache:
                reader_cache.append(await guarded_reader(tracker, form.intent, self.name()))
            return reader_cache[0]

        ctx = CheckContext(
            mrn=MrnFormat(services.settings.mrn_pattern),
            tz=services.settings.hospital_tz,
            now=services.clock(),
            slots=values,
            reader=reader,
            form=form.name,
        )
        wanted = form_slots(form)  # "4B bed 6" answers both; an MRN may come first
        candidates = self._candidates(tracker, turn, form, requested, wanted, catalog, ctx)
        if requested is None and form.intent == "request_help":
            # "get a porter to take them to x-ray" right after finding where a patient is:
            # the patient's ward and bed
            at = located_just_before(tracker, turn)
            if at is not None:
                # where the patient is: the job starts there ("take her to bed 6" says
                # where she goes, kept in the description)
                candidates.update({k: v for k, v in at.items() if v})
        if requested is None and form.intent == "update_bed_status":
            candidates.update(bed_named_with_its_ward(turn, candidates))
            candidates.update(ward_in_hand_for(tracker, turn, candidates, values))
        if requested is None and not any(candidates.get(s) for s in PATIENT_SLOTS):
            # "which bed is she in?" in the middle of booking her: the booking's patient
            candidates.update(patient_in_hand(tracker, turn, wanted))
        # a ward held: not the words of this answer the slot mapping took whole ("4b bed 2"
        # answering "Which ward?"), which are no candidate (undone below)
        taken_whole = "ward" not in candidates and slots_set_this_turn(tracker).get("ward")
        held_ward = values.get("ward") if values.get("ward") != taken_whole else None
        if (
            "ward" in wanted
            and not held_ward
            and not names_a_ward(candidates)
            and not turn.is_payload
            and not only_ruled_out(turn, ("ward",))  # "bed 4 not 7C": 7C is no ward named
        ):
            # "icu bed 4 needs cleaning": a ward said in words NLU did not tag
            hms = await reader()
            try:
                wards = await hms.list_wards() if hms is not None else []
            except HmsError:
                wards = []
            ward = ward_in_words(wards, turn.text)
            if ward is not None:
                candidates["ward"] = ward
            elif form.intent == "request_help" and not candidates.get("bed"):
                from actions.helpplace import as_slot, place_in

                place = place_in(turn.text)  # "the printer in the lab is broken"
                if place is not None:
                    candidates["ward"] = as_slot(place)
        if requested is None and form.intent in ("book_appointment", "check_free_slots"):
            # "book one for ..." / "any free slots?" right after a clinic's list: that clinic
            candidates.update(clinic_just_shown(tracker, candidates))
        if requested is None and form.intent in OWN_WARD_FIRST and not values.get("ward"):
            bed_named = candidates.get("bed") not in (None, "", [])
            # "fix the tap in bay 2, its leaking": a bay of the user's only ward too
            bed_named = bed_named or (form.intent == "request_help" and in_a_bay(turn.text))
            if bed_named and not names_a_ward(candidates):
                ward = await sole_ward(tracker)
                if ward is not None:
                    candidates["ward"] = ward
        events: list[EventType] = []
        replies: list[Reply] = []
        for slot, value in slots_set_this_turn(tracker).items():
            if slot in wanted and value not in (None, "") and slot not in candidates:
                values[slot] = before.get(slot)  # an extraction not taken: undo it
                events.append(SlotSet(slot, before.get(slot)))
        wrong = wrong_thing(turn.text) if not turn.is_payload else ()
        for slot in wrong:
            if slot not in candidates:
                values[slot] = None
                events.append(SlotSet(slot, None))
        if any(slot in candidates for slot in wrong):
            wrong = ()  # "wrong patient, I meant 10004821": the one meant is given, not asked
        changed: list[str] = []
        refined: list[str] = []  # a time of day added to the day held: noted, not changed
        failed: list[str] = []  # slots whose value this message gave was not usable
        taken_too: SlotValues = {}  # a slot another's answer gave (the time for a clinic)
        for slot, raw in candidates.items():
            check = CHECKS.get(slot)
            if check is None:
                continue
            if slot == "time" and requested and isinstance(raw, str):
                added = adds_a_time(raw, before.get("time"), ctx.now, ctx.tz)
                if added is not None:  # "10:00" after "friday": friday at 10:00
                    raw = added
                    refined.append(slot)
            options = raw if isinstance(raw, list) else [raw]
            if slot != requested and all(no_value_here(slot, o) for o in options):
                # "mark a bed as clean": "as" tagged as the bed - nothing was said, no miss
                values[slot] = before.get(slot)
                events.append(SlotSet(slot, before.get(slot)))
                continue
            meant = result = await check(options[0], ctx)
            for option in options[1:]:
                if result.value is not None:
                    break
                result = await check(option, ctx)
            if meant.value is None and meant.reply is not None and result.value == before.get(slot):
                # "no, 4A not 4B" and there is no ward 4A: say so (and ask again) rather
                # than silently keep the 4B that was corrected
                result = meant
            values[slot] = result.value
            events.append(SlotSet(slot, result.value))
            if result.reply is not None:
                replies.append(result.reply)
                if result.value is None:
                    failed.append(slot)
            for other, value in result.also.items():
                if value is not None and (other not in candidates or values.get(other) is None):
                    values[other] = value
                    events.append(SlotSet(other, value))
                    if other == "time" and other not in candidates:
                        taken_too[other] = value  # said back: "Noted: the morning."
            previous = before.get(slot)
            # a correction changes what this form was given; when the form is just being
            # opened, earlier values belong to an earlier request (cleared) - not corrected
            if (
                requested
                and result.value is not None
                and previous not in (None, result.value)
                and slot not in refined
            ):
                changed.append(slot)
        candidates.update(taken_too)
        described = values.get("help_description")
        if "help_description" in candidates and isinstance(described, str) and described:
            # "Emily Lloyd 10176509 needs to go to xray": no name or MRN in the job
            scrubbed, removed = scrub(described, turn, ctx.mrn)
            if removed:
                values["help_description"] = scrubbed
                events.append(SlotSet("help_description", scrubbed))
                replies.append(removed_reply(removed))
        given = {s for s, v in values.items() if v not in (None, "", before.get(s))}

        async def patient_reader() -> HmsClient | None:
            return await guarded_reader(tracker, form.intent, self.name(), resource="patient")

        async def bed_reader() -> HmsClient | None:
            return await guarded_reader(tracker, form.intent, self.name(), resource="bed")

        miss = await check_patient(form, values, given, ctx.mrn, patient_reader)
        if miss is None:
            miss = await check_bed(form, values, given, bed_reader)
        if miss is not None:  # a patient or bed the HMS does not have: said now, asked again
            for slot in miss.cleared:
                values[slot] = None
                events.append(SlotSet(slot, None))
            replies.append(miss.reply)
            changed = [c for c in changed if c not in miss.cleared]
        for reply in replies:
            reply.send(dispatcher)
        if (wrong and requested) or changed:  # (re-opened for "wrong clinic": said already)
            names = ", ".join(s.replace("_", " ") for s in (changed or list(wrong)))
            dispatcher.utter_message(
                text=changed_text(changed, values) if changed else f"OK, which {names} then?",
                json_message={
                    "phi": False,
                    "kind": "slot_corrected",
                    "data": {
                        "slots": sorted(changed or wrong),
                        **{s: values.get(s) for s in changed},
                    },
                },
            )
        ward = values.get("ward")
        permission = default_catalog().get(form.intent).permission
        if (
            form.intent in WARD_FIRST
            and "ward" in given
            and permission
            and isinstance(ward, str)
            and ward != MINE
            and await lacks_ward(tracker, permission, ward)
        ):
            # a ward the user may not change (a 4B nurse's "icu"): the action refuses it
            # now, not after the bed and the new status were asked
            return [*events, SlotSet("requested_slot", None)]
        if any(values.get(s) in (None, "") for s in required_slots(form, values)):
            # the form goes on asking: say back what it took that it had not asked for
            self._acknowledge(
                dispatcher, requested, values, before, candidates, changed, replies, refined
            )
        if miss is not None and miss.ask:
            count = next_miss(tracker, miss.ask)
            ask = None if count >= MAX_MISSES else miss.ask
            return [
                *events,
                SlotSet("misses", f"{miss.ask}:{count}"),
                SlotSet("requested_slot", ask),
            ]
        missing = [s for s in required_slots(form, values) if values.get(s) in (None, "")]
        if not requested and missing and stands_for(failed, missing[0]):
            # the request itself named a value the HMS does not have ("beds on ward 3"):
            # that was the question's first miss, so the second offers a choice
            return [
                *events,
                SlotSet("misses", f"{missing[0]}:1"),
                SlotSet("requested_slot", missing[0]),
            ]
        events += self._misses(dispatcher, tracker, requested, values, candidates, replies, wrong)
        if any(isinstance(e, dict) and e.get("name") == "requested_slot" for e in events):
            return events
        missing = [s for s in required_slots(form, values) if values.get(s) in (None, "")]
        return [*events, SlotSet("requested_slot", missing[0] if missing else None)]

    def _candidates(
        self,
        tracker: Tracker,
        turn: Turn,
        form: Form,
        requested: str | None,
        wanted: list[str],
        catalog: Catalog,
        ctx: CheckContext,
    ) -> SlotValues:
        """Values this message offers for the form's slots, before checking them."""
        found: SlotValues = {}
        set_now = slots_set_this_turn(tracker)
        # "change it to 7C", or a short "no, 4A" / "sorry, ICU" naming another value for a
        # detail the form holds, while it asks something else
        correcting = bool(requested) and (
            corrects(turn, form, catalog)
            or corrects_in_free_text(turn, form, catalog, slots_before_turn(tracker))
        )
        if requested and requested in catalog.slot_names() and catalog.slot(requested).free_text:
            if not corrects_in_free_text(turn, form, catalog, slots_before_turn(tracker)):
                # free text: the whole message is the answer and fills nothing else
                return {} if turn.is_payload else {requested: turn.text}
            # "actually make it urgent" while the description is asked: a correction of
            # another detail (the question is asked again), not the description
            correcting = True
        free_asked = correcting and requested in catalog.slot_names()
        free_asked = free_asked and catalog.slot(str(requested)).free_text
        for slot in dict.fromkeys(wanted):
            if slot not in catalog.slot_names():
                continue
            if free_asked and slot == requested:
                continue  # "sorry, no rush after all" is not also the description

            spec = catalog.slot(slot)
            value = set_now.get(slot)
            if turn.text != str(tracker.latest_message.get("text") or "") and spec.entities:
                # the first of two requests ("porter for bed 5 and IT for ..."): its own
                # words' values only, never the second's (actions.anotherhelp.first_of_two)
                own = [v for e in spec.entities for v, _ in turn.values(e)]
                value = own[0] if own else None
            if only_ruled_out(turn, spec.entities):
                # "actually no bed 8 not 7" (NLU: ward 7): the 7 is ruled out, no ward named;
                # the ward a follow-up opened the form with stays (it was Ward 7 Bed 8)
                kept = set_by_actions_this_turn(tracker).get(slot)
                if kept not in (None, ""):
                    found[slot] = kept
                continue
            several = [e for e in spec.entities if len(turn.values(e)) > 1]
            if several:
                value = alternatives(turn, several[0], value)
            elif value in (None, "") and (
                turn.intent == "nlu_fallback" or correcting or ctx.slots.get(slot) in (None, "")
            ):
                # NLU was unsure what the message is, read a correction as something else,
                # or read an answer as small talk ("tomorrow morning" as a greeting), but it
                # names a thing the form asks for ("change that to dermatology" mid-form, a
                # detail not asked yet): the form takes it
                in_message = [v for e in spec.entities for v, _ in turn.values(e)]
                if in_message:
                    last = in_message[-1]
                    value = alternatives(turn, spec.entities[0], last) or last
            widen = "time" in wanted and not turn.is_payload
            if slot == "time" and widen and (value is None or isinstance(value, str)):
                # "next tues 10am" when NLU tagged "10am" (or none of it)
                value = whole_time(value, turn.text, ctx.now, ctx.tz)
            elif slot == "time" and widen and isinstance(value, list) and value:
                # the values in the message, the one meant first: that one widened ("on
                # monday to wednesday afternoon": the one moved to, widened after "to")
                target = moved_to(turn.text, turn.values("time"))
                head, since = (target[0], target[1]) if target else (str(value[0]), 0)
                first = whole_time(head, turn.text[since:], ctx.now, ctx.tz) or head
                value = list(dict.fromkeys([first, *(v for v in value if v != head)]))
            if value not in (None, "", []):
                found[slot] = value
        if requested and requested in catalog.slot_names() and not turn.is_payload:
            said = catalog.find(turn.intent)
            chitchat = said is not None and said.mid_form == "chitchat"
            if requested not in found and (
                requested == "patient_name"
                or (chitchat and answers_anyway(turn, requested, catalog))
            ):
                found[requested] = turn.text
            tagged = {e.get("entity") for e in turn.entities}
            asked = set(catalog.slot(requested).entities)
            if found.get(requested) == turn.text and tagged and not tagged & asked:
                # the whole message was taken for the question, but it names other things
                # ("dermatology" when the name was asked): those are the answer, not this -
                # with the name said beside them ("Ngozi Price, neurology, friday pm")
                del found[requested]
                beside = (
                    name_beside(turn.text, turn.spans()) if requested == "patient_name" else None
                )
                if beside is not None:
                    found[requested] = beside
            elif found.get(requested) == turn.text and len(tagged) > 1 and tagged & asked:
                # the whole message taken for the question while the answer is tagged in it
                # beside other things ("Ngozi Price, neurology, friday pm"): the tagged answer
                named = [v for e in sorted(asked) for v, _ in turn.values(e)]
                if named:
                    found[requested] = named[-1]
        if turn.is_payload:
            return found
        if "ward" in form.required and "ward" not in found and says_own_ward(turn.text):
            found["ward"] = MINE  # "my ward": the user's own (the action resolves it)
        if "ward" in form.required and "ward" not in found:
            ward = said_ward(turn.text)  # "I meant ward 7": a ward NLU did not tag
            if ward is not None and form.intent == "request_help" and a_ward_thing(turn.text):
                ward = MINE  # "IT for the ward printer": the user's ward (not ward 'printer')
            if ward is not None:
                found["ward"] = ward
        if (
            "department" in form.required
            and not {"department", "clinician"} & set(found)
            and ctx.slots.get("department") in (None, "")
            and ctx.slots.get("clinician") in (None, "")
            and "department" not in wrong_thing(turn.text)  # "wrong clinic" names none
        ):
            clinic = said_clinic(turn.text)  # "into podiatry": a clinic NLU did not tag
            values = " ".join(str(e.get("value") or "") for e in turn.entities).casefold()
            if (
                clinic is not None
                and clinic.casefold() not in values
                and not DOCTOR.search(turn.text)
            ):
                found["department"] = clinic
        if "department" in form.required and "clinician" not in found:
            doctor = said_clinician(turn)  # "Dr Smithers", or a name in a clinic-list request
            if doctor is not None and (
                form.intent == "list_clinic_appointments" or DOCTOR.search(turn.text)
            ):
                found["clinician"] = doctor
        drop_doctor(found, turn)  # "Dr Nobody" is never the patient's name
        beds = said_beds(turn.text)  # "bed sixteen not six": beds NLU did not tag (fully)
        if "bed" in wanted and beds:
            found["bed"] = [resolve_values(turn.text, beds) or beds[-1][0], *(v for v, _ in beds)]
        if "patient_name" in form.required and "patient_name" not in found:
            found.update(
                lower_case_name(
                    turn, ctx.slots.get("patient_name"), ctx.mrn, request=requested is None
                )
            )
        if form.intent == "find_patient" and requested in (None, "patient_name"):
            located = name_located(turn)  # "where is hamza campbell": no name tagged
            if located is not None and found.get("patient_name") in (None, "", turn.text):
                found["patient_name"] = located
        for slot in form.required:
            # urgency is read from the whole sentence: "not urgent" is routine even when
            # NLU tagged only "urgent"; a message that is only a time is the time, asked
            # or not ("tomorrow morning" while the name is asked); a bed's status said again
            # is meant ("reopen 4B bed 3" while a closing asks which ward)
            if slot in ("urgency", "bed_status") or (
                slot not in found and (slot == "time" or ctx.slots.get(slot) in (None, ""))
            ):
                guess = infer(slot, turn.text, ctx)
                if guess is not None:
                    found[slot] = guess
        if requested == "patient_name" and found.get(requested) == turn.text and len(found) > 1:
            del found[requested]  # the message named other details: it is not the name
        if form.intent == "request_help" and requested not in (None, "help_description"):
            moved = corrected_destination(turn.text, ctx.slots.get("help_description"))
            if moved is not None:  # "no sorry to x-ray not CT" while the urgency is asked
                found["help_description"] = moved
        activating = requested is None  # no question asked yet: the request itself
        spans = [(int(e.get("start") or 0), int(e.get("end") or 0)) for e in turn.entities]
        if (
            "help_description" in form.required
            and requested != "help_description"
            and "help_description" not in found
            and ctx.slots.get("help_description") in (None, "")
            and describes(turn.text, spans, 2 if activating else 3)
        ):
            found["help_description"] = turn.text  # the problem, said before it was asked
        if activating:
            given = {k for k, v in set_now.items() if v not in (None, "")}
            places = {"ward", "department", "clinician"} & (set(found) | given)
            if form.intent in MINE_DEFAULTS and not places:
                # nothing named: the user's own ward or clinic (the action asks which one
                # when they have none, or several)
                found[MINE_DEFAULTS[form.intent]] = MINE
        return found

    @staticmethod
    def _acknowledge(
        dispatcher: CollectingDispatcher,
        requested: str | None,
        values: SlotValues,
        before: SlotValues,
        candidates: SlotValues,
        changed: list[str],
        replies: list[Reply],
        refined: list[str] | None = None,
    ) -> None:
        """Details given before they were asked ("cardiology" while the name is asked) are
        kept and said back briefly, so nothing said seems dropped; the form then asks what
        is still missing. A patient's name or MRN is not repeated (no PHI in the reply)."""
        if not requested or values.get(requested) not in (None, "") or replies:
            return
        noted = [
            s
            for s in candidates
            if s != requested
            and s not in changed
            and values.get(s) not in (None, "", MINE)
            and (before.get(s) in (None, "") or s in (refined or []))
        ]
        if not noted:
            return
        dispatcher.utter_message(
            text=f"Noted: {', '.join(noted_phrase(s, values[s]) for s in noted)}.",
            json_message={"phi": False, "kind": "slot_noted", "data": {"slots": noted}},
        )

    def _misses(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        requested: str | None,
        values: SlotValues,
        candidates: SlotValues,
        replies: list[Reply],
        wrong: tuple[str, ...],
    ) -> list[EventType]:
        """Count an unanswered question; the third miss in a row ends the form."""
        if not requested:
            return []
        answered = values.get(requested) not in (None, "")
        progressed = (
            any(values.get(s) not in (None, "") for s in candidates)
            or any(v not in (None, "") and v != tracker.get_slot(s) for s, v in values.items())
            or bool(wrong)
        )
        if answered or progressed:
            return [SlotSet("misses", None)]
        said = str(tracker.latest_message.get("text") or "")
        if asks_to_carry_on(said) and not tracker.latest_message.get("entities"):
            return []  # "ok carry on", "where were we": the question is asked again, no miss
        count = next_miss(tracker, requested)
        choices = choices_for_a_yes(tracker, requested)
        if not replies and choices:  # "yes" to "How urgent is it?": which one, plainly
            dispatcher.utter_message(
                text=f"Please pick one: {choices}.",
                json_message={
                    "phi": False,
                    "kind": f"invalid_{requested}",
                    "data": {"slot": requested},
                },
            )
        elif not replies:
            dispatcher.utter_message(
                text="Sorry, I didn't get that.",
                json_message={
                    "phi": False,
                    "kind": f"invalid_{requested}",
                    "data": {"slot": requested},
                },
            )
        events: list[EventType] = [SlotSet("misses", f"{requested}:{count}")]
        if count >= MAX_MISSES:
            events.append(SlotSet("requested_slot", None))
        return events


def form_validator(form: str) -> type[CatalogForm]:
    """The validation action class of one catalog form (``validate_<form>``)."""
    return type(
        f"Validate_{form}",
        (CatalogForm,),
        {"form": form, "name": lambda self: f"validate_{form}", "__module__": __name__},
    )
