"""What the help-request actions share: open statuses, the ticket ids a message names, and
one short line per task (ticket, kind, place, priority; never the free-text description,
which may hold what a patient is being moved for)."""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.base import ActionContext
from actions.beds import bed_number
from actions.formats import TicketFormat
from actions.help import HELP_NAMES, HELP_TYPES, help_type_code, task_data
from assistant.hms.errors import NotFound
from assistant.hms.models import HelpTask

# FHIR task statuses of a request nobody has finished, withdrawn or turned down
OPEN_STATUSES = ("requested", "received", "accepted", "ready", "in-progress", "on-hold")
OPEN = ",".join(OPEN_STATUSES)
CLOSED_WORDS = {
    "completed": "done",
    "cancelled": "cancelled",
    "failed": "marked failed",
    "rejected": "turned down",
    "entered-in-error": "withdrawn as an error",
}
PRIORITY_ORDER = {"stat": 0, "asap": 1, "urgent": 2, "routine": 3}
# "bed number 4", "bed no 4": a bed, not "ticket 4"
_BED_NUMBER = re.compile(r"\b(?:bed|bay|room)\s+(?:number|no\.?)\s*", re.I)


# "is HR-12 closed?", "did maintenance fix it yet", "where is the porter": a question about
# a request's state (check_request_status), never a change of it
_STATUS_QUESTION = re.compile(
    r"^\s*(?:is|are|has|have|did|does|when|where|how|who|what(?:'s)?|any\s+(?:news|update)|"
    r"follow\s+up|chase)\b",
    re.I,
)


_NO_LONGER_NEED = re.compile(
    r"\b(?:no\s+longer\s+need|(?:don'?t|do\s+not|doesn'?t|won'?t)\s+need|not\s+needed|"
    r"cancel|call\s+off|withdraw)\b",
    re.I,
)
_HELP_NAMED = re.compile(
    r"\b(?:[Hh][Rr][\s-]*\d+|[Tt]icket\s+\d+|[Pp]orters?|IT|[Hh]ousekeeping|[Cc]leaners?|"
    r"[Mm]aintenance|[Ee]states)\b"
)


def withdraws_help(text: str) -> bool:
    """'no longer need IT', "we don't need the porter now" (which NLU may read as a no):
    withdrawing a help request, named by its kind or ticket."""
    return bool(_NO_LONGER_NEED.search(text) and _HELP_NAMED.search(text))


_THING = (
    r"(?:it|that|this|the\s+request|that\s+request|my\s+request|(?:the|that|this|my)\s+"
    r"(?:bed\s+)?(?:alert|watch|notification|reminder|request|ticket|job))"
)
# "actually cancel that, it works now": the reason it is no longer needed may follow
_NO_LONGER_NEEDED = (
    r"(?:\s*[,;.!-]+\s*|\s+(?:as|because|since|cos|coz)\s+)(?:(?:it|it's|its|all|we|i|they|"
    r"the\s+\w+|he|she)\s+)*(?:is\s+|are\s+|has\s+|have\s+|'s\s+|got\s+)?(?:\w+\s+)?"
    r"(?:works?|working|fixed|sorted|resolved|done|no\s+longer|not\s+needed|found|fine|ok|okay|"
    r"managed|back\s+(?:up|on)|came\s+back)\b[^?]*"
)
_WITHDRAW_FILED = re.compile(
    r"^\W*(?:(?:ok|oh|sorry|actually|no|wait|yes|yeah|yep)\W+)*(?:please\s+)?(?:cancel|withdraw|scrap|"
    rf"call\s+off)(?:\s+{_THING})?(?:\s+(?:off|please|then|now|again))*(?:{_NO_LONGER_NEEDED})?"
    r"\W*$|^\W*(?:(?:ok|actually|sorry|never\s*mind|forget\s+(?:it|that))\W+)*"
    r"(?:call\s+(?:it|that)\s+off|(?:I\s+)?(?:don'?t|do\s+not)\s+need\s+(?:it|that)"
    rf"(?:\s+any\s*more|\s+now)?)(?:{_NO_LONGER_NEEDED})?\W*$",
    re.I,
)
_STOP_WATCH = re.compile(
    r"^\W*(?:(?:ok|oh|sorry|actually|no|wait)\W+)*(?:stop|turn\s+off|switch\s+off)\s+(?:the|that|"
    r"this|my)\s+(?:bed\s+)?(?:alerts?|watch|notifications?|reminder)\b[^?]*$",
    re.I,
)
_NAMES_A_WATCH = re.compile(r"\b(?:alert|watch|notification|reminder)\b", re.I)
_NAMES_A_REQUEST = re.compile(r"\b(?:request|ticket|job)\b", re.I)


def withdraws_filed(text: str) -> bool:
    """'cancel it', 'scrap that', "actually I don't need it now", "cancel that, it works
    now": right after a help request was filed, withdrawing that request (NLU reads these
    as a stop); not when the words name an alert."""
    return bool(_WITHDRAW_FILED.search(text)) and not _NAMES_A_WATCH.search(text)


def withdraws_watch(text: str) -> bool:
    """'cancel that alert', 'stop it': right after a bed watch was set, cancelling it."""
    if _STOP_WATCH.search(text):
        return True
    return bool(_WITHDRAW_FILED.search(text)) and not _NAMES_A_REQUEST.search(text)


def typed_text(tracker: Tracker) -> str:
    """The message as typed or spoken ('' for a button payload)."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if text.lstrip().startswith("/") else text


def asks_status(tracker: Tracker) -> bool:
    return bool(_STATUS_QUESTION.search(typed_text(tracker)))


def ticket_ids(ctx: ActionContext) -> list[str]:
    """The help-request ids (HR-...) the message names: 'HR-000012', 'hr 12', 'ticket 12'."""
    settings = ctx.services.settings
    fmt = TicketFormat(settings.ticket_prefixes, settings.ticket_digits)
    text = str(ctx.tracker.latest_message.get("text") or "")
    if text.lstrip().startswith("/"):
        text = ""  # a button payload: its ticket is in the slot
    said = _BED_NUMBER.sub("bed ", f"{ctx.text('ticket_id') or ''} {text}")
    return [t for t in fmt.find(said) if not t.startswith("HD-")]


async def find_task(ctx: ActionContext, ids: list[str]) -> HelpTask | None:
    """The first of ``ids`` the HMS knows; None after saying that ticket is unknown."""
    for ticket in ids:
        try:
            return await ctx.hms.get_task(ticket)
        except NotFound:
            continue
    ctx.say(
        "I couldn't find that ticket.",
        kind="unknown_ticket",
        data={"value": ids[0], "suggestions": []},
    )
    return None


def help_type_said(ctx: ActionContext) -> str | None:
    """The kind of help the message names ('my porter request'), or None."""
    said = help_type_code(ctx.text("help_type"))
    if said:
        return said
    text = str(ctx.tracker.latest_message.get("text") or "")
    return None if text.lstrip().startswith("/") else _named_type(text)


def _named_type(text: str) -> str | None:
    low = f" {' '.join(text.lower().split())} "
    for word, code in HELP_TYPES.items():
        if word not in ("other", "cleaning", "repair") and re.search(
            rf"\b{re.escape(word)}\b", low
        ):
            return code
    return None


async def place_ids(ctx: ActionContext) -> set[str] | None:
    """The HMS locations of the bed or ward the message names (a ward: it and its beds),
    or None when it names none. Raises NotFound for a place the HMS does not know."""
    ward_hint, number = bed_number(ctx.text("bed"))
    ward_text = ctx.text("ward") or ward_hint
    if not ward_text:
        return None
    ward = await ctx.hms.get_ward(ward_text)
    if number:
        return {(await ctx.hms.get_bed(ward.code, number)).id}
    return {ward.id} | {b.id for b in await ctx.hms.find_beds(ward.code)}


def kind_name(task: HelpTask) -> str:
    return HELP_NAMES.get(task.help_type or "", task.help_type or "help")


async def places(ctx: ActionContext, tasks: list[HelpTask]) -> dict[str, str]:
    """location id -> its name, for the tasks' places."""
    ids = sorted({t.location_id for t in tasks if t.location_id})
    return await ctx.hms.place_names(ids) if ids else {}


def line(task: HelpTask, names: dict[str, str], *, status: bool = False) -> str:
    """'HR-000012 porter, 4B Bed 4 (urgent)'."""
    where = names.get(task.location_id or "", "")
    place = f", {where}" if where else ""
    state = f", {task.status}" if status else ""
    return f"{task.ticket_id} {kind_name(task)}{place} ({task.priority or 'routine'}{state})"


WHAT_FOR_WORDS = 5
# what the list shows already (the place, the kind, the priority), left out of its words
_SHOWN_PLACE = re.compile(
    r"\b(?:(?:to|for|on|at|in)\s+)?(?:ward\s+)?(?:[a-z0-9]{1,4}\s*)?(?:bed|-)\s*\d{1,3}\b|"
    r"\b(?:to|for|on|at|in)\s+(?:ward\s+)?\d{1,2}[a-z]\b",
    re.I,
)
_SHOWN = frozenset(
    """porter porters housekeeping cleaner cleaners maintenance it please pls routine
    urgent urgently asap stat i need can get a an we""".split()
)


# words that open a request, not what it is for ("and you too, spill" was shown)
_OPENING = frozenset("and also plus oh you could someone somebody too as well then".split())


def what_for(task: HelpTask) -> str:
    """' - "take him to MRI"': the first words of a request's description, MRNs redacted,
    for its requester's lists (which of two porter requests is the MRI one); '' without."""
    from assistant.logging import redact_phi

    text = _SHOWN_PLACE.sub(" ", redact_phi(" ".join((task.description or "").split())))
    words = [w for w in text.split() if w.strip(",.;:!").lower() not in _SHOWN and w.strip(",.")]
    while words and words[0].strip(",.;:!").lower() in _OPENING:
        words = words[1:]  # "and can you get housekeeping to bed 8 too, spill": "spill"
    if not words:
        return ""
    more = "..." if len(words) > WHAT_FOR_WORDS else ""
    return f' - "{" ".join(words[:WHAT_FOR_WORDS])}{more}"'


_PLAIN = frozenset(
    """cancel cancelled the that this one request requests job ticket please pls for and
    don't dont need any more anymore not now was can you could get rid of withdraw scrap
    drop mine my our porter porters housekeeping cleaner cleaners maintenance help
    """.split()
)


def said_words(text: str) -> set[str]:
    """The words of ``text`` that may tell one request from another ("mri", "printer")."""
    return {w for w in re.findall(r"[a-z0-9][a-z0-9'-]{2,}", text.lower()) if w not in _PLAIN}


def described_by(tasks: list[HelpTask], text: str) -> list[HelpTask]:
    """ "cancel the MRI porter": the one request whose description holds a word the
    message names beyond the usual ones; [] when none or several do."""
    words = said_words(text)
    if not words:
        return []
    found = [
        t
        for t in tasks
        if words & set(re.findall(r"[a-z0-9][a-z0-9'-]{2,}", (t.description or "").lower()))
    ]
    return found if len(found) == 1 else []


def facts(task: HelpTask, names: dict[str, str]) -> dict[str, Any]:
    """``task_data`` with the place named instead of the business status."""
    data: dict[str, Any] = {k: v for k, v in task_data(task).items() if k != "business_status"}
    return {**data, "place": names.get(task.location_id or "")}


def by_urgency(tasks: list[HelpTask]) -> list[HelpTask]:
    """Most urgent first, then the oldest."""
    return sorted(
        tasks,
        key=lambda t: (PRIORITY_ORDER.get(t.priority or "", 9), t.ticket_id or ""),
    )
