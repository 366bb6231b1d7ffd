"""Which watched beds became free since the last look (one HMS search per ward/feature)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from assistant.hms.errors import HmsError
from assistant.hms.models import Bed
from assistant.watches.store import Watch

log = logging.getLogger(__name__)


class FreeBeds(Protocol):
    """The part of the HMS client the detector reads."""

    async def free_beds(
        self, ward_code: str | None = None, feature: str | None = None
    ) -> list[Bed]: ...


@dataclass(frozen=True)
class Freed:
    watch: Watch
    bed: Bed


@dataclass(frozen=True)
class Look:
    freed: list[Freed]
    free_now: dict[int, frozenset[str]]  # watch id -> matching free beds (the new baseline)


async def look(hms: FreeBeds, watches: list[Watch]) -> Look:
    """Free beds matching each watch now; a bed not in the watch's baseline is news."""
    groups: dict[tuple[str | None, str | None], dict[str, Bed] | None] = {}
    for watch in watches:
        key = (watch.ward_code, watch.feature)
        if key in groups:
            continue
        try:
            found = await hms.free_beds(watch.ward_code, watch.feature)
        except HmsError as exc:
            log.warning("bed watch: free-bed search failed (%s)", type(exc).__name__)
            groups[key] = None
            continue
        groups[key] = {b.id: b for b in found}
    freed, free_now = [], {}
    for watch in watches:
        beds = groups[(watch.ward_code, watch.feature)]
        if beds is None:
            continue
        current = frozenset(beds)
        free_now[watch.id] = current
        new = sorted(current - watch.baseline)
        if new:
            freed.append(Freed(watch, beds[new[0]]))
    return Look(freed, free_now)
