"""The form questions (``action_ask_<slot>``), worded in the catalog, kind ``ask_<slot>``.

The same question is asked at most twice in a row: after a second miss it is not asked a
third time but turned into a choice (kind ``choose_<slot>``) - the known values as buttons
(wards, clinics, the catalog's quick answers) - with the help desk and "stop" offered; a
third miss ends the form (``actions.forms``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, ClassVar

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.base import guarded_reader
from actions.fallback import HELP_DESK
from actions.formats import MrnFormat
from actions.services import get_services
from assistant.hms.errors import HmsError
from intents.catalog import default_catalog

STOP = {"title": "Stop", "payload": "/stop"}
LABELS = {
    "mrn": "MRN",
    "department": "clinic",
    "bed_status": "new status",
    "help_type": "kind of help",
}


def misses_for(tracker: Tracker, slot: str) -> int:
    misses = tracker.get_slot("misses")
    if isinstance(misses, str) and misses.startswith(f"{slot}:"):
        tail = misses.rsplit(":", 1)[1]
        return int(tail) if tail.isdigit() else 0
    return 0


class AskSlot(Action, ABC):
    slot: ClassVar[str]

    @abstractmethod
    def name(self) -> str: ...

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalog = default_catalog()
        spec = catalog.slot(self.slot)
        settings = get_services().settings
        entity = spec.entities[0] if spec.entities else self.slot
        buttons = [
            {"title": b.title, "payload": f'/inform{{"{entity}":"{b.value}"}}'}
            for b in spec.buttons
        ]
        known = {s for s in catalog.slot_names() if tracker.get_slot(s) not in (None, "")}
        text = (spec.question(known) or f"What is the {self.slot}?").replace(
            "{mrn_format}", MrnFormat(settings.mrn_pattern).describe()
        )
        attempt = misses_for(tracker, self.slot) + 1
        kind = f"ask_{self.slot}"
        if attempt >= 3:
            kind = f"choose_{self.slot}"  # not the question a third time: a choice
            label = LABELS.get(self.slot, self.slot.replace("_", " "))
            buttons = buttons or await self._known(tracker, entity)
            choose = "Choose one below, or" if buttons else "You can"
            text = (
                f"I still need the {label}. {choose} stop here, or I can put you through to "
                "the help desk."
            )
            buttons = [*buttons, STOP, HELP_DESK]
        dispatcher.utter_message(
            text=text,
            buttons=buttons,
            json_message={
                "phi": False,
                "kind": kind,
                "data": {"slot": self.slot, "attempt": attempt},
            },
        )
        return []

    async def _known(self, tracker: Tracker, entity: str) -> list[dict[str, str]]:
        """Known values as buttons for the third time of asking (wards, clinics)."""
        form = default_catalog().form((tracker.active_loop or {}).get("name"))
        if form is None or self.slot not in ("ward", "department"):
            return []
        hms = await guarded_reader(tracker, form.intent, self.name())
        if hms is None:
            return []
        try:
            if self.slot == "ward":
                pairs = [(w.name, w.code) for w in await hms.list_wards()]
            else:
                pairs = [(s.name, s.code) for s in await hms.list_services()]
        except HmsError:
            return []
        return [{"title": t, "payload": f'/inform{{"{entity}":"{v}"}}'} for t, v in pairs[:10]]


def ask_action(slot: str) -> type[AskSlot]:
    """The question action class of one catalog slot (``action_ask_<slot>``)."""
    return type(
        f"Ask_{slot}",
        (AskSlot,),
        {"slot": slot, "name": lambda self: f"action_ask_{slot}", "__module__": __name__},
    )
