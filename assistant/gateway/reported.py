"""``ReportedQuestion``: whether a conversation's open question asks what happened.

The safety net asks it only for a message it found to be an emergency: while a form asks a
slot the catalog marks ``reported: true`` (the break-glass reason), emergency words in the
answer are the reason given ("collapsed earlier, reviewing him now"), so the net answers
with the caution and lets the answer through (``assistant.safety.gateway``). Read from the
sender's tracker on its Rasa worker (``RasaApi``); anything unknown answers ``False``, so an
emergency stays an emergency.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.gateway.rasa import sender_id
from assistant.gateway.rasa_api import RasaApi

# how a housekeeping request's kind of help is said in the slot ("housekeeping", "cleaner")
_CLEANING = ("housekeep", "clean", "domestic")


class ReportedQuestion:
    def __init__(self, api: RasaApi, slots: frozenset[str]) -> None:
        self._api = api
        self._slots = slots

    @classmethod
    def over(cls, workers: Sequence[str], token: str) -> ReportedQuestion | None:
        """The probe over the Rasa workers' API, or ``None`` when nothing can be asked."""
        from intents.catalog import default_catalog

        slots = default_catalog().reported_slots()
        if not token or not workers or not slots:
            return None
        return cls(RasaApi(workers, token), slots)

    async def aclose(self) -> None:
        await self._api.aclose()

    async def __call__(self, staff: str, channel: str, conversation: str) -> bool:
        body = await self._api.tracker(sender_id(channel, staff, conversation))
        if body is None:
            return False
        loop = body.get("active_loop")
        slots = body.get("slots")
        requested = slots.get("requested_slot") if isinstance(slots, dict) else None
        return bool(isinstance(loop, dict) and loop.get("name")) and requested in self._slots

    async def cleaning(self, staff: str, channel: str, conversation: str) -> bool:
        """The open question is a housekeeping request's "what is needed?"."""
        body = await self._api.tracker(sender_id(channel, staff, conversation))
        if body is None:
            return False
        loop = body.get("active_loop")
        slots = body.get("slots")
        if not (isinstance(loop, dict) and loop.get("name") and isinstance(slots, dict)):
            return False
        kind = str(slots.get("help_type") or "").casefold()
        asked = slots.get("requested_slot") == "help_description"
        return asked and kind.startswith(_CLEANING)
