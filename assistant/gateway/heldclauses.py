"""Requests of one message kept back while an earlier one asks something.

"book E.L. into ENT friday and get a porter to take her there" is two requests that both
ask back: served together, the slot offer and "Which ward?" came in one answer and "the
10:40" went to the porter's ward question ("I don't know ward '10:40'"). So once a
clause's answer asks a question, the clauses after it are held: said so, and offered -
never sent - once a later answer asks nothing more (the booking done, or stopped): "You
also asked: 'get a porter to take her there'. Shall I do that now?", a button whose
payload is that request, with what the booking just confirmed (its clinic and time) so
the porter request can say when. A held request lapses after ``MAX_TURNS`` answers (or
``HELD_TTL_SECONDS``).
Per conversation, in Redis when ``REDIS_URL`` is set (encrypted with the data key: a held
request can name a patient) so the next message may reach any gateway worker; else in
this process (like the payload guard's offers).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from assistant.conversation import Button, Reply
from assistant.gateway.payloads import carries_entities

MAX_TURNS = 8
_OFFERED = ":offered"  # the store's key for the offers of the last answer
HELD_TTL_SECONDS = 1800  # a Rasa session (about 30 minutes), as the payload guard
_ASKS = re.compile(r"^(?:ask_|choose_)|_(?:offer|confirm|which|ambiguous)$|^resume_offer$")
_IGNORED = frozenset({"onboarding_welcome"})
# a typed yes to "Shall I do that now?" (its button's title, or a plain yes): that request
_TYPED_YES = re.compile(
    r"^\W*(?:yes+|yeah|yep|yup|ok(?:ay)?|sure|go\s+(?:on|ahead)|please\s+do)"
    r"(?:\W+(?:please|do\s+(?:that|it)|go\s+ahead|thanks|now))*\W*$",
    re.I,
)
# "Booked: E.L. (MRN ending 6509), ENT Clinic with Dr Shah, Fri 4 Dec at 10:40."
_BOOKED = re.compile(r"^Booked:.*?\),\s*(?P<what>.+?)\.?\s*$")


def asks_back(replies: Sequence[Reply]) -> bool:
    """The answer ends on a question: a slot asked, a choice or confirmation offered."""
    said = [r for r in replies if r.kind not in _IGNORED]
    return any(_ASKS.search(r.kind) or r.text.rstrip().endswith("?") for r in said)


def booked_details(replies: Sequence[Reply]) -> str | None:
    """ "ENT Clinic with Dr Shah, Fri 4 Dec at 10:40" of a booking just made (no patient)."""
    for reply in replies:
        if reply.kind == "book_appointment_success":
            found = _BOOKED.match(" ".join(reply.text.split()))
            if found:
                return found.group("what")
    return None


def held_by_actions(replies: Sequence[Reply]) -> list[str]:
    """Requests the actions held back themselves (``request_held``: "oh and housekeeping
    for bed 7 too" while a porter's description is asked), to offer like held clauses."""
    held = []
    for reply in replies:
        clause = reply.data.get("clause") if reply.kind == "request_held" else None
        if isinstance(clause, str) and clause.strip():
            held.append(clause.strip())
    return held


@dataclass(frozen=True)
class Held:
    clauses: tuple[str, ...]
    turns_left: int


class HeldStore(Protocol):
    async def get(self, sender: str) -> Held | None: ...
    async def put(self, sender: str, held: Held) -> None: ...
    async def drop(self, sender: str) -> None: ...


class MemoryHeld:
    """Held requests per conversation in this process (the embedded default)."""

    def __init__(self) -> None:
        self._held: dict[str, Held] = {}

    async def get(self, sender: str) -> Held | None:
        return self._held.get(sender)

    async def put(self, sender: str, held: Held) -> None:
        self._held[sender] = held

    async def drop(self, sender: str) -> None:
        self._held.pop(sender, None)


class Cipher(Protocol):
    def encrypt(self, plaintext: str) -> str: ...
    def decrypt(self, token: str) -> str: ...


class RedisHeld:
    """Held requests per conversation in Redis: one encrypted value per sender, expiring."""

    def __init__(self, redis: Any, cipher: Cipher, prefix: str = "hms:held:") -> None:
        self._redis, self._cipher, self._prefix = redis, cipher, prefix

    async def get(self, sender: str) -> Held | None:
        raw = await self._redis.get(self._prefix + sender)
        if raw is None:
            return None
        data = json.loads(self._cipher.decrypt(raw if isinstance(raw, str) else raw.decode()))
        return Held(tuple(data["clauses"]), int(data["turns_left"]))

    async def put(self, sender: str, held: Held) -> None:
        sealed = self._cipher.encrypt(
            json.dumps({"clauses": list(held.clauses), "turns_left": held.turns_left})
        )
        await self._redis.set(self._prefix + sender, sealed, ex=HELD_TTL_SECONDS)

    async def drop(self, sender: str) -> None:
        await self._redis.delete(self._prefix + sender)


class HeldClauses:
    """``hold`` the rest of a message; ``after`` each later answer, the offer when due."""

    def __init__(self, store: HeldStore | None = None) -> None:
        self._store: HeldStore = store or MemoryHeld()

    async def accepted(self, sender: str, text: str) -> str | None:
        """The request a typed yes accepts ("yes", "yes, do that" to the one request just
        offered: its payload, as the button would send); None otherwise. An offer is
        answered by the next message only."""
        offered = await self._store.get(sender + _OFFERED)
        if offered is None:
            return None
        await self._store.drop(sender + _OFFERED)
        if len(offered.clauses) == 1 and _TYPED_YES.match(text or ""):
            return offered.clauses[0]
        return None

    async def offer_one(self, sender: str, replies: Sequence[Reply]) -> None:
        """An answer ending on a question with one button that carries details ("ICU Bed 4
        was changed just before; put it back to free?" {Put ICU Bed 4 back to free}): a
        typed yes next presses it, as for a held request offered (it was "Sorry, I didn't
        get that")."""
        last = replies[-1] if replies else None
        if last is None or len(last.buttons) != 1 or not last.text.rstrip().endswith("?"):
            return
        payload = last.buttons[0].payload
        if carries_entities(payload):
            await self._store.put(sender + _OFFERED, Held((payload,), 1))

    async def hold(self, sender: str, clauses: Sequence[str]) -> Reply:
        await self._store.put(sender, Held(tuple(clauses), MAX_TURNS))
        said = "; ".join(f"'{c}'" for c in clauses)
        return Reply(
            f"One thing at a time: I'll come back to {said} when this is done.",
            custom={"phi": True, "kind": "clause_held", "data": {"held": len(clauses)}},
        )

    async def keep(self, sender: str, clauses: Sequence[str]) -> None:
        """Hold requests another part said it holds (no reply of its own): added to any
        held already, offered the same way."""
        held = await self._store.get(sender)
        before = held.clauses if held is not None else ()
        await self._store.put(sender, Held((*before, *clauses), MAX_TURNS))

    async def after(self, sender: str, replies: Sequence[Reply]) -> list[Reply]:
        held = await self._store.get(sender)
        if held is None:
            return []
        if asks_back(replies):
            if held.turns_left <= 1:
                await self._store.drop(sender)
            else:
                await self._store.put(sender, Held(held.clauses, held.turns_left - 1))
            return []
        await self._store.drop(sender)
        details = booked_details(replies)
        offers = []
        payloads = []
        for clause in held.clauses:
            payload = f"{clause} for {details}" if details else clause
            payloads.append(payload)
            offers.append(
                Reply(
                    f"You also asked: '{clause}'. Shall I do that now?",
                    buttons=(Button("Yes, do that", payload),),
                    custom={"phi": True, "kind": "clause_offer", "data": {}},
                )
            )
        await self._store.put(sender + _OFFERED, Held(tuple(payloads), 1))
        return offers


def held_clauses(settings: Any) -> HeldClauses:
    """Redis-backed (encrypted) when ``settings.redis_url`` is set, else in process."""
    if getattr(settings, "redis_url", None):
        import redis.asyncio as aioredis

        from assistant.crypto import DataCipher

        client = aioredis.from_url(settings.redis_url, decode_responses=True)
        return HeldClauses(RedisHeld(client, DataCipher.from_settings(settings)))
    return HeldClauses()
