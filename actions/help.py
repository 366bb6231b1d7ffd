"""Help requests (HMS Task): ask for a porter, IT, housekeeping or maintenance; check status."""

from __future__ import annotations

import difflib
import re

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet

from actions.base import HELP_DESK_BUTTON, UNAVAILABLE, ActionContext, GuardedAction, Outcome
from actions.beds import ActionCheckBedAvailability, bed_number, own_ward, said_beds
from actions.formats import TicketFormat, ward_said
from actions.helpplace import described_at, from_slot
from actions.services import Services
from assistant.hms.errors import NotFound, Unavailable
from assistant.hms.models import HelpTask, Staff

HELP_TYPES = {
    "porter": "porter",
    "porters": "porter",
    "portering": "porter",
    "transport": "porter",
    "it": "it",
    "i t": "it",
    "helpdesk": "it",
    "housekeeping": "housekeeping",
    "domestic": "housekeeping",
    "domestics": "housekeeping",
    "cleaner": "housekeeping",
    "cleaners": "housekeeping",
    "cleaning": "housekeeping",
    "maintenance": "maintenance",
    "estates": "maintenance",
    "repair": "maintenance",
    "plumber": "maintenance",
    "electrician": "maintenance",
    "handyman": "maintenance",
    "engineer": "maintenance",
    "other": "other",
}
# words that say which kind of help a description needs ("the printer is jammed" -> it)
HELP_KEYWORDS = {
    "it": (
        "printer",
        "printing",
        "print",
        "computer",
        "pc",
        "laptop",
        "screen",
        "monitor",
        "keyboard",
        "mouse",
        "login",
        "log in",
        "logon",
        "password",
        "wifi",
        "wi-fi",
        "network",
        "email",
        "system",
        "tablet",
        "scanner",
        "software",
        "label printer",
    ),
    "porter": (
        "wheelchair",
        "trolley",
        "transfer",
        "move a patient",
        "move the patient",
        "move patient",
        "take a patient",
        "take the patient",
        "take patient",
        "to radiology",
        "to x ray",
        "to xray",
        "to mri",
        "to the lab",
        "to the discharge lounge",
        "collect",
        "take bloods",
        "to x-ray",
        "to theatre",
        "to ct",
        "bring",
        "escort",
        "stretcher",
    ),
    "housekeeping": (
        "spill",
        "spillage",
        "clean",
        "cleaned",
        "bin",
        "mess",
        "vomit",
        "linen",
        "dirty",
        "mop",
        "deep clean",
        "commode",
        "commodes",
        "bedpan",
        "bedpans",
        "urinals",
        "sluice",
        "overflowing",
    ),
    "maintenance": (
        "broken",
        "leak",
        "leaking",
        "tap",
        "door",
        "light",
        "heating",
        "radiator",
        "window",
        "toilet",
        "blocked",
        "socket",
        "lock",
        "bed won't",
        "call bell",
        "ceiling",
    ),
}
URGENCY = {
    "routine": "routine",
    "not urgent": "routine",
    "non urgent": "routine",
    "non-urgent": "routine",
    "whenever": "routine",
    "low": "routine",
    "normal": "routine",
    "no rush": "routine",
    "no hurry": "routine",
    "urgent": "urgent",
    "urgently": "urgent",
    "soon": "urgent",
    "high": "urgent",
    "asap": "asap",
    "as soon as possible": "asap",
    "quickly": "asap",
    "stat": "stat",
    "immediately": "stat",
    "right now": "stat",
    "right away": "stat",
    "now": "stat",
}
_NEGATED_URGENCY = re.compile(
    r"\b(?:not|isn'?t|is\s+not|no(?:t)?\s+(?:really|that|very)?\s*|non-?|no\s+longer|"
    r"not\s+(?:needed|required|wanted)|(?:isn'?t|is\s+not|not)\s+needed)\s*(?:very\s+)?"
    r"(?:urgent(?:ly)?|an?\s+emergency|a\s+rush|rush|hurry|pressing)\b"
    r"|\b(?:no\s+rush|no\s+hurry|whenever|when(?:ever)?\s+(?:you|someone)\s+(?:can|gets?)|"
    r"routine|low\s+priority|in\s+(?:your|their)\s+own\s+time|not\s+time\s+critical)\b"
    # "it can wait", "can wait till tomorrow" (not "can't wait", "cannot wait")
    r"|\bcan\s+wait(?=\s*$|\s*[,.;!]|\s+(?:till|until|til|a\s+bit|a\s+while|actually|"
    r"after\s+all|then|now|though|thanks|please))",
    re.I,
)
_NOT_ROUTINE = re.compile(
    r"\b(?:not|isn'?t|is\s+not|non-?)\s*(?:a\s+|just\s+)?(?:routine|low\s+priority)\b", re.I
)
_URGENT = re.compile(
    r"\b(stat|immediately|right\s+(?:now|away)|at\s+once)\b|\b(asap|as\s+soon\s+as\s+possible|"
    r"quickly|quick)\b|\b(urgent(?:ly)?|high\s+priority|soon)\b",
    re.I,
)
HELP_NAMES = {"it": "IT", "porter": "porter", "housekeeping": "housekeeping"}
READ_ALL = "help:read_all"  # the help desk may read anyone's request
WORK = "help:work"  # porters, housekeeping: the jobs of the help types they handle


def help_type_code(text: str | None) -> str | None:
    return HELP_TYPES.get(" ".join((text or "").lower().replace(".", " ").split()))


# "it" is a pronoun far more often than the IT department: lower-case "it" names IT only
# beside words about IT ("it support", "need it on 4B", "it desk please"); "IT" always does
_PRONOUN_IT = frozenset({"it"})
_IT_NAMED = re.compile(
    r"\bit\s+(?:support|help|desk|team|dept|department|services?|request|issue|"
    r"problem|fault|ticket|job|person|guy|technician|engineer|people)\b|"
    r"\b(?:need|get|want|call|ring|contact|request|send|page)\s+(?:an?\s+)?it\s*"
    r"(?:(?:on|to|for|in|at|up\s+to|over\s+to)\s+(?:ward\s+)?\w*\d\w*|please|pls|asap|urgently|"
    r"[,.!]|$)",
    re.I,
)


def names_it(text: str) -> bool:
    """The message names the IT department, not the pronoun ("reserve it for bed 5")."""
    upper = re.search(r"\bIT\b", text)
    return upper is not None or bool(_IT_NAMED.search(" ".join(text.split())))


def infer_help_type(text: str | None) -> str | None:
    """The kind of help a description needs, from its words; None when it doesn't say."""
    low = f" {' '.join((text or '').lower().split())} "
    for word, code in HELP_TYPES.items():
        if word in _PRONOUN_IT:
            if re.search(rf"\b{re.escape(word)}\b", low) and names_it(text or ""):
                return code
            continue
        if word != "other" and re.search(rf"\b{re.escape(word)}\b", low):
            return code
    for code, words in HELP_KEYWORDS.items():
        if any(re.search(rf"\b{re.escape(w)}\b", low) for w in words):
            return code
    return None


_TYPED_PRIORITY = ("routine", "urgent", "urgently", "immediately")  # long enough to misspell
_SHORT_ANSWER = 2  # words


def priority_code(text: str | None) -> str | None:
    """The priority a short answer names, a typo forgiven ("urgnt" to "How urgent is it?"
    was "Is it routine, urgent, or needed immediately?" and the question asked again)."""
    said = " ".join((text or "").lower().split())
    if said in URGENCY:
        return URGENCY[said]
    words = re.findall(r"[a-z]+", said)
    if not words or len(words) > _SHORT_ANSWER:
        return None
    for word in words:
        close = difflib.get_close_matches(word, _TYPED_PRIORITY, n=1, cutoff=0.8)
        if close and len(word) >= 5:
            return URGENCY[close[0]]
    return None


def infer_urgency(text: str | None) -> str | None:
    """Urgency said in a sentence, negation understood: "not urgent" is routine."""
    low = " ".join((text or "").lower().split())
    if not low:
        return None
    # "not routine, urgent", "urgent not routine": a routine denied is urgency said
    low = _NOT_ROUTINE.sub(" urgent ", low)
    if _NEGATED_URGENCY.search(low):
        return "routine"
    found = _URGENT.search(low)
    if found is None:
        return None
    return "stat" if found.group(1) else "asap" if found.group(2) else "urgent"


def task_data(task: HelpTask) -> dict[str, object]:
    return {
        "ticket_id": task.ticket_id,
        "help_type": task.help_type,
        "status": task.status,
        "priority": task.priority,
        "owner": task.owner,
        "business_status": task.business_status,
    }


def task_line(task: HelpTask) -> str:
    owner = f", taken by {task.owner}" if task.owner else ""
    note = f" ({task.business_status})" if task.business_status else ""
    kind = HELP_NAMES.get(task.help_type or "", task.help_type or "help")
    return f"{task.ticket_id} {kind}: {task.status}{owner}{note}"


class ActionRequestHelp(GuardedAction):
    intent = "request_help"
    activity = "Requesting help"

    async def perform(self, ctx: ActionContext) -> Outcome:
        description = ctx.text("help_description") or ""
        help_type = help_type_code(ctx.text("help_type")) or infer_help_type(description) or "other"
        priority = (
            infer_urgency(ctx.text("urgency")) or priority_code(ctx.text("urgency")) or "routine"
        )
        ward_hint, number = bed_number(ctx.text("bed"))
        ward_text = own_ward(ctx, ctx.text("ward")) or ward_hint
        place = from_slot(ward_text)  # "pharmacy": a place that is no ward, kept as said
        if place is not None:
            ward_text, number, description = None, None, described_at(place, description)
        location_id, ward_code, ward_name = None, None, None
        try:
            if ward_text:
                ward = await ctx.hms.get_ward(ward_text)
                location_id, ward_code, ward_name = ward.id, ward.code, ward.name
                if number:
                    location_id = (await ctx.hms.get_bed(ward.code, number)).id
            task = await ctx.hms.create_task(
                help_type, location_id, priority, description, ctx.staff.username
            )
        except Unavailable:
            # the kiosk queues these slots (encrypted) and replays them through this
            # same guarded action when the HMS is back (assistant.channels.kiosk.guard)
            slots = {
                "help_type": help_type,
                "ward": ward_text,
                "bed": ctx.text("bed"),
                "urgency": priority,
                "help_description": description,
            }
            ctx.say(
                UNAVAILABLE,
                kind="request_help_unavailable",
                data={"queue": slots},
                buttons=[HELP_DESK_BUTTON],
            )
            return Outcome("error", reason="hms_unavailable")
        what = HELP_NAMES.get(help_type, help_type)
        said = ward_said(ward_code, ward_name) if ward_code else None  # "Ward 7", never "7"
        at = f"{said} bed {number}" if number and location_id and said else said
        where_is = at or place
        where = f" for {where_is}" if where_is else ""  # said back: the place may come from context
        ctx.say(
            f"Done: your {what} request{where} is {task.ticket_id} ({priority}). "
            "Ask me 'status of my requests' any time.",
            kind="request_help_success",
            data={**task_data(task), "ward": ward_code, "description": description},
        )
        # "actually make that urgent" next changes this request (actions.amend); no PHI
        filed = {"help_type": help_type, "ward": ward_code, "urgency": priority}
        if number and location_id and ward_code:
            filed["bed"] = number  # "sorry, bed 6 not bed 3" next moves it (actions.amend)
        last = {"intent": self.intent, "ticket": task.ticket_id, "slots": filed}
        return Outcome(
            resource=f"Task/{task.id}",
            detail=f"{help_type}/{priority}",
            events=(SlotSet("last_task", last),),
        )


# "status of that", "any update on it", "how's this one going": the request in hand
_THAT_ONE = re.compile(
    r"\b(?:that|it|this)(?:\s+(?:one|request|job))?(?:\s+(?:going|doing|coming\s+along))?"
    r"\s*\??\s*$|\bon\s+(?:that|it)\b",
    re.I,
)
_ALL = re.compile(r"\b(?:my|all|requests|jobs|tickets)\b", re.I)


def just_filed(tracker: Tracker) -> list[str]:
    """The ticket of the help request filed just before a status question that points at
    it ("what's the status of that?"): asked right after filing, that one, not the list."""
    from actions.state import slots_before_turn

    text = str(tracker.latest_message.get("text") or "")
    if not _THAT_ONE.search(text) or _ALL.search(text):
        return []
    # (the status question, a new request, may have cleared every task slot already)
    last = tracker.get_slot("last_task") or slots_before_turn(tracker).get("last_task")
    if isinstance(last, dict) and last.get("intent") == "request_help" and last.get("ticket"):
        return [str(last["ticket"])]
    return []


class ActionCheckRequestStatus(GuardedAction):
    intent = "check_request_status"
    activity = "Checking help requests"

    def instead(self, services: Services, staff: Staff, tracker: Tracker) -> GuardedAction | None:
        """ "release HR-12" (a job given back), or "what's the status of bed 2 on 4B": a
        bed's state asked, not a help request's (NLU read "status of") - the bed question,
        when a bed is named and no ticket."""
        from actions.jobs import a_job_given_back  # (actions.jobs imports this module)

        given_back = a_job_given_back(services, staff, tracker)
        if given_back is not None:
            return given_back
        text = str(tracker.latest_message.get("text") or "")
        fmt = TicketFormat(services.settings.ticket_prefixes, services.settings.ticket_digits)
        if fmt.find(text) or not said_beds(text):
            return None
        return ActionCheckBedAvailability()

    async def perform(self, ctx: ActionContext) -> Outcome:
        from actions.helptasks import what_for  # (actions.helptasks imports this module)
        from actions.shownrequests import shown_events

        settings = ctx.services.settings
        fmt = TicketFormat(settings.ticket_prefixes, settings.ticket_digits)
        said = f"{ctx.text('ticket_id') or ''} {ctx.tracker.latest_message.get('text') or ''}"
        named = fmt.find(said) or just_filed(ctx.tracker)  # "what's the status of that?"
        for ticket in named:
            if ticket.startswith("HD-"):
                found = self._handoff(ctx, ticket)
                if found is not None:
                    return found
                continue
            try:
                task = await ctx.hms.get_task(ticket)
            except NotFound:
                continue
            policy = ctx.services.policy
            works_on_it = policy.allows(ctx.staff.roles, WORK) and (
                task.help_type in policy.help_types_handled(ctx.staff.roles)
            )  # a porter may see the porter jobs' state
            if (
                task.requester != ctx.staff.username
                and not policy.allows(ctx.staff.roles, READ_ALL)
                and not works_on_it
            ):  # someone else's request: say no more than that it is not theirs
                ctx.say(
                    f"{ticket} is not one of your requests. Only the person who asked, or the "
                    "help desk, can see its status.",
                    kind="check_request_status_denied",
                )
                return Outcome("denied", reason="not_requester")
            ctx.say(
                f"{task_line(task)}.", kind="check_request_status_success", data=task_data(task)
            )
            shown = shown_events(ctx.tracker, [task.ticket_id or ""])  # for "cancel it" next
            return Outcome(resource=f"Task/{task.id}", events=shown)
        if fmt.find(said):
            ctx.say(
                "I couldn't find that ticket.",
                kind="unknown_ticket",
                data={"value": fmt.find(said)[0], "suggestions": []},
            )
            return Outcome("not_found", resource="Task")
        tasks = await ctx.hms.list_tasks(requester_username=ctx.staff.username)
        if not tasks:
            ctx.say("You have no help requests.", kind="check_request_status_none")
            return Outcome(resource="Task")
        recent = sorted(tasks, key=lambda t: t.ticket_id or "", reverse=True)[:5]
        ctx.say(
            "Your requests: " + "; ".join(task_line(t) + what_for(t) for t in recent) + ".",
            kind="check_request_status_success",
            data={"tasks": [task_data(t) for t in recent]},
        )
        listed = [t.ticket_id for t in recent if t.ticket_id]  # "cancel the first one" next
        about = {t.ticket_id: what_for(t).strip(' -"') for t in recent if t.ticket_id}
        return Outcome(resource="Task", events=shown_events(ctx.tracker, listed, about))

    def _handoff(self, ctx: ActionContext, ticket_id: str) -> Outcome | None:
        """A help-desk handoff ticket (HD-...) of this user, from the ticket store."""
        store = ctx.services.tickets
        getter = getattr(store, "get", None)
        if not callable(getter):
            return None
        try:
            ticket = getter(ticket_id)
        except Exception:  # TicketNotFound or a malformed id: not this kind of ticket
            return None
        desk = ctx.services.policy.allows(ctx.staff.roles, "handoff:claim")
        if getattr(ticket, "requester", None) != ctx.staff.username and not desk:
            return None  # the help desk may see any handoff ticket's state
        claimer = f", with {ticket.claimer}" if getattr(ticket, "claimer", None) else ""
        ctx.say(
            f"{ticket.ticket_id} help desk: {ticket.status}{claimer}.",
            kind="check_request_status_success",
            data={"ticket_id": ticket.ticket_id, "status": ticket.status, "help_type": "helpdesk"},
        )
        return Outcome(resource=f"Ticket/{ticket.ticket_id}")
