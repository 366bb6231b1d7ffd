"""A clinic's free appointment slots, asked without booking ("any free slots in cardiology
tomorrow?"): the nearest free times, no patient needed and none shown. Booking one is its
own request (a button starts it for that clinic)."""

from __future__ import annotations

from rasa_sdk.events import SlotSet

from actions.base import ActionContext, GuardedAction, Outcome
from actions.scheduling import clinic_of, find_practitioner, nearest_slots, slots_in, when


class ActionCheckFreeSlots(GuardedAction):
    intent = "check_free_slots"
    activity = "Finding free appointment slots"

    async def perform(self, ctx: ActionContext) -> Outcome:
        kind, tz = self.intent, ctx.services.settings.hospital_tz
        code, what = await clinic_of(ctx)
        practitioner = await find_practitioner(ctx)
        slots, matched = await nearest_slots(ctx, code, practitioner)
        data = {
            "department": code,
            "matched": matched,
            "slots": [{"id": s.id, "start": s.start.isoformat()} for s in slots],
        }
        if not slots:
            ctx.say(
                f"There are no free {slots_in(what)} in the next two weeks.",
                kind=f"{kind}_none",
                data=data,
            )
            return Outcome(resource="Slot", detail=f"clinic={code or 'own'} n=0")
        lead = "Free" if matched else "Nothing free at that time; the nearest free"
        times = "; ".join(when(s.start, tz) for s in slots)
        book = f'/book_appointment{{"department":"{code}"}}' if code else "/book_appointment"
        ctx.say(
            f"{lead} {slots_in(what)}: {times}. To book one, tell me who it is for.",
            kind=f"{kind}_success",
            data=data,
            buttons=[{"title": "Book an appointment", "payload": book}],
        )
        # "book the 2nd for ..." next picks one of these (actions.shownslots); no patient
        shown = SlotSet("last_task", {"shown_slots": [s.start.isoformat() for s in slots]})
        return Outcome(
            resource="Slot", detail=f"clinic={code or 'own'} n={len(slots)}", events=(shown,)
        )
