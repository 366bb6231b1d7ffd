"""Original-mode acknowledgements (``ACK``): MSA-1 AA / AE / AR, the reason, and an ERR.

Written as ER7 directly (three short segments; every value is cleaned of delimiters), in
the version of the message acknowledged: ERR-3/ERR-4 (HL7 2.5 and later) or ERR-1 (before
2.5). The tests parse every ACK with hl7apy.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hms.adt.message import ERROR_TEXT, Header

DEFAULT_VERSION = "2.5"
_VERSIONS: tuple[str, ...] = (
    *("2.1", "2.2", "2.3", "2.3.1", "2.4", "2.5", "2.5.1"),
    *("2.6", "2.7", "2.8", "2.8.1", "2.8.2"),
)
_ERR_3 = frozenset(_VERSIONS[_VERSIONS.index("2.5") :])  # ERR-3/4 exist from 2.5


def _clean(value: str, limit: int = 200) -> str:
    """A value safe in one ER7 field: no delimiters, escapes or segment breaks."""
    for char in "|^~\\&\r\n":
        value = value.replace(char, " ")
    return " ".join(value.split())[:limit]


def build_ack(
    header: Header,
    code: str,
    text: str = "",
    error_code: str | None = None,
    *,
    application: str = "HMS",
    facility: str = "",
) -> str:
    """The ACK for ``header`` in its HL7 version (2.5 when that is unknown or unsupported)."""
    version = header.version if header.version in _VERSIONS else DEFAULT_VERSION
    event = _clean(header.event, 3)
    msh = [
        "MSH",
        "^~\\&",
        _clean(application, 60),
        _clean(facility, 60),
        _clean(header.sending_app, 60),
        _clean(header.sending_facility, 60),
        datetime.now(UTC).strftime("%Y%m%d%H%M%S"),
        "",
        f"ACK^{event}^ACK" if event else "ACK",
        uuid.uuid4().hex[:20],
        header.processing_id if header.processing_id in ("P", "T", "D") else "P",
        version,
    ]
    segments = [
        "|".join(msh),
        "|".join(["MSA", code, _clean(header.control_id, 64), _clean(text, 80)]),
    ]
    if error_code:
        label = ERROR_TEXT.get(error_code, "Error")
        if version in _ERR_3:
            fields = [
                "ERR",
                "",
                "",
                f"{error_code}^{label}^HL70357",
                "E",
                "",
                "",
                "",
                _clean(text, 250),
            ]
        else:
            fields = ["ERR", f"^^^{error_code}&{label}&HL70357"]
        segments.append("|".join(fields))
    return "\r".join(segments)
