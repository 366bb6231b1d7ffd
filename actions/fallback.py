"""Messages the assistant did not understand: say so, then offer choices, then a person.

First miss: "Sorry, I didn't get that" (``nlu_fallback_rephrase``); second in a row: the
likeliest tasks as buttons plus the help desk (``nlu_fallback_clarify``); after that the
last resort offers what-can-you-do and the help desk (``fallback_default``). The help desk
is offered, never contacted by itself: a "yes" after any of these opens nothing.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import permitted_tasks
from actions.bedorder import orders_a_bed_change
from actions.freetext import ASKED_TASK, asks_off_topic, nonsense, say_take_your_time, waits
from actions.reading import FILLER, says_no
from actions.referent import PATIENT_SLOTS, asks_what_they_have, patient_in_hand
from actions.resume import answers_offer, go_back, loop_of, polarity
from actions.state import (
    RESUME,
    YES_NO,
    Turn,
    blanked,
    last_answer,
    pending_intent,
    resume_offer,
)
from actions.stepasks import asks_its_own
from intents.catalog import Catalog, default_catalog

HELP_DESK = {"title": "Contact the help desk", "payload": "/talk_to_human"}
CAPABILITIES = {"title": "What can you do?", "payload": "/ask_capabilities"}
NOT_OFFERED = ("emergency", "talk_to_human", "ask_capabilities")
MIN_CANDIDATE = 0.08


def candidates(
    turn: Turn, count: int = 2, allowed: frozenset[str] | None = None
) -> list[dict[str, str]]:
    """Buttons for the likeliest task intents of the message (never raw intent names), of
    those the user may ask for (``allowed``; None = not known, no filter)."""
    catalog = default_catalog()
    out = []
    for item in turn.ranking:
        intent = catalog.find(item.get("name"))
        if (
            intent is None
            or not intent.is_task
            or intent.name in NOT_OFFERED
            or (allowed is not None and intent.name not in allowed)
            or not intent.label
            or float(item.get("confidence") or 0) < MIN_CANDIDATE
        ):
            continue
        out.append({"title": intent.label, "payload": f"/{intent.name}"})
        if len(out) == count:
            break
    return out


REREAD_MIN = 0.25  # a task intent this likely is taken when nothing else is going on
REREAD_SURE = 0.45


def destination_clinic(turn: Turn) -> bool:
    """Every clinic NLU tagged is where someone goes ("wheelchair to physio"), not a clinic
    asked about (it made "porter bed 3 urgent wheelchair to physio" no help request)."""
    spans = turn.spans("department")
    before = re.compile(r"\bto\s+(?:the\s+)?$", re.I)
    return bool(spans) and all(before.search(turn.text[:start]) for start, _ in spans)


def reread(turn: Turn, patient: bool = False) -> str | None:
    """Out of any context, "inform" / a near-miss fallback is more likely a request: the
    likeliest task intent of the ranking when it is likely enough and the message's details
    (entities) are all ones that task uses ("urgent porter to 4B bed 10" is a request), or
    it is about a patient and refers to the one in hand (``patient``: "which bed is she
    in?" while booking her)."""
    catalog = default_catalog()
    found = {str(e.get("entity")) for e in turn.entities}
    alone = only_names(turn, catalog)
    if alone is not None:
        return alone
    helps = catalog.find("request_help")
    if "help_type" in found and destination_clinic(turn):
        found.discard("department")  # "porter bed 3 urgent wheelchair to physio": where to
    if "help_type" in found and helps is not None and found <= set(helps.entities):
        # "maintenance on ICU bed 8", "IT for ICU bed 4, urgent", "porter for MAT bed 3": a
        # kind of help and where, nothing else - a help request, whatever task NLU ranked
        # (a bed's status change: "What is the bed's new status?")
        return helps.name
    tasks = [
        (intent, float(item.get("confidence") or 0))
        for item in turn.ranking
        if (intent := catalog.find(item.get("name"))) is not None
        and intent.is_task
        and intent.name not in NOT_OFFERED
    ]
    if patient:  # of the two likeliest, the one about a patient
        about = [(i, c) for i, c in tasks[:2] if set(PATIENT_SLOTS) & set(i.entities)]
        if about and about[0][1] >= REREAD_MIN:
            return about[0][0].name
    for intent, confidence in tasks[:1]:
        fits = bool(found) and found <= set(intent.entities)
        if confidence >= REREAD_SURE or (confidence >= REREAD_MIN and fits):
            return intent.name
    return None


# words that ask without saying what for ("porter pls", "need IT", "can I get housekeeping")
_ASKING = re.compile(
    r"\b(?:need(?:ed)?|want|get|send|call|some|me|i|we|can|could|would|you|please|pls|plz|"
    r"asap|now|here|up|urgently|quickly|thanks|thx|ta|a|an|the|some|to)\b",
    re.I,
)


def only_names(turn: Turn, catalog: Catalog) -> str | None:
    """A message that names only what one task is about ("porter pls": a help type, the
    subject of a help request and of nothing else), with nothing but asking words around
    it: that task; None otherwise."""
    if turn.is_payload or not turn.entities:
        return None
    found = {str(e.get("entity")) for e in turn.entities}
    tasks = [i.name for i in catalog.tasks() if i.subject and found <= set(i.subject)]
    if len(tasks) != 1 or tasks[0] in NOT_OFFERED:
        return None
    rest = blanked(turn.text, turn.spans())
    rest = _ASKING.sub(" ", FILLER.sub(" ", re.sub(r"[^\w\s']", " ", rest)))
    return tasks[0] if not rest.split() else None


# what a help request says around its kind of help and its place ("porter for MAT bed 3",
# "IT needed on ED bed 3 please")
_PLACE_WORDS = re.compile(
    r"\b(?:for|on|at|in|to|by|bed|beds|bay|ward|needed|required|wanted|urgent|urgently|"
    r"routine|asap)\b",
    re.I,
)


def help_at_a_place(turn: Turn, catalog: Catalog | None = None) -> bool:
    """A message that says only a kind of help and where ("porter for 7 bed 3", "IT for
    ED bed 3"), with nothing but asking words around them: a help request, whatever task
    NLU ranked first (it cancelled a request for "porter for 7 bed 3" and answered "IT for
    ED bed 3" as a free-bed question). Any other word ("cancel", "free", "is", "?") leaves
    NLU's reading."""
    catalog = catalog or default_catalog()
    helps = catalog.find("request_help")
    found = {str(e.get("entity")) for e in turn.entities}
    if turn.is_payload or helps is None or "help_type" not in found:
        return False
    if not found <= set(helps.entities) or not found & {"ward", "bed"}:
        return False
    # the kind of help leads ("porter for 7 bed 3", "can I get IT on ED bed 3"): a status
    # said last ("HDU bed 9 and CCU bed 1 need cleaning") is a bed change
    first = min(at for at, _ in turn.spans("help_type"))
    lead = _ASKING.sub(" ", FILLER.sub(" ", re.sub(r"[^\w\s']", " ", turn.text[:first])))
    if lead.split():
        return False
    rest = blanked(turn.text, turn.spans())
    rest = _PLACE_WORDS.sub(" ", _ASKING.sub(" ", FILLER.sub(" ", re.sub(r"[^\w\s']", " ", rest))))
    return not re.sub(r"\b\d+\b", " ", rest).split()


async def not_understood(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn
) -> list[dict[str, Any]]:
    if waits(turn):  # "one moment please" (NLU: anything): a wait, not a miss
        say_take_your_time(dispatcher, tracker.get_slot("requested_slot"))
        return []
    misses = int(tracker.get_slot("fallbacks") or 0) + 1
    allowed = await permitted_tasks(tracker) if misses < 3 else None
    if misses == 1:
        dispatcher.utter_message(
            text="Sorry, I didn't get that. Could you say it another way?",
            buttons=candidates(turn, 2, allowed),
            json_message={"phi": False, "kind": "nlu_fallback_rephrase", "data": {}},
        )
    elif misses == 2:
        choices = candidates(turn, 3, allowed)
        dispatcher.utter_message(
            text="Sorry, I'm still not sure what you need. Is it one of these? If not, I can "
            "put you through to the help desk."
            if choices
            else "Sorry, I'm still not sure what you need. I can put you through to the help "
            "desk, or you can ask me what I can do.",
            buttons=[*choices, HELP_DESK] if choices else [CAPABILITIES, HELP_DESK],
            json_message={"phi": False, "kind": "nlu_fallback_clarify", "data": {}},
        )
    else:
        dispatcher.utter_message(
            text="I can't work out what you need, sorry. You can ask me what I can do, or "
            "tap 'Contact the help desk' to reach a person.",
            buttons=[CAPABILITIES, HELP_DESK],
            json_message={"phi": False, "kind": "fallback_default", "data": {}},
        )
    return [SlotSet("fallbacks", misses)]


SHORT_ANSWER = 4  # words: "yes", "ok then", "no thanks", "yes please do"


def after_fallback(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn
) -> list[dict[str, Any]] | None:
    """A bare yes or no right after a message was not understood answers nothing the
    assistant asked: a no is taken (nothing to do), a yes gets the help desk *offered* as
    a button - never contacted by itself - and neither counts as another miss. None when
    the message is something else, or nothing was missed just before."""
    missed = int(tracker.get_slot("fallbacks") or 0) >= 1 or offered_a_person(tracker)
    if not missed or turn.is_payload or turn.entities:
        return None
    if len(turn.text.split()) > SHORT_ANSWER:
        return None
    answer = turn.intent if turn.intent in ("affirm", "deny") else polarity(turn.text)
    if answer == "deny" and polarity(turn.text) != "deny" and not says_no(turn.text):
        return None  # "monitor not working" (NLU: a no) says no no
    if answer == "deny":
        dispatcher.utter_message(
            text="OK. Tell me what you need whenever you're ready, or ask me what I can do.",
            buttons=[CAPABILITIES],
            json_message={"phi": False, "kind": "stop_ok", "data": {}},
        )
        return [SlotSet("fallbacks", None)]
    if answer == "affirm":
        dispatcher.utter_message(
            text="I'm not sure what that's a yes to, so I haven't done anything. Tell me what "
            "you need in a few words, or tap 'Contact the help desk' to reach a person.",
            buttons=[CAPABILITIES, HELP_DESK],
            json_message={"phi": False, "kind": "nlu_fallback_clarify", "data": {}},
        )
        return []
    return None


def offered_a_person(tracker: Tracker) -> bool:
    """The assistant's last answer offered the help desk (a form that gave up, an unknown
    value asked about twice): a "yes" now is not an instruction to contact it."""
    return any(
        b.get("payload") == HELP_DESK["payload"]
        for event in last_answer(tracker)
        for b in (event.get("data") or {}).get("buttons") or []
    )


class ActionFallback(Action):
    """NLU fallback. While a task waits on a step (choosing a slot, confirming), the words
    go to that task first: "the second one" is an answer there, not a miss."""

    def name(self) -> str:
        return "action_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        from actions.amend import amendment
        from actions.flow import (
            ActionContinue,
            ActionStop,
            back_to_where_we_were,
            built_booking,
            follow_up_events,
            resume_quiet,
            serve_as,
        )
        from actions.newbooking import means_booking
        from actions.reading import puts_off, stoppish

        turn = Turn.of(tracker)
        from actions.claimhint import claims_from_the_queue, say_where_to_claim
        from actions.clinicalorder import orders_clinically, say_not_ordered

        if claims_from_the_queue(tracker, turn.text):  # "claim the first one" after the queue
            say_where_to_claim(dispatcher)
            return [FollowupAction("action_listen")]
        from actions.bedbooking import books_a_bed, say_beds_not_booked

        if not (tracker.active_loop or {}).get("name") and books_a_bed(tracker, turn):
            say_beds_not_booked(dispatcher)  # "book it for the pt in ED" after free beds
            return [FollowupAction("action_listen")]
        if orders_clinically(turn.text) and not (tracker.active_loop or {}).get("name"):
            say_not_ordered(dispatcher)  # "order bloods for bed 5": out of scope, said plainly
            return [FollowupAction("action_listen")]
        if waits(turn):  # "one moment please": not a miss; an offer or a step stays open
            say_take_your_time(dispatcher, tracker.get_slot("requested_slot"))
            return []
        from actions.resumestep import answers_the_step

        step = await answers_the_step(dispatcher, tracker, turn, domain)
        if step is not None:  # "the 9:40 one" to "Shall we carry on booking ...?"
            return [*step, FollowupAction(loop_of(step) or "action_listen")]
        answer = answers_offer(tracker, turn)
        if answer is not None:  # "no, leave the appointment as it is" to the offer to go back
            events = go_back(dispatcher, tracker, turn, answer)
            return [*events, FollowupAction(loop_of(events) or "action_listen")]
        busy = (tracker.active_loop or {}).get("name") or tracker.get_slot("pending")
        if busy and stoppish(turn):  # "no, cancel" while a task waits: stop it
            return await ActionStop().run(dispatcher, tracker, domain)
        from actions.carryon import back_from_digression

        back = back_from_digression(dispatcher, tracker, turn)
        if back is not None:  # "ok carry on" while a digression's form asks: back to the task
            return back
        waiting = pending_intent(tracker.get_slot("pending"))
        own = asks_its_own(turn, waiting)
        if own is not None:  # "hang on, what clinics are on friday?" at a booking's confirm
            return await serve_as(dispatcher, tracker, own, domain)
        if waiting:
            return await ActionContinue().run(dispatcher, tracker, domain)
        resumed = resume_quiet(dispatcher, tracker, turn)
        if resumed is not None:  # "where were we?" after a second question
            return resumed
        where = back_to_where_we_were(dispatcher, tracker, turn)
        if where is not None:  # "where were we?" with a form or a step in hand
            return where
        amend = amendment(tracker, turn)  # "no wait, it's urgent", "sorry, bed 6"
        if amend is not None:
            return await amend.run(dispatcher, tracker, domain)
        followed = await follow_up_events(dispatcher, tracker, turn, domain)
        if followed is not None:
            return followed
        job = await as_a_job_step(dispatcher, tracker, turn, domain)
        if job is not None:  # "take the next urgent one", "I can't do it, give it back"
            return job
        queue = await as_a_queue_question(dispatcher, tracker, turn, domain)
        if queue is not None:  # "show the queue", "HD-000099" from a help-desk agent
            return queue
        if means_booking(turn):  # "I need to book a patient", "put X into the 12:00 slot"
            return await serve_as(dispatcher, tracker, "book_appointment", domain)
        built = built_booking(dispatcher, tracker, turn)
        if built is not None:  # "at 11am" / "for Ngozi Price": the booking they build
            return built
        in_hand = bool(patient_in_hand(tracker, turn, list(PATIENT_SLOTS)))
        intent = reread(turn, patient=in_hand)
        if intent is None and in_hand and asks_what_they_have(turn.text):
            intent = "list_appointments"  # "what has he got now" right after booking him
        if intent is None and orders_a_bed_change(turn):
            intent = "update_bed_status"  # "block a bed on ward nine", "can you block bed 4"
        if intent is None:
            intent = await asked_mid_form(tracker, turn)
        if intent is not None:
            return await serve_as(dispatcher, tracker, intent, domain)
        if puts_off(turn):  # "hmm forget it, it's fine" with nothing in hand: taken
            return await ActionStop().run(dispatcher, tracker, domain)
        if offer_again(dispatcher, tracker):  # "hmm" to "Shall we carry on ...?"
            return [SlotSet("fallbacks", 1)]
        answered = after_fallback(dispatcher, tracker, turn)
        if answered is not None:  # "yes" / "no" right after a miss
            return answered
        return await not_understood(dispatcher, tracker, turn)


async def asked_mid_form(tracker: Tracker, turn: Turn) -> str | None:
    """A question not understood that left a free-text question ("what are my requests?"
    while a help request's description is asked, ``freetext.asks_off_topic``): its
    likeliest task of those the user may ask for, when likely enough; else None."""
    catalog = default_catalog()
    form = catalog.form(str((tracker.active_loop or {}).get("name") or ""))
    asked = str(tracker.get_slot("requested_slot") or "")
    spec = catalog.slot(asked) if asked in catalog.slot_names() else None
    free = spec is not None and spec.free_text and not spec.reported
    if form is None or not free or not asks_off_topic(turn, form, catalog):
        return None
    allowed = await permitted_tasks(tracker)
    for item in turn.ranking:
        task = catalog.find(item.get("name"))
        if task is None or not task.is_task or task.name in (form.intent, *NOT_OFFERED):
            continue
        if allowed is not None and task.name not in allowed:
            continue
        return task.name if float(item.get("confidence") or 0) >= ASKED_TASK else None
    return None


async def as_a_job_step(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, domain: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """Words not understood that take the next job, finish one or give one back ("take the
    next urgent one", "dropped him off", "I can't do it, give it back"), from someone who
    does help jobs: that job step. None otherwise."""
    from actions.flow import serve_as
    from actions.jobpicks import follows_a_job
    from actions.jobstep import does_jobs
    from actions.jobtalk import asks_where
    from actions.jobwords import a_job_step

    if turn.is_payload:
        return None
    # or, right after a job list or step: "take the top one", "the other one", "next"
    idle = not (tracker.active_loop or {}).get("name")
    said = a_job_step(turn.text) or (idle and follows_a_job(tracker, turn.text))
    said = said or asks_where(turn.text)  # "where am I taking them": the job's destination
    if not said or not await does_jobs(tracker):
        return None
    return await serve_as(dispatcher, tracker, "update_help_task", domain)


async def as_a_queue_question(
    dispatcher: CollectingDispatcher, tracker: Tracker, turn: Turn, domain: dict[str, Any]
) -> list[dict[str, Any]] | None:
    """Words not understood that ask about the help-desk queue ("show the queue",
    "HD-000099"), from a help-desk agent: the queue (its own permission check and audit
    event). None otherwise, and always for staff who do not work the queue."""
    from actions.base import lacks_permission
    from actions.deskqueue import PERMISSION, ActionHandoffQueue, asks_queue

    if turn.is_payload or not asks_queue(turn.text):
        return None
    if await lacks_permission(tracker, PERMISSION):
        return None
    return [
        *(await ActionHandoffQueue().run(dispatcher, tracker, domain)),
        FollowupAction("action_listen"),
    ]


def offer_again(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """A message not understood right after "Shall we carry on ...?" (the first miss):
    say so and ask the offer again, with its yes and no."""
    if tracker.get_slot("pending") != RESUME or int(tracker.get_slot("fallbacks") or 0):
        return False
    offer = resume_offer(tracker.get_slot("stash"))
    if offer is None:
        return False
    text, custom = offer
    dispatcher.utter_message(
        text=f"Sorry, I didn't get that. {text} Yes or no?", buttons=YES_NO, json_message=custom
    )
    return True


class ActionDefaultFallback(Action):
    """Rasa's core fallback (no rule applies): the same answers, nothing changed."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = Turn.of(tracker)
        if not (tracker.active_loop or {}).get("name"):
            job = await as_a_job_step(dispatcher, tracker, turn, domain)
            if job is not None:
                return job
        # answer once and wait for the user (no rule follows it, so say so explicitly)
        return [
            *(await not_understood(dispatcher, tracker, turn)),
            FollowupAction("action_listen"),
        ]


CAN_DO = (
    "I can find free beds, book or cancel appointments, find which bed a patient is in, "
    "request a porter, IT or housekeeping, or put you through to the help desk."
)
# a question for a clinician: doses, drugs, diagnoses, treatment, symptoms, results
CLINICAL = re.compile(
    r"\b(?:dose|doses|dosage|dosing|mg|mcg|ml|units?|drugs?|medications?|meds|medicines?|"
    r"prescri\w*|tablets?|antibiotics?|paracetamol|ibuprofen|morphine|insulin|warfarin|"
    r"heparin|diagnos\w*|treat\w*|symptoms?|side\s+effects?|interactions?|contraindicat\w*|"
    r"allerg\w*|infusion|iv\s+fluids?|clinical|blood\s+results?|results?|bloods|ecg|"
    r"x-?ray\s+shows?|scan\s+shows?|should\s+i\s+(?:give|stop|start|increase|reduce)|"
    r"is\s+it\s+safe|normal\s+range|sepsis|news\s+score|obs)\b",
    re.I,
)


class ActionOutOfScope(Action):
    """Something the assistant does not do: declined and pointed elsewhere; nonsense trained
    as out of scope ("asdfgh") is not understood instead - "Sorry, I didn't get that", and
    while a form asks, a miss of its question (``actions.forms``); a wait read as out of
    scope ("give me a minute") while a form asks keeps its question open."""

    def name(self) -> str:
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        turn = Turn.of(tracker)
        if waits(turn):  # "give me a minute": whatever is open stays open (not declined)
            say_take_your_time(dispatcher, tracker.get_slot("requested_slot"))
            return []
        from actions.earlydescription import early_description

        described = early_description(tracker, turn)
        if described is not None:  # "hes going to xray, wheelchair" while urgency is asked
            dispatcher.utter_message(
                text="Noted: what is needed.",
                json_message={
                    "phi": False,
                    "kind": "slot_noted",
                    "data": {"slots": ["help_description"]},
                },
            )
            return [SlotSet("help_description", described)]
        from actions.clinicpick import entry_asked, time_not_listed

        if not (tracker.active_loop or {}).get("name") and (
            entry_asked(tracker) or time_not_listed(tracker)
        ):  # "who is the 2pm" right after a clinic's list: that entry, not declined
            from actions.flow import ActionNewRequest

            return await ActionNewRequest().run(dispatcher, tracker, domain)
        if not nonsense(turn.text):
            if CLINICAL.search(turn.text):  # "max dose of paracetamol?": never answered
                dispatcher.utter_message(response="utter_out_of_scope_answer")
            else:  # "what's the wifi password": no word of clinical advice
                dispatcher.utter_message(
                    text=f"Sorry, I can't help with that. {CAN_DO}",
                    buttons=[CAPABILITIES, HELP_DESK],
                    json_message={"phi": False, "kind": "out_of_scope_answer", "data": {}},
                )
            return []
        if (tracker.active_loop or {}).get("name"):  # the form asks its question again
            dispatcher.utter_message(
                text="Sorry, I didn't get that.",
                json_message={"phi": False, "kind": "nlu_fallback_rephrase", "data": {}},
            )
            return []
        return await not_understood(dispatcher, tracker, turn)
