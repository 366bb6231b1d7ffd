"""Resolve an HL7 person location (PV1-3, PV1-6, PV1-42, NPU-1) to an HMS bed.

Point of care = a ward's code (``4B``), name or alias, case-insensitive. Bed = the bed's
code (``4B-06``) or its number on that ward (``6``, ``06``); a room-numbered bed
(``Bay 1`` + ``2``) is tried as ``<room>-<bed>`` too. When the message names a room and
the HMS knows the bed's room, they must agree, so a misrouted message is refused rather
than applied to the wrong bed.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hms import models
from hms.adt.message import MISSING_FIELD, UNKNOWN_KEY, Place, failed


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def find_ward(session: Session, point_of_care: str) -> models.Location | None:
    """By code first (one indexed lookup), else by name or alias."""
    loc = models.Location
    found = session.scalar(
        select(loc).where(loc.physical_type == "wa", func.upper(loc.code) == point_of_care.upper())
    )
    if found is not None:
        return found
    wanted = _norm(point_of_care)
    for ward in session.scalars(select(loc).where(loc.physical_type == "wa")):
        if wanted in {_norm(ward.name), *(_norm(a) for a in ward.aliases)}:
            return ward
    return None


def _bed_codes(ward: models.Location, place: Place) -> list[str]:
    codes = [place.bed]
    if place.bed.isdigit():
        codes.append(f"{ward.code}-{int(place.bed):02d}")
    if place.room:
        codes += [f"{place.room}-{place.bed}", f"{ward.code}-{place.room}-{place.bed}"]
    return codes


def _room_matches(room: str, description: str | None) -> bool:
    if not description:
        return True
    room, description = _norm(room), _norm(description)
    return room == description or description.endswith(" " + room)


def resolve_bed(session: Session, place: Place | None, what: str) -> models.Location:
    """The bed ``place`` names; ``AdtProblem`` (AE) naming ``what`` (e.g. ``PV1-3``)."""
    if place is None or not place.point_of_care:
        raise failed(MISSING_FIELD, f"{what} has no point of care (ward)")
    if not place.bed:
        raise failed(MISSING_FIELD, f"{what} has no bed")
    ward = find_ward(session, place.point_of_care)
    if ward is None:
        raise failed(UNKNOWN_KEY, f"{what}: unknown point of care {place.point_of_care[:20]!r}")
    codes = [c.upper() for c in _bed_codes(ward, place)]
    loc = models.Location
    beds = {
        b.code.upper(): b
        for b in session.scalars(
            select(loc).where(
                loc.physical_type == "bd",
                loc.part_of_id == ward.id,
                func.upper(loc.code).in_(codes),
            )
        )
    }
    bed = next((beds[c] for c in codes if c in beds), None)
    if bed is None:
        raise failed(UNKNOWN_KEY, f"{what}: no bed {place.bed[:12]!r} on ward {ward.code}")
    if place.room and not _room_matches(place.room, bed.description):
        raise failed(
            UNKNOWN_KEY,
            f"{what}: bed {bed.code} is in {bed.description}, not {place.room[:20]}",
        )
    return bed
