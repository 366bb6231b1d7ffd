"""The bed a form is given, checked against the HMS while the form still asks.

"update bed 99 on 4B" used to ask the new status first and only then say there is no bed
99; now the bed the ward does not have is said at once (``unknown_bed``) and the bed
asked again, counting as a miss of the question (as ``actions.patientcheck`` does for
patients). A form that does not need a bed (a help request) drops the bed instead and
goes on.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from actions.patientcheck import Miss
from actions.slotvalues import MINE, Reply
from assistant.hms.errors import HmsError, NotFound
from assistant.hms.protocol import HmsClient
from intents.catalog import Form

# forms that take a bed without needing one: a bed the ward does not have is dropped (the
# ward lists answer for an unknown bed themselves)
DROPS_THE_BED = frozenset({"request_help"})


async def check_bed(
    form: Form,
    values: dict[str, Any],
    given: set[str],
    reader: Callable[[], Awaitable[HmsClient | None]],
) -> Miss | None:
    """The miss when the bed and ward of this form name no bed the HMS has (checked when
    either was given in this message); None when they do, or cannot be checked now."""
    ward, bed = values.get("ward"), values.get("bed")
    checked = "bed" in form.required or form.intent in DROPS_THE_BED
    if not checked or "ward" not in form.required or not ({"ward", "bed"} & given):
        return None
    if ward in (None, "", MINE) or bed in (None, ""):
        return None
    hms = await reader()
    if hms is None:
        return None
    try:
        await hms.get_bed(str(ward), str(bed))
    except NotFound:
        data = {"ward": str(ward), "bed": str(bed), "value": str(bed), "suggestions": []}
        reply = Reply(f"There's no bed {bed} on ward {ward}.", "unknown_bed", data)
        return Miss(reply, ("bed",), "bed" if "bed" in form.required else "")
    except HmsError:
        return None
    return None
