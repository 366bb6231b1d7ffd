"""One bed change naming several beds ("close HDU bed 12 and CCU bed 10"): each bed is
changed on its own ward (``actions.bedplaces``), or nothing is changed.

Every ward and bed is looked up before anything is written: a bed whose ward cannot be
told, an unknown ward or a bed that does not exist changes nothing at all (the answer says
which), so a bed nobody named is never touched and a half-done change is never left. Each
bed then gets its own answer, with the same rules as one bed (already in that status,
housekeeping never frees an occupied bed).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk.events import SlotSet

from actions.base import ActionContext, Outcome
from actions.bedconfirm import OCCUPIED_NOTE, ask, asks_first, more_clauses_follow
from actions.bedplaces import Place
from actions.beds import (
    STATUS_PHRASES,
    bed_data,
    bed_status_code,
    cleans_beds,
    known_ward,
    own_ward,
    write_change,
)
from assistant.hms.errors import NotFound
from assistant.hms.models import Bed


async def change_beds(
    ctx: ActionContext, places: list[Place], code: str | None, intent: str
) -> Outcome:
    """Change every bed in ``places`` to its own status (or ``code``, the message's)."""
    unclear = [p for p in places if p.ward is None]
    if unclear:
        beds = ", ".join(f"bed {p.bed}" for p in unclear)
        ctx.say(
            f"Which ward is {beds} on? Name each bed with its ward (for example "
            "'HDU bed 12 and CCU bed 10'). I haven't changed anything.",
            kind="update_bed_status_invalid",
        )
        return Outcome("refused", reason="ward_unclear")
    wanted = [(p, bed_status_code(p.status_text) or code) for p in places]
    if any(status is None for _, status in wanted):
        ctx.say(
            "I need the new status for each bed (free, occupied, needs cleaning, closed, "
            "contaminated or isolated). I haven't changed anything.",
            kind="update_bed_status_invalid",
        )
        return Outcome("refused", reason="missing_slots")
    found: list[tuple[Bed, str]] = []
    for place, status in wanted:
        ward = await known_ward(ctx, own_ward(ctx, place.ward) or str(place.ward), intent)
        if ward is None:
            return Outcome("not_found", reason="unknown_ward")
        ctx.check_ward(ward.code)
        try:
            bed = await ctx.hms.get_bed(ward.code, place.bed)
        except NotFound:
            ctx.say(
                f"There's no bed {place.bed} on {ward.name}, so I haven't changed anything.",
                kind="unknown_bed",
                data={"ward": ward.code, "bed": place.bed, "value": place.bed, "suggestions": []},
            )
            return Outcome("not_found", resource=f"Location/{ward.id}")
        if all(b.id != bed.id for b, _ in found):
            found.append((bed, str(status)))
    ask_about = [(b, s) for b, s in found if asks_first(b, s) and not _cleaner_slip(ctx, b, s)]
    if more_clauses_follow(ctx):  # (asked now, it would be buried: changed, said so)
        ask_about = []
    changed: list[dict[str, Any]] = []
    for bed, status in found:
        if (bed, status) in ask_about:
            continue
        undo = await _change_one(ctx, bed, status)
        if undo is not None:
            changed.append(undo)
    kept: dict[str, Any] = {"changed": changed}
    if changed:
        kept["undo"] = changed[-1]
    # occupied beds to close, free or clean: asked about together, after the others
    waits = ask(ctx, ask_about) if ask_about else ()
    return Outcome(
        events=(SlotSet("last_task", kept), *waits),
        resource=f"Location/{found[0][0].id}",
        detail=f"{len(changed)} of {len(found)} beds" + (", asked" if waits else ""),
    )


def _cleaner_slip(ctx: ActionContext, bed: Bed, code: str) -> bool:
    """Housekeeping's "done" on an occupied bed: refused, never asked (see ``_change_one``)."""
    return cleans_beds(ctx) and bed.status == "O" and code in ("U", "H")


async def _change_one(ctx: ActionContext, bed: Bed, code: str) -> dict[str, Any] | None:
    """One bed of several; what was changed (for an undo), or None."""
    if bed.status == code:
        ctx.say(
            f"{bed.label} is already {STATUS_PHRASES[code]}.",
            kind="update_bed_status_unchanged",
            data=bed_data(bed),
        )
        return None
    if _cleaner_slip(ctx, bed, code):
        ctx.say(
            f"{bed.label} is occupied, so it isn't waiting for cleaning: I haven't changed it. "
            "Check the bed number; once the patient has left, the ward or the bed manager "
            "frees it.",
            kind="update_bed_status_occupied",
            data=bed_data(bed),
        )
        return None
    note: tuple[str, dict[str, str]] | None = (OCCUPIED_NOTE, {}) if asks_first(bed, code) else None
    return await write_change(ctx, bed, code, note)
