"""How one request gives way to the next: new requests, going back, stopping.

- ``action_new_request`` runs before every task intent: the task in progress (a form, or
  a step such as choosing a slot) is stashed with the values it had been given, and every
  task slot is cleared except those this very message filled for the new task - so the
  new request is answered exactly as if it had been the first.
- ``action_continue`` answers yes / no / a detail given outside a form: the step a task
  waits on (``pending``), the offer to go back to a stashed task, or a correction of the
  details ("wrong patient", another clinic); with nothing pending it is not understood.
- ``action_stop`` / ``action_goodbye`` end everything, stash included.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.allofthem import asks_for_all
from actions.amend import amendment, filed_request
from actions.bedbooking import books_a_bed, say_beds_not_booked
from actions.bedorder import asks_who_is_in_a_bed, orders_a_bed_change
from actions.bedundo import ActionUndoBedChange, stop_after_change, undoes_bed_change
from actions.bookdetails import building_a_booking
from actions.clinicpick import cancel_asked, entry_asked, say_not_listed, time_not_listed
from actions.fallback import (
    after_fallback,
    as_a_job_step,
    help_at_a_place,
    not_understood,
    reread,
)
from actions.followup import booking_stands, corrects_a_write, follow_up, listed_beds_cleaned
from actions.freetext import lack_answers
from actions.helptasks import typed_text, withdraws_filed, withdraws_help, withdraws_watch
from actions.newbooking import means_booking, wants_a_new_one
from actions.reading import (
    answers_anyway,
    asks_how_things_are,
    calls_off,
    calls_off_first,
    gives_asked_detail,
    puts_off,
    resolve_values,
)
from actions.referent import PATIENT_SLOTS, asks_what_they_have, bed_in_hand, patient_in_hand
from actions.registry import guarded_action
from actions.repatient import clinic_said, corrects_the_clinic, corrects_the_patient
from actions.resume import answers_offer, go_back, loop_of, polarity
from actions.resumestep import answers_the_step
from actions.retime import in_a_date, on_the_day_asked, said_time
from actions.samecall import answered_now, with_slots
from actions.sayback import changed_text
from actions.scheduling import offered_at
from actions.services import get_services
from actions.shownrequests import request_to_cancel
from actions.slotpick import ordinal_pick
from actions.state import (
    RESUME,
    YES_NO,
    Turn,
    active_form,
    pending_intent,
    pending_step,
    reset,
    resume_offer,
    slots_before_turn,
    slots_set_this_turn,
    stash_of,
    typed_button,
    waits_on_choice,
)
from actions.timespan import whole_time
from actions.watches import cancels_listed_watches
from actions.weekafter import later_time
from actions.whereweare import where_we_were
from intents.catalog import default_catalog

Events = list[dict[str, Any]]
# "wrong patient", "that's the wrong ward", "not that clinic"
_WRONG = re.compile(
    r"\b(?:wrong|not\s+(?:that|the\s+right|this))\s+(patient|person|ward|bed|clinic|department|"
    r"doctor|clinician|consultant|time|day|date|slot|appointment|status|type)\b",
    re.I,
)
WRONG_SLOTS = {
    "patient": ("patient_name", "mrn"),
    "person": ("patient_name", "mrn"),
    "ward": ("ward", "bed"),
    "bed": ("bed",),
    "clinic": ("department",),
    "department": ("department",),
    "doctor": ("clinician",),
    "clinician": ("clinician",),
    "consultant": ("clinician",),
    "time": ("time",),
    "day": ("time",),
    "date": ("time",),
    "slot": ("time",),
    "status": ("bed_status",),
    "type": ("help_type",),
}
# identifying details a correction outside the form re-opens the form for
REOPEN_ON_CHANGE = ("patient_name", "mrn", "department", "clinician", "ward", "bed")


def wrong_thing(text: str) -> tuple[str, ...]:
    """The slots "wrong patient" (etc.) in ``text`` takes back; () when none."""
    match = _WRONG.search(text or "")
    return WRONG_SLOTS.get(match.group(1).lower(), ()) if match else ()


def fresh_start(tracker: Tracker, intent_name: str | None, *, follows_up: bool = False) -> Events:
    """The events that start a new request for ``intent_name``: stash the task in progress
    (a form, or a step such as choosing a slot) and clear every task slot except those the
    latest message filled for the new request's entities."""
    catalog = default_catalog()
    intent = catalog.find(intent_name)
    before = slots_before_turn(tracker)
    stash = before.get("stash")
    form = active_form(tracker)
    owner = catalog.find(pending_intent(before.get("pending")))
    if form is not None and form.resume and form.intent != intent_name:
        stash = stash_of(tracker, form, before)
    elif owner is not None and owner.form and owner.form.resume and owner.name != intent_name:
        stash = stash_of(tracker, owner.form, before)
    if isinstance(stash, dict) and stash.get("intent") == intent_name:
        stash = None  # asked again from the start: the new request replaces it
    if calls_off_first(str(tracker.latest_message.get("text") or "")):
        stash = None  # "actually forget that, is bed 7 free?": not offered again after it
    if before.get("pending") == RESUME and form is None and not follows_up:
        # a new request instead of an answer to "Shall we carry on ...?": the task offered
        # is not offered again after this one, but kept quietly for one more request, so
        # "where were we?" / "carry on" can still go back to it; a follow-up of the
        # digression ("sorry, 4B" after "I don't know ward 3") keeps the offer
        quietly = isinstance(stash, dict) and not stash.get("quiet")
        stash = {**stash, "quiet": True} if quietly and isinstance(stash, dict) else None
    elif isinstance(stash, dict) and stash.get("quiet"):
        stash = None  # kept quietly for one request only
    wanted = set(intent.entities) if intent else set()
    keep = tuple(
        slot
        for slot, value in slots_set_this_turn(tracker).items()
        if value is not None
        and slot in catalog.slot_names()
        and wanted & set(catalog.slot(slot).entities)
    )
    return [*reset(keep=keep), SlotSet("stash", stash)]


async def follow_up_events(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, domain: dict[str, Any]
) -> Events | None:
    """ "and friday?" right after a question's answer: ask it again with the details the
    message names and the rest kept (``actions.followup``); None when it is no follow-up."""
    found = follow_up(tracker, turn)
    if found is None:
        return None
    name, kept = found
    intent = default_catalog().get(name)
    last = tracker.get_slot("last_task")
    moves = name == "reschedule_appointment"
    if (
        moves
        and isinstance(last, dict)
        and last.get("intent") == "book_appointment"
        and not kept.get("mrn")
    ):
        # "actually make it thursday" right after a booking: moving it needs the patient
        dispatcher.utter_message(
            text=f"To move that booking to {kept.get('time')}, I need the patient again.",
            json_message={"phi": False, "kind": "booking_move", "data": {"time": kept.get("time")}},
        )
    events = [
        *fresh_start(tracker, name, follows_up=True),
        *(SlotSet(slot, v) for slot, v in kept.items()),
    ]
    if corrects_a_write(tracker, turn):  # the action offers to take the last write back
        events.append(SlotSet("last_task", tracker.get_slot("last_task")))
    if intent.form:
        return [*events, FollowupAction(intent.form.name)]
    # no form: answer now, on the slots as they will be, and wait for the user
    asked = with_slots(tracker, events, loop={})
    answered = await guarded_action(name).run(dispatcher, asked, domain)
    return [*events, *answered, FollowupAction("action_listen")]


def book_instead(tracker: Tracker) -> Events:
    """A move asked for was a new booking: the booking's form, with the patient, clinic
    and time said for the move (the move is not offered again after it)."""
    before = slots_before_turn(tracker)
    kept = ("patient_name", "mrn", "department", "clinician", "time")
    return [
        *fresh_start(tracker, "book_appointment"),
        *(SlotSet(slot, before[slot]) for slot in kept if before.get(slot) not in (None, "")),
        SlotSet("stash", before.get("stash")),
        FollowupAction("book_appointment_form"),
    ]


def built_booking(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> Events | None:
    """ "at 11am" / "for Ngozi Price" (each not understood alone): the booking they build,
    its form started with the details said (``actions.bookdetails``); None otherwise."""
    if turn.is_payload or tracker.get_slot("pending") or active_form(tracker) is not None:
        return None
    services = get_services()
    details = building_a_booking(tracker, services.clock(), services.settings.hospital_tz)
    if details is None:
        return None
    dispatcher.utter_message(
        text="That sounds like a booking, so let's book it (say 'stop' if not).",
        json_message={"phi": False, "kind": "slot_noted", "data": {"slots": sorted(details)}},
    )
    return [
        *fresh_start(tracker, "book_appointment"),
        *(SlotSet(slot, value) for slot, value in details.items()),
        FollowupAction("book_appointment_form"),
    ]


def take_as(tracker: Tracker, intent_name: str) -> Events:
    """Serve the latest message as a request for ``intent_name`` (its form, or its action)."""
    intent = default_catalog().get(intent_name)
    target = intent.form.name if intent.form else intent.action
    return [*fresh_start(tracker, intent_name), FollowupAction(str(target))]


def named_in_turn(tracker: Tracker, intent_name: str) -> Events:
    """The served task's details the message names but no slot took: NLU read it as
    another intent (a fallback: "how many on icu"), so the slot mappings, which fill only
    for the task's own intents, left them ("icu" would be dropped for a hospital-wide
    answer)."""
    catalog = default_catalog()
    intent = catalog.get(intent_name)
    turn = Turn.of(tracker)
    set_now = slots_set_this_turn(tracker)
    events: Events = []
    for slot in catalog.slots:
        entities = [e for e in slot.entities if e in intent.entities]
        value = next((turn.value(e) for e in entities if turn.value(e)), None)
        if value is not None and set_now.get(slot.name) in (None, ""):
            events.append(SlotSet(slot.name, value))
    return events


async def serve_as(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    intent_name: str,
    domain: dict[str, Any],
    also: dict[str, Any] | None = None,
) -> Events:
    """``take_as``, with a task that has no form answered now and the user waited for (no
    rule follows an action started from a not-understood message: Rasa's own fallback
    would answer a second time). ``also``: details the message itself does not say (the
    ticket just filed, for "cancel it")."""
    if default_catalog().get(intent_name).form:
        return take_as(tracker, intent_name)
    events = [*fresh_start(tracker, intent_name), *named_in_turn(tracker, intent_name)]
    events += [SlotSet(slot, value) for slot, value in (also or {}).items()]
    asked = with_slots(tracker, events, loop={})
    answered = await guarded_action(intent_name).run(dispatcher, asked, domain)
    return [*events, *answered, FollowupAction("action_listen")]


def back_to_where_we_were(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn
) -> Events | None:
    """ "where were we?" mid-task (NLU: find a patient): the question in hand again
    (``actions.whereweare``); None for any other message."""
    form, answered = where_we_were(dispatcher, tracker, turn)
    return [FollowupAction(form or "action_listen")] if answered else None


class ActionNewRequest(Action):
    def name(self) -> str:
        return "action_new_request"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        turn = Turn.of(tracker)
        step = await answers_the_step(dispatcher, tracker, turn, domain)
        if step is not None:  # "9:40 please" to "Shall we carry on booking ...?"
            return [*step, FollowupAction(loop_of(step) or "action_listen")]
        answer = answers_offer(tracker, turn)
        if answer is not None:
            # "no, I'll move the patient later" to "Shall we carry on ...?", whatever NLU
            # read it as: the answer to the offer, not a new request
            events = go_back(dispatcher, tracker, turn, answer)
            return [*events, FollowupAction(loop_of(events) or "action_listen")]
        resumed = resume_quiet(dispatcher, tracker, turn)
        if resumed is not None:  # "carry on with the booking" after a second question
            return resumed
        where = back_to_where_we_were(dispatcher, tracker, turn)
        if where is not None:  # "where were we?" mid bed change (NLU: find a patient)
            return where
        amend = amendment(tracker, turn)  # "no wait, make that urgent", "sorry, bed 6"
        if amend is not None:  # (then wait: not the form of the task NLU read it as)
            return [*await amend.run(dispatcher, tracker, domain), FollowupAction("action_listen")]
        form = active_form(tracker)
        busy = form.intent if form else pending_intent(tracker.get_slot("pending"))
        if calls_off(turn, busy) or (busy and puts_off(turn)):
            # "cancel the booking" while booking, "forget it, I'll do it later" (NLU: a help
            # request): stop, not a new task
            stopped = await ActionStop().run(dispatcher, tracker, domain)
            return [*stopped, FollowupAction("action_listen")]
        if means_booking(turn):  # "appt please: friday, derm, 10180589 Ngozi Price" (a move)
            return await serve_as(dispatcher, tracker, "book_appointment", domain)
        if turn.intent != "request_help" and form is None and help_at_a_place(turn):
            # "porter for 7 bed 3" (NLU: a cancel), "IT for ED bed 3" (NLU: a free-bed
            # question): a kind of help and where, nothing else - a help request
            return await serve_as(dispatcher, tracker, "request_help", domain)
        if turn.intent != "update_bed_status" and form is None and orders_a_bed_change(turn):
            # "need to block a bed" (NLU: a help request): a bed's status changed
            return await serve_as(dispatcher, tracker, "update_bed_status", domain)
        if form is None and asks_who_is_in_a_bed(turn):  # "where is the patient in bed 1"
            return await serve_as(dispatcher, tracker, "list_ward_patients", domain)
        if form is None and books_a_bed(tracker, turn):  # "book it for the pt in ED"
            say_beds_not_booked(dispatcher)
            return [*reset(), FollowupAction("action_listen")]
        shown = None if form else request_to_cancel(tracker, turn.text)
        if shown is not None:  # "cancel the first one" after 'my requests' (NLU: appointment)
            ticket = {"ticket_id": shown}
            return await serve_as(dispatcher, tracker, "cancel_help_request", domain, ticket)
        followed = await follow_up_events(dispatcher, tracker, turn, domain)
        if followed is not None:
            return followed
        requested = tracker.get_slot("requested_slot")
        if form is not None and gives_asked_detail(turn, requested, default_catalog()):
            # "her mrn is 10329456" while the MRN is asked, read as "find a patient": the
            # answer to the question, not a new request
            return [FollowupAction(form.name)]
        if (
            picks_an_offered_time(tracker, turn)
            or asks_for_all(tracker, turn.text)
            or new_time(tracker, turn) is not None
            or corrects_the_patient(tracker, turn)
            or corrects_the_clinic(tracker, turn)
        ):
            # "hang on, can we do the 09:20 instead" (or "the afternoon instead") while
            # choosing or confirming, whatever NLU read it as; "sorry its for Emily Lloyd
            # 10176509" (NLU: find a patient): the task waiting on that choice takes it
            events = await ActionContinue().run(dispatcher, tracker, domain)
            return [*events, FollowupAction(loop_of(events) or "action_listen")]
        cancel = None if form else cancel_asked(tracker)
        if cancel is not None:  # "cancel the 11:30" right after a clinic's list: that one
            details = [SlotSet(k, v) for k, v in cancel.items()]
            events = take_as(tracker, "cancel_appointment")
            return [*events[:-1], *details, events[-1]]
        entry = None if form else entry_asked(tracker)
        if entry is not None:  # "who's the 12 o'clock" right after a clinic's list: that entry
            events = [*fresh_start(tracker, "list_clinic_appointments")]
            events += [SlotSet(k, v) for k, v in entry.items()]
            asked = with_slots(tracker, events, loop={})
            told = await guarded_action("list_clinic_appointments").run(dispatcher, asked, domain)
            return [*events, *told, FollowupAction("action_listen")]
        unlisted = None if form else time_not_listed(tracker)
        if unlisted is not None:  # "cancel the 10:00" when the list just shown has none then
            say_not_listed(dispatcher, *unlisted)
            return [FollowupAction("action_listen")]
        if turn.intent == "cancel_appointment" and names_only_a_ward(turn):
            # "cancel the CCU one" after setting a watch (NLU: an appointment's cancel): an
            # appointment has no ward - a bed watch has (it answered "Cancelling appointments
            # needs the appointments:cancel permission")
            return await serve_as(dispatcher, tracker, "cancel_bed_watch", domain)
        if turn.intent == "cancel_help_request" and names_an_appointment(turn):
            # "cancel Ngozi Price 10180589 physiotherapy on Tue 8 Dec at 09:00" (NLU: a help
            # request): a help request names no patient or clinic - it cancelled a porter job
            return await serve_as(dispatcher, tracker, "cancel_appointment", domain)
        from actions.jobtalk import gives_back_in_words  # (actions.jobtalk imports actions.jobs)

        if form is None and await gives_back_in_words(tracker, turn):
            # "cant do it, lift is broken" from a porter (NLU: a help request): the job given
            # back (it asked "Which ward?")
            return await serve_as(dispatcher, tracker, "update_help_task", domain)
        if turn.intent == "check_request_status" and reports_a_fault(turn):
            # "my computer is slow" (NLU: the status of my requests): a fault to report
            return await serve_as(dispatcher, tracker, "request_help", domain)
        if turn.intent == "check_free_slots" and books_someone(turn):
            # "book Tom Ames into the next free cardiology slot": a booking, not a question
            return await serve_as(dispatcher, tracker, "book_appointment", domain)
        if (
            turn.intent == "update_bed_status"
            and not turn.values("bed_status")
            and asks_how_things_are(turn.text)
        ):
            # "status of ICU bed 1": how the bed is, asked - not a change with its new
            # status to ask for ("What is the bed's new status?")
            return await serve_as(dispatcher, tracker, "check_bed_availability", domain)
        events = fresh_start(tracker, turn.intent)
        bed = bed_in_hand(tracker, turn)
        if bed is not None:  # "can you get housekeeping to do it" right after bed 8 changed
            events += [SlotSet(k, v) for k, v in bed.items()]
        # a task with no form answered in this same call (actions.samecall)
        return await answered_now(self.name(), dispatcher, tracker, turn.intent, events, domain)


_BOOK = re.compile(r"\b(?:book|booking|re-?book)\b", re.I)


def names_only_a_ward(turn: Turn) -> bool:
    """The message names a ward and nothing of an appointment or a help request."""
    others = ("patient_name", "mrn", "department", "clinician", "help_type", "ticket_id")
    return bool(turn.values("ward")) and not any(turn.values(e) for e in others)


def names_an_appointment(turn: Turn) -> bool:
    """The message names a patient or a clinic and no help-request ticket: it is about an
    appointment, whatever NLU read."""
    if turn.values("ticket_id"):
        return False
    named = turn.values("patient_name") and not turn.values("help_type")  # (not "the porter
    # for Kerry Demir")
    return bool(turn.values("mrn") or turn.values("department") or named)


_ABOUT_REQUESTS = re.compile(
    r"\b(?:requests?|tickets?|jobs?|status|update|news|progress|HR-?\d+|HD-?\d+)\b", re.I
)


def reports_a_fault(turn: Turn) -> bool:
    """A statement of something wrong that names a kind of help ("my computer is slow",
    "the printer's jammed again") and nothing about requests: a new one, not their status."""
    from actions.conversation import names_a_help_job

    return not _ABOUT_REQUESTS.search(turn.text) and names_a_help_job(turn)


def books_someone(turn: Turn) -> bool:
    """The message names a patient, or says "book": a booking, whatever NLU read."""
    return bool(turn.values("patient_name") or turn.values("mrn") or _BOOK.search(turn.text))


_RESUME_ASKED = re.compile(
    r"\b(?:where\s+were\s+we|what\s+were\s+we\s+doing|carry\s+on|continue|resume|go\s+back|"
    r"back\s+to\s+(?:it|that|the\s+\w+|my\s+\w+|what\s+we\s+were\s+doing))\b",
    re.I,
)


def asks_to_carry_on(text: str) -> bool:
    """ "ok carry on", "where were we", "go back to it": the user asks to go on with the
    task in hand."""
    return bool(_RESUME_ASKED.search(text))


def resume_quiet(dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn) -> Events | None:
    """ "where were we?", "carry on", "yes, back to the booking" when the task interrupted
    twice is kept quietly (not offered again): back to it with its values; None otherwise."""
    stash = tracker.get_slot("stash")
    if turn.is_payload or not (isinstance(stash, dict) and stash.get("quiet")):
        return None
    missed = stash.get("missed")
    if isinstance(missed, str):
        # a task just given up: only the answer it wanted, or "carry on", takes it up (a
        # bare "yes" to "I've stopped ... or I can put you through" is no answer)
        taken = answers_anyway(turn, missed, default_catalog()) or bool(
            _RESUME_ASKED.search(turn.text)
        )
    else:
        taken = bool(_RESUME_ASKED.search(turn.text)) or polarity(turn.text) == "affirm"
    if not taken:
        return None
    plain = {k: v for k, v in stash.items() if k not in ("quiet", "missed")}
    events = go_back(dispatcher, with_slots(tracker, [SlotSet("stash", plain)]), turn, "affirm")
    return [*events, FollowupAction(loop_of(events) or "action_listen")]


def picks_an_offered_time(tracker: Tracker, turn: Turn) -> bool:
    """The message names the time of one of the records the waiting task offered."""
    before = slots_before_turn(tracker)
    if turn.is_payload or pending_intent(before.get("pending")) is None:
        return False
    offered = before.get("offered")
    ids = offered.get("ids") if isinstance(offered, dict) else None
    if ids and ordinal_pick(turn.text, len(ids)) is not None:
        return True  # "2nd", "hang on, can I have the second one instead": never a date
    services = get_services()
    now, tz = services.clock(), services.settings.hospital_tz
    return offered_at(offered, turn.text, now, tz) is not None


class ActionContinue(Action):
    def name(self) -> str:
        return "action_continue"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        turn = Turn.of(tracker)
        pending = tracker.get_slot("pending")
        if pending == RESUME:
            step = await answers_the_step(dispatcher, tracker, turn, domain)
            if step is not None:  # "yes the second one" to "Shall we carry on booking ...?"
                return step
            # "sorry, 4B" right after "I don't know ward 3" (a digression's answer) and its
            # offer to go back: the digression asked again, the offer kept for after it
            followed = await follow_up_events(dispatcher, tracker, turn, domain)
            return followed if followed is not None else go_back(dispatcher, tracker, turn)
        where = back_to_where_we_were(dispatcher, tracker, turn)
        if where is not None:  # "where were we?" at a confirmation: asked again, no yes
            return where
        if active_form(tracker) is not None and puts_off(turn):  # "later" while a form asks
            return await ActionStop().run(dispatcher, tracker, domain)
        from actions.carryon import back_from_digression

        back = back_from_digression(dispatcher, tracker, turn)
        if back is not None:  # "ok carry on" while a form asks: back to what it interrupted
            return back
        owner = pending_intent(pending)
        if owner is None and active_form(tracker) is None:
            from actions.claimhint import claims_from_the_queue, say_where_to_claim

            if claims_from_the_queue(tracker, turn.text):  # "claim the first one" (queue shown)
                say_where_to_claim(dispatcher)
                return []
        if owner is None:
            resumed = resume_quiet(dispatcher, tracker, turn)
            if resumed is not None:  # "where were we?" after a second question
                return resumed
            amend = amendment(tracker, turn)  # "actually make that urgent", "no, bed 6"
            if amend is not None:
                return await amend.run(dispatcher, tracker, domain)
            followed = await follow_up_events(dispatcher, tracker, turn, domain)
            if followed is not None:
                return followed
            if not turn.is_payload and withdraws_help(turn.text):
                # "no longer need IT" read as a no, with nothing asked: withdraw it
                return await serve_as(dispatcher, tracker, "cancel_help_request", domain)
            # "inform", or a yes/no by NLU's reading that says no yes or no but names things
            # ("find Ngozi Wright" read as a deny): likelier a request
            job = await as_a_job_step(dispatcher, tracker, turn, domain)
            if job is not None:  # "take the next urgent one" read as an answer
                return job
            built = built_booking(dispatcher, tracker, turn)
            if built is not None:  # "at 11am" / "on wednesday" / "MRN 10180589": a booking
                return built
            odd_answer = bool(turn.entities) and polarity(turn.text) is None
            intent = reread(turn) if turn.intent == "inform" or odd_answer else None
            if intent is None and asks_what_they_have(turn.text):
                # "what about her other ones" right after cancelling one of hers
                meant = patient_in_hand(tracker, turn, list(PATIENT_SLOTS))
                intent = "list_appointments" if meant else None
            if intent is not None:
                return await serve_as(dispatcher, tracker, intent, domain)
            answered = after_fallback(dispatcher, tracker, turn)
            if answered is not None:  # "yes" / "no" right after a miss
                return answered
            if puts_off(turn):  # "hmm forget it, it's fine" with nothing in hand: taken
                return await ActionStop().run(dispatcher, tracker, domain)
            return await not_understood(dispatcher, tracker, turn)
        waiting = pending_step(pending)
        if owner == "reschedule_appointment" and wants_a_new_one(turn.text):
            return book_instead(tracker)  # "no I want a new one" to "Which one to move?"
        undone = dated_back(tracker, turn)  # "10" of "Thu 10 Dec at 14:00" is no name
        if undone:
            again = with_slots(tracker, undone, this_turn=True)
            return [*undone, *await self.run(dispatcher, again, domain)]
        reopened = None if waiting == "which" else correction(dispatcher, tracker, turn, owner)
        if reopened is not None:
            return reopened
        retimed = new_time(tracker, turn)
        if retimed is not None:  # "make it the afternoon": offered afresh at that time
            changed = SlotSet("time", retimed)
            asked = with_slots(tracker, [changed], this_turn=True)
            return [changed, *await guarded_action(owner).run(dispatcher, asked, domain)]
        return await guarded_action(owner).run(dispatcher, tracker, domain)


def dated_back(tracker: Tracker, turn: Turn) -> Events:
    """Slots the slot mappings filled this turn from entities NLU tagged inside a date
    ("Thu 10 Dec at 14:00": "10" as the patient's name): put back as they were."""
    if turn.is_payload:
        return []
    before, now = slots_before_turn(tracker), slots_set_this_turn(tracker)
    return [
        SlotSet(slot, before.get(slot))
        for slot, value in in_a_date(turn.text, turn.entities).items()
        if slot != "time" and slot in now and str(now[slot]) == value
    ]


def new_time(tracker: Tracker, turn: Turn) -> str | None:
    """While a booking or a move offers slots or asks to confirm one: the time the message
    changes to, on the day asked before when it names none (``actions.retime``); None
    when it says no new time, picks an offered one, or the time it set needs no day."""
    before = slots_before_turn(tracker)
    if not waits_on_choice(before, "time"):
        return None
    if turn.is_payload or picks_an_offered_time(tracker, turn):
        return None
    services = get_services()
    now, tz = services.clock(), services.settings.hospital_tz
    later = later_time(turn.text, before, now, tz)
    if later is not None:  # "can we do the week after instead": after the day in hand
        return later
    tagged = slots_set_this_turn(tracker).get("time")
    several = turn.values("time")
    if len(several) > 1:  # "not monday, tuesday": the one meant, never both run together
        said = resolve_values(turn.text, several)
    elif tagged not in (None, ""):  # "thurs next week" when NLU tagged "next week"
        said = whole_time(str(tagged), turn.text, now, tz)
    else:
        said = said_time(turn.text, now, tz)
    if said is None:
        return None
    merged = on_the_day_asked(str(said), before.get("time"), now, tz)
    return None if merged == tagged else merged


def correction(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, owner: str
) -> Events | None:
    """A task past its form (choosing or confirming) told that a detail is wrong or
    different: take the new value, forget the offer, and re-open the form, which asks for
    what is now missing or finishes at once (the action then offers afresh)."""
    intent = default_catalog().find(owner)
    form = intent.form if intent else None
    if form is None or turn.is_payload:
        return None
    before = slots_before_turn(tracker)
    wrong = wrong_thing(turn.text)
    changed = {
        slot: value
        for slot, value in slots_set_this_turn(tracker).items()
        if slot in REOPEN_ON_CHANGE
        and slot in (*form.required, "clinician", "patient_name", "mrn")
        and value is not None
        and value != before.get(slot)
    }
    clinic = clinic_said(turn, before) if "department" in form.required else {}
    changed.update(clinic)  # "cardiology not neurology": the clinic meant, said back
    if not wrong and not changed:
        return None
    events: Events = [SlotSet(slot, None) for slot in wrong]
    events += [SlotSet(slot, value) for slot, value in clinic.items()]
    # another patient for the slot being confirmed: that slot is kept to confirm for them
    # (the action offers afresh when it is no longer free or they are busy then)
    same_slot = (
        pending_step(before.get("pending")) == "confirm"
        and set(changed) | set(wrong) <= {"patient_name", "mrn"}
        and owner == "book_appointment"
    )
    cleared = ("pending", "offered", "confirmed", "slot_id", "appointment_id", "offer_after")
    events += [SlotSet(name, None) for name in cleared if not (same_slot and name == "confirmed")]
    dispatcher.utter_message(
        text=changed_text(list(changed), changed) if changed else "OK, let's fix that.",
        json_message={
            "phi": False,
            "kind": "slot_corrected",
            "data": {"slots": sorted(changed or wrong), "intent": owner},
        },
    )
    return [*events, SlotSet("requested_slot", None), ActiveLoop(form.name)]


_ALL_OF_THEM = re.compile(r"\b(?:them|all|both|every|those|these)\b", re.I)


def watch_just_set(tracker: Tracker, text: str = "") -> dict[str, Any] | None:
    """The ward and bed type of the bed watch set last in this conversation, or of the
    watches just listed ("cancel that one" under one watch, "cancel them" under several;
    it answered "OK." and cancelled nothing); ``{"several": n}`` for "that one" under
    several; else None."""
    last = tracker.get_slot("last_task")
    if isinstance(last, dict) and last.get("intent") == "watch_bed_availability":
        slots = last.get("slots") or {}
        return {k: slots.get(k) for k in ("ward", "bed_type")}
    listed = last.get("watches_listed") if isinstance(last, dict) else None
    if not isinstance(listed, dict) or not listed.get("count"):
        return None
    if listed["count"] > 1 and not _ALL_OF_THEM.search(text):
        return {"several": listed["count"]}
    return {"ward": listed.get("ward"), "bed_type": None}


# "cancel it", "cancel that one" with nothing in hand: said plainly, never a bare "OK."
# (read as done, it left bed watches and requests running more than once)
_CANCELS = re.compile(r"\b(?:cancel|withdraw|delete|remove|call\s+off|scrap|unbook)\b", re.I)
NOTHING_TO_CANCEL = (
    "There's nothing in progress to cancel, so nothing was changed. To cancel something "
    "done before, say which - for example 'cancel my bed watches' or 'cancel my help "
    "requests'."
)


class ActionStop(Action):
    """Never mind / cancel that / forget it: end whatever is in progress, cleanly."""

    def name(self) -> str:
        return "action_stop"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        answered = lack_answers(tracker)
        if answered is not None:  # "no hot water" while a description is asked: the answer
            form, slot = answered
            return [SlotSet(slot, Turn.of(tracker).text), FollowupAction(form)]
        if not (tracker.active_loop or {}).get("name"):
            # "reopen it" right after closing a bed reads like a stop to NLU: a change of
            # the bed just changed (actions.followup), not an end of anything
            turn = Turn.of(tracker)
            if undoes_bed_change(tracker, turn):  # "undo that" right after a bed change
                undone = await ActionUndoBedChange().run(dispatcher, tracker, domain)
                return [*undone, FollowupAction("action_listen")]
            followed = await follow_up_events(dispatcher, tracker, turn, domain)
            if followed is not None:
                return followed
            filed = filed_request(tracker)
            idle = not (tracker.get_slot("pending") or tracker.get_slot("stash"))
            amend = amendment(tracker, turn) if filed is not None and idle else None
            if amend is not None:  # "not urgent anymore" right after filing (NLU: a stop)
                changed = await amend.run(dispatcher, tracker, domain)
                return [*changed, FollowupAction("action_listen")]
            if filed is not None and idle and not turn.is_payload and withdraws_filed(turn.text):
                # "cancel it" right after filing a help request: that request, withdrawn
                ticket = {"ticket_id": str(filed["ticket"])}
                return await serve_as(dispatcher, tracker, "cancel_help_request", domain, ticket)
            pressed = typed_button(tracker)
            if pressed is not None:  # "Cancel them" typed under the list of bed watches
                return await serve_as(dispatcher, tracker, pressed[0], domain, pressed[1])
            shown = request_to_cancel(tracker, turn.text)  # "cancel it" after its status
            if shown is not None and idle:
                ticket = {"ticket_id": shown}
                return await serve_as(dispatcher, tracker, "cancel_help_request", domain, ticket)
            watch = watch_just_set(tracker, turn.text)
            said_off = withdraws_watch(turn.text) or cancels_listed_watches(turn.text)
            if watch is not None and idle and not turn.is_payload and said_off:
                if "several" in watch:  # "cancel that one" under several watches: which
                    dispatcher.utter_message(
                        text=f"You have {watch['several']} bed watches running: which one? Say "
                        "its ward (for example 'cancel the 4B one'), or 'cancel them all'.",
                        json_message={"phi": False, "kind": "cancel_bed_watch_which", "data": {}},
                    )
                    return [SlotSet("last_task", tracker.get_slot("last_task"))]
                # "cancel that alert" right after setting a bed watch, "cancel it" under the
                # one watch listed: that watch
                return await serve_as(dispatcher, tracker, "cancel_bed_watch", domain, watch)
        working = bool((tracker.active_loop or {}).get("name")) or (
            tracker.get_slot("pending") not in (None, RESUME)
        )
        busy = working or bool(tracker.get_slot("pending") or tracker.get_slot("stash"))
        # "never mind" right after a bed change or a booking: it stands, and how to take it
        # back is said
        made = None if busy else (stop_after_change(tracker) or booking_stands(tracker))
        idle_text = made or (NOTHING_TO_CANCEL if _CANCELS.search(typed_text(tracker)) else "OK.")
        dispatcher.utter_message(
            text="OK, I've stopped. Nothing was changed." if busy else idle_text,
            json_message={"phi": False, "kind": "stop_ok", "data": {}},
        )
        stash = tracker.get_slot("stash")
        offer = resume_offer(stash) if working else None
        if made is not None or not busy:
            # the change stays undoable ("undo" after "never mind"); with nothing stopped,
            # the request just filed is still the one "cancel it" next withdraws
            return [*reset(), SlotSet("last_task", tracker.get_slot("last_task"))]
        if offer is None:
            return reset()
        # the task stopped had interrupted another: that one is offered again
        text, custom = offer
        dispatcher.utter_message(text=text, buttons=YES_NO, json_message=custom)
        return [*reset(keep=("stash",)), SlotSet("pending", RESUME)]


class ActionGoodbye(Action):
    def name(self) -> str:
        return "action_goodbye"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> Events:
        from actions.jobstep import does_jobs
        from actions.jobwords import bare_done

        turn = Turn.of(tracker)
        if asks_for_all(tracker, turn.text):  # "all of them" at a cancel's pick: one at a time
            events = await ActionContinue().run(dispatcher, tracker, domain)
            return [*events, FollowupAction(loop_of(events) or "action_listen")]
        idle = not ((tracker.active_loop or {}).get("name") or tracker.get_slot("pending"))
        if idle and listed_beds_cleaned(tracker) is not None:
            # "both done" right after the beds waiting for cleaning were listed: marked clean
            followed = await follow_up_events(dispatcher, tracker, turn, domain)
            if followed is not None:
                return followed
        if idle and not turn.is_payload and bare_done(turn.text) and await does_jobs(tracker):
            # a porter's "done": the job in hand finished (a goodbye when none is)
            return await serve_as(dispatcher, tracker, "update_help_task", domain)
        dispatcher.utter_message(
            text="Goodbye.", json_message={"phi": False, "kind": "goodbye_answer", "data": {}}
        )
        return reset()
