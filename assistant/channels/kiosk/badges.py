"""Badge + PIN sign-in: argon2-hashed PINs in the assistant store, lockout with backoff.

Demo badges (``python -m assistant kiosk demo-badges``) have a fixed badge number per demo
staff member and a random PIN, shown once when it is made and stored only as its hash;
nothing enrols them behind the operator's back.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Column, Float, Integer, MetaData, String, Table, select
from sqlalchemy.engine import Engine

metadata = MetaData()
badges = Table(
    "kiosk_badge",
    metadata,
    Column("badge_id", String(32), primary_key=True),
    Column("staff", String(64), nullable=False, index=True),
    Column("pin_hash", String(255), nullable=False),
    Column("failures", Integer, nullable=False, default=0),
    Column("locked_until", Float, nullable=False, default=0.0),
)

MAX_FAILURES = 5
BASE_LOCK_SECONDS = 30.0
MAX_LOCK_SECONDS = 3600.0
DEMO_PIN_DIGITS = 6
DEMO_STAFF = ("n.jones", "dr.patel", "s.ali", "p.kim", "h.lee", "b.okoro", "c.sam")
# Cheap argon2 parameters keep sign-in fast on a kiosk; a 4-6 digit PIN's strength is
# the lockout, not the hash cost.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


class SignInError(Exception):
    """Base of sign-in failures."""


class BadCredentials(SignInError):
    pass


class LockedOut(SignInError):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"too many failed attempts; try again in {int(retry_after) + 1} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class DemoBadge:
    staff: str
    badge_id: str
    pin: str


def demo_badge_id(staff: str) -> str:
    """The demo badge number printed on a seed staff member's badge (not a secret)."""
    digest = hashlib.sha256(f"kiosk-demo-badge:{staff}".encode()).hexdigest()
    return f"B{int(digest[:8], 16) % 1_000_000:06d}"


def new_pin(digits: int = DEMO_PIN_DIGITS) -> str:
    return "".join(str(secrets.randbelow(10)) for _ in range(digits))


def demo_badge(staff: str, pin: str | None = None) -> DemoBadge:
    """A demo badge for a seed staff member with ``pin`` or a new random PIN."""
    return DemoBadge(staff, demo_badge_id(staff), pin or new_pin())


def lock_seconds(failures: int) -> float:
    if failures < MAX_FAILURES:
        return 0.0
    return min(BASE_LOCK_SECONDS * 2 ** (failures - MAX_FAILURES), MAX_LOCK_SECONDS)


class BadgeStore:
    def __init__(self, engine: Engine, clock: Callable[[], float]) -> None:
        self._engine, self._clock = engine, clock

    def enrol(self, badge_id: str, staff: str, pin: str) -> None:
        row = {"staff": staff, "pin_hash": _HASHER.hash(pin), "failures": 0, "locked_until": 0.0}
        with self._engine.begin() as conn:
            found = conn.execute(select(badges.c.badge_id).where(badges.c.badge_id == badge_id))
            if found.first():
                conn.execute(badges.update().where(badges.c.badge_id == badge_id).values(**row))
            else:
                conn.execute(badges.insert().values(badge_id=badge_id, **row))

    def enrolled(self, badge_ids: Iterable[str]) -> set[str]:
        wanted = list(badge_ids)
        with self._engine.connect() as conn:
            rows = conn.execute(select(badges.c.badge_id).where(badges.c.badge_id.in_(wanted)))
            return {str(row.badge_id) for row in rows}

    def enrol_demo(self, staff: Iterable[str] = DEMO_STAFF) -> list[DemoBadge]:
        """Enrol (or re-issue) demo badges with new random PINs; the only copy of each PIN
        is in the returned list."""
        made = [demo_badge(s) for s in staff]
        for badge in made:
            self.enrol(badge.badge_id, badge.staff, badge.pin)
        return made

    def verify(self, badge_id: str, pin: str) -> str:
        """Return the staff username, or raise BadCredentials / LockedOut."""
        now = self._clock()
        with (
            self._engine.connect().execution_options(sqlite_begin="IMMEDIATE") as conn,
            conn.begin(),
        ):
            row = conn.execute(select(badges).where(badges.c.badge_id == badge_id)).first()
            if row is None:
                _HASHER.hash(pin)  # same work for unknown badges
                raise BadCredentials("badge or PIN not recognised")
            if row.locked_until > now:
                raise LockedOut(row.locked_until - now)
            try:
                ok: bool = _HASHER.verify(row.pin_hash, pin)
            except (VerificationError, InvalidHashError):
                ok = False
            failures = 0 if ok else row.failures + 1
            conn.execute(
                badges.update()
                .where(badges.c.badge_id == badge_id)
                .values(
                    failures=failures,
                    locked_until=now + lock_seconds(failures) if failures else 0.0,
                )
            )
        if ok:
            return str(row.staff)
        if lock_seconds(failures):
            raise LockedOut(lock_seconds(failures))
        raise BadCredentials("badge or PIN not recognised")
