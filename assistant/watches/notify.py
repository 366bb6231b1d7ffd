"""Where a notice goes: ports, the kiosk inbox, and the message itself (no PHI)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from assistant.hms.models import Bed, Staff
from assistant.watches.store import NoticeStore, Watch

KIND = "bed_watch_notice"


@dataclass(frozen=True)
class Notice:
    text: str
    data: dict[str, Any]


class NoticeChannel(Protocol):
    """Delivers a notice to a staff member; ``False`` if it cannot reach them."""

    name: str

    async def deliver(self, staff: Staff, notice: Notice) -> bool: ...


@dataclass
class KioskInbox:
    """Keeps the notice until the staff member's next kiosk sign-in (always reachable)."""

    notices: NoticeStore
    name: str = "kiosk"

    async def deliver(self, staff: Staff, notice: Notice) -> bool:
        self.notices.add(staff.username, KIND, notice.text, notice.data)
        return True


def describe_watch(ward_code: str | None, feature: str | None) -> str:
    """``an isolation bed on 4B`` / ``a bed anywhere in the hospital``."""
    kind = f"{feature.replace('-', ' ')} bed" if feature else "bed"
    article = "an" if kind[0] in "aeiou" else "a"
    where = f"on {ward_code}" if ward_code else "anywhere in the hospital"
    return f"{article} {kind} {where}"


def bed_freed_notice(watch: Watch, bed: Bed) -> Notice:
    extras = [bed.room] if bed.room else []
    extras += sorted(f.replace("-", " ") for f in bed.features)
    what = f"{bed.label} ({', '.join(extras)})" if extras else bed.label
    ward = bed.ward_code or watch.ward_code or "?"
    text = (
        f"Bed free: {what} on {ward} is now free. You asked me to tell you when "
        f"{describe_watch(watch.ward_code, watch.feature)} frees."
    )
    data = {
        "watch_id": watch.id,
        "bed": bed.id,
        "label": bed.label,
        "ward": ward,
        "feature": watch.feature,
    }
    return Notice(text, data)
