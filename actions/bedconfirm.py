"""A change that would put a patient's bed out from under them asks first.

Closing, freeing or marking for cleaning a bed that is OCCUPIED ("close ICU bed 6" when
someone is in it) is asked back ("ICU Bed 6 is occupied - close it anyway?", yes / no)
before anything is written; a free or cleaning bed changes at once, as before. The beds
asked about are kept in the ``confirmed`` bookkeeping slot (ids, ward, bed number, the
status asked for and the status they had), with ``pending`` at
``update_bed_status:confirm``; the yes re-reads each bed and writes only one that is still
as it was when asked (someone else may have changed it meanwhile). Several beds in one
message: those that need no asking change at once, the occupied ones are asked about
together. A message cut into several requests asks only in its last one: an earlier one
changes the bed at once and says it was occupied and how to undo it (the question would
be buried under the later requests' answers).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ActionContext, Outcome
from actions.scheduling import pending, step
from actions.state import YES_NO, Turn
from assistant.hms.errors import NotFound
from assistant.hms.models import Bed

INTENT = "update_bed_status"
ASKED_FOR = ("U", "H", "C")  # free, needs cleaning, closed: the patient would lose the bed
_VERBS = {"U": "mark {it} free", "H": "mark {it} for cleaning", "C": "close {it}"}


def asks_first(bed: Bed, code: str) -> bool:
    """The change takes an occupied bed away from its patient: asked before writing."""
    return bed.status == "O" and code in ASKED_FOR


def more_clauses_follow(ctx: ActionContext) -> bool:
    """The message was cut into requests and others follow this one ("close bed 27 and then
    get maintenance for it"): a question asked now would be buried under their answers, so
    the occupied bed is changed at once, said so, and ``undo`` puts it back."""
    metadata = ctx.tracker.latest_message.get("metadata") or {}
    clause = metadata.get("clause") if isinstance(metadata, dict) else None
    if not (isinstance(clause, list) and len(clause) == 2):
        return False
    return all(isinstance(n, int) for n in clause) and clause[0] < clause[1]


OCCUPIED_NOTE = "It was occupied - say 'undo' to put it back."


def _names(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def ask(ctx: ActionContext, beds: list[tuple[Bed, str]]) -> tuple[dict[str, Any], ...]:
    """Ask whether to change the occupied ``beds`` anyway; the events that wait for it."""
    labels = [b.label for b, _ in beds]
    codes = {code for _, code in beds}
    it = "it" if len(beds) == 1 else "them"
    verb = _VERBS[next(iter(codes))] if len(codes) == 1 else "change {it}"
    are = "is" if len(beds) == 1 else "are"
    ctx.say(
        f"{_names(labels)} {are} occupied - {verb.format(it=it)} anyway?",
        kind="update_bed_status_confirm",
        data={
            "beds": [{"label": b.label, "ward": b.ward_code, "status": b.status} for b, _ in beds],
            "asked": sorted(codes),
        },
        buttons=YES_NO,
    )
    kept = [
        {
            "bed_id": b.id,
            "label": b.label,
            "ward": b.ward_code or "",
            "bed": b.label.rsplit(" ", 1)[-1],
            "status": code,
            "was": b.status or "",
        }
        for b, code in beds
    ]
    return (pending(INTENT, "confirm"), SlotSet("confirmed", {"beds": kept}))


def waits_for_answer(ctx: ActionContext) -> bool:
    """The bed change asked "... anyway?" and this message answers it."""
    kept = ctx.slot("confirmed")
    return step(ctx, INTENT) == "confirm" and isinstance(kept, dict) and "beds" in kept


def another_bed_instead(ctx: ActionContext) -> dict[str, str] | None:
    """ "block bed 2" (no yes, no no) to "4B Bed 9 is occupied - mark it free anyway?": a
    change of another bed on the same ward, made after saying bed 9 is kept (it was taken
    as a no and bed 2 was never changed); None for an answer to the question."""
    from actions.followup import changes_a_bed_on_the_ward, one_ward_of
    from actions.resume import polarity

    turn = Turn.of(ctx.tracker)
    if turn.intent in ("affirm", "deny") or polarity(turn.text) is not None:
        return None
    asked = list((ctx.slot("confirmed") or {}).get("beds") or [])
    change = changes_a_bed_on_the_ward(one_ward_of(asked), turn)
    if change is None or change["bed"] in {str(b.get("bed")).lstrip("0") for b in asked}:
        return None
    return change


async def answer(ctx: ActionContext) -> Outcome:
    """The yes or no to "... occupied - close it anyway?": the beds changed, or kept."""
    from actions.beds import STATUS_PHRASES, write_change
    from actions.resume import polarity

    turn = Turn.of(ctx.tracker)
    said = turn.intent if turn.intent in ("affirm", "deny") else polarity(turn.text)
    said = None if said == "affirm" and turn.takes_back else said  # "undo that", "ok wait"
    asked = list((ctx.slot("confirmed") or {}).get("beds") or [])
    if said != "affirm":
        labels = [str(b["label"]) for b in asked]
        are = "stays" if len(labels) == 1 else "stay"
        ctx.say(
            f"OK, {_names(labels)} {are} occupied: nothing changed.",
            kind="update_bed_status_kept",
            data={"beds": labels},
        )
        return Outcome("refused", reason="not_confirmed", detail="kept")
    changed: list[dict[str, Any]] = []
    for kept in asked:
        ctx.check_ward(str(kept["ward"]))
        try:
            bed = await ctx.hms.get_bed(str(kept["ward"]), str(kept["bed"]))
        except NotFound:
            continue
        if bed.status != kept["was"]:  # changed by someone else since it was asked
            now = STATUS_PHRASES.get(bed.status or "", "unknown")
            ctx.say(
                f"{bed.label} has changed since I asked (it is now {now}): I haven't changed it.",
                kind="update_bed_status_unchanged",
                data={"label": bed.label, "status": bed.status},
            )
            continue
        changed.append(await write_change(ctx, bed, str(kept["status"])))
    kept_task: dict[str, Any] = {"changed": changed}
    if changed:
        kept_task["undo"] = changed[-1]
    return Outcome(
        events=(SlotSet("last_task", kept_task),),
        resource=f"Location/{asked[0]['bed_id']}" if asked else None,
        detail=f"confirmed {len(changed)} of {len(asked)} beds",
    )
