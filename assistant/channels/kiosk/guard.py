"""No path around the guard at the kiosk: the bed board and queued downtime requests.

- ``BoardGuard``: the bed board is hospital data. Showing it needs ``beds:read`` for the
  signed-in staff member (roles from the HMS; while the HMS is down, the roles last read
  for them) and writes one audit event per showing, like any guarded read; if the event
  cannot be written the board is not shown.
- ``ActionServerReplay``: a help request queued during HMS downtime is sent, when the link
  returns, through the same guarded action as a live one (``action_request_help`` on the
  action server, with a fresh conversation-bound principal): a fresh permission check,
  one audit event, the HMS call, exactly as if the staff member had asked again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from assistant.identity.principal import METADATA_KEY, sign_principal

log = logging.getLogger(__name__)

BOARD_PERMISSION = "beds:read"
CHANNEL = "kiosk"
REPLAY_ACTION = "action_request_help"
ReplayOutcome = Literal["sent", "retry", "refused"]


@dataclass(frozen=True)
class BoardDecision:
    allowed: bool
    message: str = ""


class BoardGuard:
    """``beds:read`` + one audit event before every showing of the bed board."""

    def __init__(
        self,
        hms: Callable[[], Any],
        policy: Callable[[], Any],
        audit: Callable[[], Any],
    ) -> None:
        self._hms, self._policy, self._audit = hms, policy, audit
        self._last_roles: dict[str, frozenset[str]] = {}

    async def _roles(self, staff: str) -> frozenset[str] | None:
        client = self._hms()
        try:
            if client is None:
                raise ConnectionError("no HMS client")
            found = await client.find_staff(username=staff)
        except Exception as exc:  # HMS down: the roles last read for this person, if any
            log.info("kiosk board: staff lookup failed (%s)", type(exc).__name__)
            return self._last_roles.get(staff)
        match = next((s for s in found if s.username == staff and s.active), None)
        roles = frozenset(match.roles) if match is not None else frozenset()
        self._last_roles[staff] = roles
        return roles

    async def check(self, staff: str, *, hms_up: bool) -> BoardDecision:
        from assistant.audit import AuditEvent

        roles = await self._roles(staff)
        policy = self._policy()
        if roles is None:
            outcome, decision = (
                "error",
                BoardDecision(
                    False,
                    "I can't check your permissions while the hospital system is unreachable.",
                ),
            )
        elif not policy.allows(roles, BOARD_PERMISSION):
            who = ", ".join(sorted(roles)) or "a user with no role"
            needed = " or ".join(policy.roles_with(BOARD_PERMISSION)) or "no role has it"
            outcome, decision = (
                "denied",
                BoardDecision(
                    False, f"The bed board needs {BOARD_PERMISSION} ({needed}); you are {who}."
                ),
            )
        else:
            outcome, decision = "success", BoardDecision(True)
        role = next((r for r in sorted(roles or ()) if policy.allows([r], BOARD_PERMISSION)), "")
        event = AuditEvent(
            staff=staff,
            role=role or ",".join(sorted(roles or ())),
            channel=CHANNEL,
            intent="view_bed_board",
            action="kiosk_bed_board",
            permission=BOARD_PERMISSION,
            resource="Location?physical-type=wa",
            patient_ref=None,
            outcome=outcome,
            detail=f"hms_up={int(hms_up)}",
        )
        try:
            await asyncio.to_thread(self._audit().record, event)
        except Exception as exc:
            log.error("kiosk board not shown: audit write failed (%s)", type(exc).__name__)
            return BoardDecision(False, "The bed board can't be shown right now.")
        return decision


def replay_call(sender: str, slots: dict[str, Any], principal: str) -> dict[str, Any]:
    """The action server request Rasa would send to run ``action_request_help``."""
    return {
        "next_action": REPLAY_ACTION,
        "sender_id": sender,
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": sender,
            "slots": dict(slots),
            "latest_message": {
                "text": "",
                "intent": {"name": "request_help", "confidence": 1.0},
                "entities": [],
                "metadata": {METADATA_KEY: principal},
            },
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def classify(responses: list[dict[str, Any]]) -> ReplayOutcome:
    """What the guarded action answered: sent, try again later, or refused for good."""
    kinds = [str((r.get("custom") or {}).get("kind", "")) for r in responses]
    if "request_help_success" in kinds:
        return "sent"
    if any(k.endswith("_denied") for k in kinds):
        return "refused"
    texts = " ".join(str(r.get("text") or "") for r in responses)
    if "can't find an active staff record" in texts:
        return "refused"
    return "retry"  # HMS still down, audit down, or an error: keep the request


class ActionServerReplay:
    """Sends one queued request through the action server's guarded ``action_request_help``."""

    def __init__(
        self,
        action_url: str,
        principal_key: str,
        *,
        ttl: int = 30,
        timeout: float = 30.0,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._url = action_url
        self._key = principal_key
        self._ttl = ttl
        self._timeout = timeout
        self._transport = transport

    async def __call__(self, staff: str, queue_id: int, slots: dict[str, Any]) -> ReplayOutcome:
        sender = f"{CHANNEL}:{staff}:downtime-{queue_id}"
        principal = sign_principal(
            self._key, staff, CHANNEL, sender=sender, ttl=self._ttl, now=self._clock()
        )
        try:
            async with httpx.AsyncClient(
                timeout=self._timeout, transport=self._transport
            ) as client:
                response = await client.post(self._url, json=replay_call(sender, slots, principal))
                response.raise_for_status()
                body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("queued help request not sent yet: %s", type(exc).__name__)
            return "retry"
        responses = body.get("responses") if isinstance(body, dict) else None
        return classify(responses if isinstance(responses, list) else [])
