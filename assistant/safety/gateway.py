"""``SafetyNetAssistant``: the outermost ``Assistant`` of the gateway (every channel).

Every message is assessed before anything else (rate limits, the help-desk relay, Rasa):

- ``emergency``: the first reply is the emergency number (kind ``emergency_answer``),
  given whatever happens next. Then, if the conversation is with the help desk, the relay
  records the message and flags the ticket (``HandoffService.emergency``); otherwise the
  intent message ``/emergency`` is sent down the chain for that conversation so Rasa ends
  any form and clears task slots, and Rasa's own reply to it is dropped. That forward is
  given ``forward_seconds``; a slow Rasa never delays the answer.
- ``caution``: a reply of kind ``emergency_caution`` is put first and the text goes on.
- ``none``: the text goes on; ``metadata.safety`` says which (``assistant.safety.context``).

An ``emergency`` or ``caution`` said while the conversation's open question asks what
happened (a break-glass reason: "crash call earlier, reviewing him now"; catalog
``reported: true``) is the clinical wording of the reason: the text goes on as the answer,
after the ``caution`` (the number) only when a strong emergency cue is in it ("query
stroke, reviewing scan"); what only the classifier or a weak cue found is no verdict. The
clinician asking for emergency access is already acting on it, and ending the form there
would make emergency access impossible exactly when it is needed. Only an emergency or a
caution is checked that way (``reported``, one tracker read), so ordinary messages cost
nothing more.

A fall found only in a thing on the floor ("blood on the floor by bed 4") while a
housekeeping request asks what is needed is that request's description: the caution, and
the text goes on (``assistant.safety.spill``; anyone or any harm named stays an emergency).

A detector that fails to load or raises makes every message a ``caution``: the number is
always given while the net is broken, and the error is logged (without the text).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from assistant.conversation import Assistant, Reply
from assistant.safety.context import assessed
from assistant.safety.detector import (
    CAUTION,
    EMERGENCY,
    NONE,
    Assessment,
    EmergencyDetector,
    default_detector,
)
from assistant.safety.replies import caution_reply, emergency_reply
from assistant.safety.spill import is_a_spill

log = logging.getLogger(__name__)

EMERGENCY_INTENT = "/emergency"
FORWARD_SECONDS = 5.0
RESCUED_PATHS = ("/api/v1/messages", "/kiosk/api/text")
_CONVERSATION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")

# (staff, channel, conversation) -> whether the open question asks what happened
ReportedProbe = Callable[[str, str, str], Awaitable[bool]]


class EmergencyDesk(Protocol):
    """The help-desk relay's side of an emergency (``HandoffService.emergency``)."""

    async def emergency(
        self, staff: str, channel: str, conversation: str, text: str, kind: str | None
    ) -> bool:
        """True when the conversation is with the help desk (message kept, ticket flagged)."""
        ...


class SafetyNet:
    """The detector, built once off the event loop, and the replies it leads to."""

    def __init__(
        self,
        number: str,
        detector: Callable[[], EmergencyDetector] = default_detector,
    ) -> None:
        self.number = number
        self._factory = detector
        self._detector: EmergencyDetector | None = None
        self._lock = asyncio.Lock()

    async def ready(self) -> EmergencyDetector:
        if self._detector is None:
            async with self._lock:
                if self._detector is None:
                    self._detector = await asyncio.to_thread(self._factory)
        return self._detector

    async def assess(self, text: str) -> Assessment:
        try:
            detector = await self.ready()
            return detector.assess(text)
        except Exception as exc:  # the number must still be given while the net is broken
            log.error("safety net failed (%s): answering with caution", type(exc).__name__)
            return Assessment(CAUTION, reason="detector_error")

    def emergency_reply(self, assessment: Assessment) -> Reply:
        label = "emergency"
        if self._detector is not None:
            label = self._detector.lexicon.label(assessment.kind)
        return emergency_reply(self.number, assessment, label)

    def caution_reply(self) -> Reply:
        return caution_reply(self.number)


class SafetyNetAssistant:
    """Wraps the gateway's assistant chain; see the module docstring."""

    def __init__(
        self,
        inner: Assistant,
        net: SafetyNet,
        *,
        desk: EmergencyDesk | None = None,
        reported: ReportedProbe | None = None,
        cleaning: ReportedProbe | None = None,
        forward_seconds: float = FORWARD_SECONDS,
    ) -> None:
        self.inner = inner
        self.net = net
        self.desk = desk
        self.reported = reported
        self.cleaning = cleaning
        self.forward_seconds = forward_seconds
        self._pending: set[asyncio.Task[Any]] = set()

    def __getattr__(self, name: str) -> Any:  # aclose, workers... of the inner assistant
        return getattr(self.inner, name)

    async def send(self, *, staff: str, channel: str, conversation: str, text: str) -> list[Reply]:
        assessment = await self.net.assess(text)
        worded = assessment.reason in ("cue", "weak_cue", "classifier")  # not a broken net
        if (
            worded
            and assessment.level != NONE
            and await self._answers_reported(staff, channel, conversation)
        ):
            # a reason reports what happened: a strong cue ("stroke") is a caution; what
            # only the classifier or a weak cue found is the clinical wording of a reason
            strong = assessment.level == EMERGENCY and assessment.reason == "cue"
            log.info("safety words (%s) in a reported reason: %s", assessment.kind, strong)
            assessment = Assessment(
                CAUTION if strong else NONE,
                kind=assessment.kind,
                reason="reported",
                score=assessment.score,
            )
        if (
            assessment.level == EMERGENCY
            and assessment.kind == "fall"
            and worded
            and is_a_spill(text)
            and await self._probe(self.cleaning, staff, channel, conversation)
        ):
            # "blood on the floor by bed 4" as a housekeeping request's description: a mess
            # to clean, not a fall - the number is still given (``assistant.safety.spill``)
            log.info("a spill described for housekeeping: caution, not an emergency")
            assessment = Assessment(
                CAUTION, kind=assessment.kind, reason="spill", score=assessment.score
            )
        if assessment.level == EMERGENCY:
            log.warning("emergency recognised (%s) on %s", assessment.kind, channel)
            first = self.net.emergency_reply(assessment)
            await self._after_emergency(staff, channel, conversation, text, assessment)
            return [first]
        with assessed(assessment.level):
            replies = await self.inner.send(
                staff=staff, channel=channel, conversation=conversation, text=text
            )
        if assessment.level == CAUTION:
            return [self.net.caution_reply(), *replies]
        return replies

    async def _answers_reported(self, staff: str, channel: str, conversation: str) -> bool:
        return await self._probe(self.reported, staff, channel, conversation)

    async def _probe(
        self, probe: ReportedProbe | None, staff: str, channel: str, conversation: str
    ) -> bool:
        if probe is None:
            return False
        try:
            return await probe(staff, channel, conversation)
        except Exception as exc:  # unknown: an emergency stays an emergency
            log.error("reading the open question failed: %s", type(exc).__name__)
            return False

    async def _after_emergency(
        self, staff: str, channel: str, conversation: str, text: str, assessment: Assessment
    ) -> None:
        if self.desk is not None:
            try:
                if await self.desk.emergency(staff, channel, conversation, text, assessment.kind):
                    return
            except Exception as exc:
                log.error("flagging the emergency on the ticket failed: %s", type(exc).__name__)
        task = asyncio.create_task(self._forward(staff, channel, conversation))
        self._pending.add(task)
        task.add_done_callback(self._pending.discard)
        done, _ = await asyncio.wait({task}, timeout=self.forward_seconds)
        if not done:
            log.warning("/emergency to the assistant still running; the answer was not held up")

    async def _forward(self, staff: str, channel: str, conversation: str) -> None:
        """``/emergency`` to Rasa so forms end; its own answer is dropped (already given)."""
        try:
            with assessed(EMERGENCY):
                await self.inner.send(
                    staff=staff, channel=channel, conversation=conversation, text=EMERGENCY_INTENT
                )
        except Exception as exc:
            log.error("/emergency was not delivered to the assistant: %s", type(exc).__name__)


def rescue_over_limit(net: SafetyNet) -> Callable[[str, bytes], Any]:
    """For the rate-limit middleware: an emergency over the limit is still answered.

    Returns ``rescue(path, body) -> JSON body | None``: for the REST and kiosk text routes
    whose JSON body has a ``text`` the detector calls an emergency, the body of a normal
    answer with the emergency reply only (nothing reaches Rasa: the caller is over the
    limit); else None and the 429 stands.
    """

    async def rescue(path: str, body: bytes) -> dict[str, Any] | None:
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):
            return None
        text = data.get("text") if isinstance(data, dict) else None
        if not isinstance(text, str) or not text.strip():
            return None
        assessment = await net.assess(text[:2000])
        if assessment.level != EMERGENCY:
            return None
        reply = net.emergency_reply(assessment).to_json()
        if path.startswith("/kiosk/"):
            shown = {"text": reply["text"]}
            return {"transcript": text, "replies": [shown], "audio_url": None, "signed_out": False}
        conversation = data.get("conversation_id")
        if not isinstance(conversation, str) or not _CONVERSATION.match(conversation):
            conversation = uuid.uuid4().hex
        return {"conversation_id": conversation, "replies": [reply]}

    return rescue
