"""One HL7 message in, one ACK out: dedupe, apply in one transaction, dead-letter failures.

- A repeated MSH-10 (same sender MSH-3/MSH-4) with the same content is acknowledged AA
  again and not applied twice; the same id with other content is AE 205 and dead-lettered.
- AE (content) and AR (rejected) messages go to ``adt_dead_letter`` whole, and are not
  remembered as applied, so the sender can fix and resend them.
- Nothing raised while applying escapes: an unexpected error is AE 207 and dead-lettered.
Logs carry control id, event and outcome only (never PHI).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from hms import models
from hms.adt.ack import build_ack
from hms.adt.events import Result, handler_for
from hms.adt.message import (
    DUPLICATE_KEY,
    INTERNAL_ERROR,
    AdtMessage,
    AdtProblem,
    Header,
    failed,
    normalise,
    parse_adt,
    sniff_header,
)
from hms.adt.state import StaleBed, Work
from hms.config import HmsOptions
from hms.timeutil import utcnow

log = logging.getLogger("hms.adt")
RETRIES = 3


@dataclass(frozen=True)
class Outcome:
    ack_code: str
    control_id: str
    event: str
    text: str
    error_code: str | None = None
    duplicate: bool = False
    beds: tuple[str, ...] = ()  # beds whose status changed


class AdtProcessor:
    def __init__(
        self,
        factory: sessionmaker[Session],
        tz: ZoneInfo,
        options: HmsOptions,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._factory, self._tz, self._options, self._clock = factory, tz, options, clock

    def handle(self, raw: bytes) -> tuple[str, Outcome]:
        """The ACK (ER7 text) for one framed message, and what happened."""
        text = normalise(raw)
        header = Header()
        try:
            header = sniff_header(text)
            message = parse_adt(text, header, self._options.adt.mrn_type)
            outcome = self._apply(message)
        except AdtProblem as problem:
            outcome = Outcome(
                problem.ack, header.control_id, header.event, problem.reason, problem.code
            )
            self._dead_letter(header, text, outcome)
        except Exception as exc:  # never let one message take the listener down
            log.error("ADT %s: unexpected %s", header.control_id[:20], type(exc).__name__)
            outcome = Outcome(
                "AE", header.control_id, header.event, "internal error", INTERNAL_ERROR
            )
            self._dead_letter(header, text, outcome)
        log.info(
            "ADT %s %s -> %s%s",
            outcome.control_id[:20] or "-",
            outcome.event or "-",
            outcome.ack_code,
            " (duplicate)" if outcome.duplicate else "",
        )
        adt = self._options.adt
        ack = build_ack(
            header,
            outcome.ack_code,
            outcome.text,
            outcome.error_code,
            application=adt.application,
            facility=adt.facility,
        )
        return ack, outcome

    def _apply(self, message: AdtMessage) -> Outcome:
        header = message.header
        handler = handler_for(message.event)
        for attempt in range(RETRIES):
            try:
                with self._factory.begin() as session:
                    seen = self._seen(session, header)
                    if seen is not None:
                        return self._duplicate(seen, message)
                    row = models.AdtMessage(
                        sender=header.sender[:128],
                        control_id=header.control_id,
                        event=message.event[:8],
                        sha256=message.sha256,
                        received_at=self._clock(),
                        ack_code="AA",
                        effects={},
                    )
                    session.add(row)
                    session.flush()
                    if handler is None:
                        result = Result(f"event {message.event[:8] or '-'} not used by the HMS")
                    else:
                        work = Work(
                            session, message, row.pk, self._clock(), self._tz, self._options
                        )
                        result = handler(work)
                    row.note = result.note
                    row.patient_id, row.encounter_id = result.patient_id, result.encounter_id
                    row.effects, row.reverses_pk = result.effects, result.reverses_pk
                beds = tuple(
                    c["bed"] for c in result.effects.get("beds", []) if c["from"] != c["to"]
                )
                return Outcome("AA", header.control_id, message.event, result.note, beds=beds)
            except (StaleBed, IntegrityError):
                if attempt == RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")  # pragma: no cover

    @staticmethod
    def _seen(session: Session, header: Header) -> models.AdtMessage | None:
        return session.scalar(
            select(models.AdtMessage).where(
                models.AdtMessage.sender == header.sender[:128],
                models.AdtMessage.control_id == header.control_id,
            )
        )

    @staticmethod
    def _duplicate(seen: models.AdtMessage, message: AdtMessage) -> Outcome:
        if seen.sha256 != message.sha256:
            raise failed(DUPLICATE_KEY, "MSH-10 was already used for a different message")
        return Outcome(
            "AA",
            message.header.control_id,
            message.event,
            "duplicate of an applied message; not applied again",
            duplicate=True,
        )

    def _dead_letter(self, header: Header, text: str, outcome: Outcome) -> None:
        try:
            with self._factory.begin() as session:
                session.add(
                    models.AdtDeadLetter(
                        received_at=self._clock(),
                        sender=header.sender[:128] if header.sending_app else None,
                        control_id=header.control_id or None,
                        event=header.event[:8] or None,
                        ack_code=outcome.ack_code,
                        error_code=outcome.error_code or "",
                        reason=outcome.text,
                        raw=text,
                    )
                )
        except Exception as exc:  # the ACK still goes out; the operator sees the log line
            log.error("ADT dead letter not written: %s", type(exc).__name__)
