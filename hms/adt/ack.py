"""Original-mode acknowledgements (``ACK``): MSA-1 AA / AE / AR, the reason, and an ERR."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException

from hms.adt.message import ERROR_TEXT, Header

DEFAULT_VERSION = "2.5"
_ERR_3 = ("2.5", "2.5.1", "2.6", "2.7", "2.7.1", "2.8", "2.8.1", "2.8.2")  # ERR-3/4 exist


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
    """The ACK for ``header`` in its HL7 version (2.5 when that is unknown or unusable)."""
    try:
        return _ack(
            header,
            header.version or DEFAULT_VERSION,
            code,
            text,
            error_code,
            (
                application,
                facility,
            ),
        )
    except HL7apyException:
        return _ack(header, DEFAULT_VERSION, code, text, error_code, (application, facility))


def _ack(
    header: Header,
    version: str,
    code: str,
    text: str,
    error_code: str | None,
    us: tuple[str, str],
) -> str:
    ack = Message("ACK", version=version)
    msh = ack.msh
    msh.msh_3 = _clean(us[0], 60)
    if us[1]:
        msh.msh_4 = _clean(us[1], 60)
    if header.sending_app:
        msh.msh_5 = _clean(header.sending_app, 60)
    if header.sending_facility:
        msh.msh_6 = _clean(header.sending_facility, 60)
    msh.msh_7 = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    msh.msh_9 = f"ACK^{_clean(header.event, 3)}^ACK" if header.event else "ACK"
    msh.msh_10 = uuid.uuid4().hex[:20]
    msh.msh_11 = header.processing_id if header.processing_id in ("P", "T", "D") else "P"
    msh.msh_12 = version
    msa = ack.add_segment("MSA")
    msa.msa_1 = code
    msa.msa_2 = _clean(header.control_id, 64)
    if text:
        msa.msa_3 = _clean(text, 80)
    if error_code:
        err = ack.add_segment("ERR")
        label = ERROR_TEXT.get(error_code, "Error")
        if version in _ERR_3:
            err.err_3 = f"{error_code}^{label}^HL70357"
            err.err_4 = "E"
            if text:
                err.err_8 = _clean(text, 250)
        else:
            err.err_1 = f"^^^{error_code}&{label}&HL70357"
    return str(ack.to_er7())
