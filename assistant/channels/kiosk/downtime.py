"""HMS downtime: the last known bed board (with its age) and a queue of help requests.

The board is refreshed from ``bed_summary()`` in the background and kept in
``var/kiosk/board.json`` so it survives a restart. Help requests that could not be sent
are kept in the store table ``kiosk_help_queue`` and retried until the HMS takes them.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

metadata = MetaData()
help_queue = Table(
    "kiosk_help_queue",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("staff", String(64), nullable=False),
    Column("help_type", String(32), nullable=False),
    Column("location_id", String(64), nullable=True),
    Column("priority", String(16), nullable=False),
    Column("description", String(500), nullable=False),
    Column("queued_at", Float, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
)


class BedSource(Protocol):
    async def bed_summary(self) -> list[Any]: ...


class TaskSink(Protocol):
    async def create_task(
        self,
        help_type: str,
        location_id: str | None,
        priority: str,
        description: str,
        requester_username: str,
    ) -> Any: ...


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


@dataclass(frozen=True)
class QueuedHelp:
    id: int
    staff: str
    help_type: str
    location_id: str | None
    priority: str
    description: str


class HelpQueue:
    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self._engine, self._clock = engine, clock

    def put(
        self, staff: str, help_type: str, location_id: str | None, priority: str, description: str
    ) -> None:
        with self._engine.begin() as conn:
            conn.execute(
                help_queue.insert().values(
                    staff=staff,
                    help_type=help_type,
                    location_id=location_id,
                    priority=priority,
                    description=description[:500],
                    queued_at=self._clock(),
                    attempts=0,
                )
            )

    def pending(self) -> list[QueuedHelp]:
        with self._engine.begin() as conn:
            rows = conn.execute(select(help_queue).order_by(help_queue.c.id)).all()
        return [
            QueuedHelp(r.id, r.staff, r.help_type, r.location_id, r.priority, r.description)
            for r in rows
        ]

    async def flush(self, sink_for: Callable[[str], TaskSink]) -> int:
        """Send queued requests in order; stop at the first failure. Returns how many sent."""
        sent = 0
        for item in self.pending():
            try:
                await sink_for(item.staff).create_task(
                    item.help_type,
                    item.location_id,
                    item.priority,
                    item.description,
                    item.staff,
                )
            except Exception as exc:
                log.warning("queued help request not sent yet: %s", type(exc).__name__)
                with self._engine.begin() as conn:
                    conn.execute(
                        help_queue.update()
                        .where(help_queue.c.id == item.id)
                        .values(attempts=help_queue.c.attempts + 1)
                    )
                break
            with self._engine.begin() as conn:
                conn.execute(help_queue.delete().where(help_queue.c.id == item.id))
            sent += 1
        return sent
