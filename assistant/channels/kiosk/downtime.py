"""HMS downtime: the last known bed board (with its age) and a queue of help requests.

The board is refreshed from ``bed_summary()`` in the background and kept in
``var/kiosk/board.json`` so it survives a restart; it is only shown through
``guard.BoardGuard`` (``beds:read``, audited). Help requests that could not be sent are
kept in the store table ``kiosk_help_queue``, their form slots encrypted with the data
key, and sent when the HMS is back through the same guarded action as a live request
(``guard.ActionServerReplay``): fresh permission check, one audit event each.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol, cast

from sqlalchemy import Table, select
from sqlalchemy.engine import Engine

from assistant.crypto import DataCipher
from assistant.store.models import Base, KioskQueuedHelp

log = logging.getLogger(__name__)

help_queue = cast(Table, KioskQueuedHelp.__table__)
metadata = Base.metadata


class BedSource(Protocol):
    async def bed_summary(self) -> list[Any]: ...


class Replay(Protocol):
    """Sends one queued request through the guarded action: sent, retry later, refused."""

    async def __call__(self, staff: str, queue_id: int, slots: dict[str, Any]) -> str: ...


@dataclass(frozen=True)
class WardCount:
    ward_code: str
    ward_name: str
    free: int
    total: int


@dataclass(frozen=True)
class Board:
    wards: tuple[WardCount, ...]
    as_of: float  # epoch seconds of the last successful read

    def to_json(self) -> dict[str, Any]:
        return {"as_of": self.as_of, "wards": [asdict(w) for w in self.wards]}


class BoardCache:
    def __init__(self, path: Path) -> None:
        self._path = path
        self.board: Board | None = self._load()
        self.hms_up = True

    def _load(self) -> Board | None:
        try:
            raw = json.loads(self._path.read_text())
            return Board(tuple(WardCount(**w) for w in raw["wards"]), float(raw["as_of"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    async def refresh(self, source: BedSource, now: float) -> bool:
        """Read the board; on failure keep the last one and mark the HMS down."""
        try:
            rows = await source.bed_summary()
        except Exception as exc:
            log.warning("bed board refresh failed: %s", type(exc).__name__)
            self.hms_up = False
            return False
        self.board = Board(
            tuple(WardCount(r.ward_code, r.ward_name, r.free, r.total) for r in rows), now
        )
        self.hms_up = True
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self._path.parent)
        with os.fdopen(fd, "w") as fh:
            json.dump(self.board.to_json(), fh)
        os.replace(tmp, self._path)
        return True


SLOT_NAMES = ("help_type", "ward", "bed", "urgency", "help_description")


def _location_slots(location_id: str | None) -> dict[str, str]:
    """``ward-4b`` -> ward 4B; ``bed-4b-06`` -> ward 4B, bed 4B-06 (reference HMS ids)."""
    if not location_id:
        return {}
    kind, _, rest = location_id.partition("-")
    if kind == "ward" and rest:
        return {"ward": rest.upper()}
    if kind == "bed" and "-" in rest:
        ward = rest.rsplit("-", 1)[0]
        return {"ward": ward.upper(), "bed": rest.upper()}
    return {}


def slots_from_reply(data: dict[str, Any]) -> dict[str, Any] | None:
    """The form slots to queue, from a help reply's ``custom.data`` (None if it has none).

    ``request_help_unavailable`` carries them under ``queue``; older replies carried
    ``help_type``/``location_id``/``priority``/``description``.
    """
    queued = data.get("queue")
    if isinstance(queued, dict) and queued.get("help_type"):
        return {name: queued.get(name) for name in SLOT_NAMES}
    if not data.get("help_type"):
        return None
    return {
        "help_type": data.get("help_type"),
        "urgency": data.get("priority", "routine"),
        "help_description": data.get("description", ""),
        **_location_slots(data.get("location_id")),
    }


@dataclass(frozen=True)
class QueuedHelp:
    id: int
    staff: str
    slots: dict[str, Any]

    @property
    def help_type(self) -> str | None:
        return self.slots.get("help_type")


class HelpQueue:
    """The downtime queue; each request's slots are a Fernet token (``DataCipher``)."""

    def __init__(
        self, engine: Engine, clock: Callable[[], float], cipher: Callable[[], DataCipher]
    ) -> None:
        self._engine, self._clock, self._cipher = engine, clock, cipher

    def put(self, staff: str, slots: dict[str, Any]) -> None:
        cipher = self._cipher()
        body = {name: slots.get(name) for name in SLOT_NAMES}
        description = body.get("help_description")
        if isinstance(description, str):
            body["help_description"] = description[:500]
        with self._engine.begin() as conn:
            conn.execute(
                help_queue.insert().values(
                    staff=staff,
                    body=cipher.encrypt(json.dumps(body)),
                    key_id=cipher.current_key_id,
                    queued_at=self._clock(),
                    attempts=0,
                )
            )

    def _slots(self, row: Any) -> dict[str, Any]:
        if row.body is not None:
            data = dict(json.loads(self._cipher().decrypt(row.body)))
        else:  # queued before encryption
            data = {"help_type": row.help_type, "priority": row.priority,
                    "description": row.description, "location_id": row.location_id}  # fmt: skip
        if "priority" in data or "location_id" in data:  # the pre-encryption shape
            return slots_from_reply(data) or {}
        return data

    def pending(self) -> list[QueuedHelp]:
        with self._engine.begin() as conn:
            rows = conn.execute(select(help_queue).order_by(help_queue.c.id)).all()
        return [QueuedHelp(r.id, r.staff, self._slots(r)) for r in rows]

    def _drop(self, queue_id: int) -> None:
        with self._engine.begin() as conn:
            conn.execute(help_queue.delete().where(help_queue.c.id == queue_id))

    async def flush(self, replay: Replay) -> int:
        """Send queued requests in order through the guarded action; stop at the first that
        must wait. A request the guarded action refuses (no permission, unknown staff) is
        dropped: the refusal is in the audit trail. Returns how many were sent."""
        sent = 0
        for item in self.pending():
            outcome = await replay(item.staff, item.id, item.slots)
            if outcome == "retry":
                with self._engine.begin() as conn:
                    conn.execute(
                        help_queue.update()
                        .where(help_queue.c.id == item.id)
                        .values(attempts=help_queue.c.attempts + 1)
                    )
                break
            self._drop(item.id)
            if outcome == "sent":
                sent += 1
            else:
                log.warning("queued help request %s refused by the guarded action", item.id)
        return sent
