"""HL7 v2 ADT messages (ER7) -> ``AdtMessage``, parsed with hl7apy.

``sniff_header`` reads MSH by hand first, so even a message hl7apy cannot parse gets an
acknowledgement that names its control id. ``parse_adt`` then parses MSH and the segments
the HMS reads with hl7apy (tolerant validation; in the message's version and delimiters;
other segments only have their ids checked) and pulls out what the HMS applies: the event,
the patient (PID), the visit (PV1/PV2) and the bed (PV1-3, PV1-6, PV1-42 or NPU-1/NPU-2).
Problems are ``AdtProblem`` with the acknowledgement code and HL7 table 0357 error code.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from hl7apy import SUPPORTED_LIBRARIES
from hl7apy.consts import DEFAULT_ENCODING_CHARS
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_segment
from hl7apy.utils import get_date_info, get_datetime_info

# HL7 table 0357 (message error condition codes)
MISSING_FIELD = "101"
DATA_TYPE_ERROR = "102"
TABLE_VALUE = "103"
SEGMENT_SEQUENCE = "100"
UNSUPPORTED_TYPE = "200"
UNSUPPORTED_EVENT = "201"
UNSUPPORTED_PROCESSING = "202"
UNSUPPORTED_VERSION = "203"
UNKNOWN_KEY = "204"
DUPLICATE_KEY = "205"
INTERNAL_ERROR = "207"
ERROR_TEXT = {
    SEGMENT_SEQUENCE: "Segment sequence error",
    MISSING_FIELD: "Required field missing",
    DATA_TYPE_ERROR: "Data type error",
    TABLE_VALUE: "Table value not found",
    UNSUPPORTED_TYPE: "Unsupported message type",
    UNSUPPORTED_EVENT: "Unsupported event code",
    UNSUPPORTED_PROCESSING: "Unsupported processing id",
    UNSUPPORTED_VERSION: "Unsupported version id",
    UNKNOWN_KEY: "Unknown key identifier",
    DUPLICATE_KEY: "Duplicate key identifier",
    INTERNAL_ERROR: "Application internal error",
}
PROCESSING_IDS = frozenset({"P", "T", "D"})
# the segments the HMS reads, and the last field it reads of each (the rest is not parsed)
_READ = {"EVN": 6, "PID": 8, "PV1": 45, "PV2": 9, "NPU": 2}
_SEGMENT_ID = re.compile(r"^[A-Z][A-Z0-9]{2}(\W|$)")
SEX = {"M": "male", "F": "female", "O": "other", "U": "unknown", "A": "other", "N": "unknown"}


class AdtProblem(Exception):
    """The message is not applied: ``ack`` AE (content) or AR (rejected), with a reason."""

    def __init__(self, ack: str, code: str, reason: str) -> None:
        super().__init__(reason)
        self.ack, self.code, self.reason = ack, code, reason


def rejected(code: str, reason: str) -> AdtProblem:
    return AdtProblem("AR", code, reason)


def failed(code: str, reason: str) -> AdtProblem:
    return AdtProblem("AE", code, reason)


@dataclass(frozen=True)
class Header:
    """MSH as far as it could be read (blank where it could not)."""

    sending_app: str = ""
    sending_facility: str = ""
    control_id: str = ""
    message_type: str = ""
    event: str = ""
    processing_id: str = "P"
    version: str = ""

    @property
    def sender(self) -> str:
        return f"{self.sending_app}^{self.sending_facility}"


@dataclass(frozen=True)
class Place:
    """An HL7 PL (person location): point of care (ward), room, bed."""

    point_of_care: str
    room: str
    bed: str

    def __str__(self) -> str:
        return "^".join((self.point_of_care, self.room, self.bed)).rstrip("^")


@dataclass(frozen=True)
class PatientInfo:
    mrn: str
    family: str
    given: str
    birth_date: date | None
    gender: str


@dataclass(frozen=True)
class AdtMessage:
    header: Header
    text: str  # the normalised ER7 (segments separated by CR)
    sha256: str
    event: str
    occurred: datetime | None  # EVN-6, else EVN-2 (aware, or naive = hospital time)
    patient: PatientInfo | None
    visit_number: str | None  # PV1-19
    location: Place | None  # PV1-3 (assigned location) or NPU-1 (A20)
    prior_location: Place | None  # PV1-6
    pending_location: Place | None  # PV1-42
    bed_status: str | None  # NPU-2 (v2-0116)
    admit_time: datetime | None  # PV1-44
    discharge_time: datetime | None  # PV1-45
    expected_time: datetime | None  # PV2-8 expected admit / PV2-9 expected discharge


def normalise(raw: bytes) -> str:
    """Bytes -> ER7 text with CR segment separators and no blank segments."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    return "\r".join(line for line in lines if line.strip())


def sniff_header(text: str) -> Header:
    """Read MSH fields by position; ``AdtProblem`` (AR) if it is not an HL7 v2 message."""
    if not text.startswith("MSH") or len(text) < 8:
        raise rejected(SEGMENT_SEQUENCE, "the message does not start with an MSH segment")
    sep, comp = text[3], text[4]
    msh = text.split("\r", 1)[0].split(sep)

    def get(n: int) -> str:  # MSH-n (MSH-1 is the separator itself)
        return msh[n - 1].strip() if len(msh) > n - 1 else ""

    kind = get(9).split(comp)
    return Header(
        sending_app=get(3).split(comp)[0][:60],
        sending_facility=get(4).split(comp)[0][:60],
        control_id=get(10)[:64],
        message_type=kind[0] if kind else "",
        event=kind[1] if len(kind) > 1 else "",
        processing_id=get(11).split(comp)[0] or "P",
        version=get(12).split(comp)[0],
    )


def _text(element: Any) -> str:
    """An element as ER7 with the default delimiters, whatever the message's MSH-2 says."""
    if element is None:
        return ""
    return str(element.to_er7(encoding_chars=DEFAULT_ENCODING_CHARS)).strip()


def _unescape(value: str) -> str:
    for code, char in (("\\F\\", "|"), ("\\S\\", "^"), ("\\T\\", "&"), ("\\R\\", "~")):
        value = value.replace(code, char)
    return value.replace("\\E\\", "\\")


def _component(field: Any, n: int) -> str:
    """Component ``n`` (1-based) of an ER7 field value."""
    parts = _text(field).split("^")
    return _unescape(parts[n - 1].split("&")[0]).strip() if len(parts) >= n else ""


def _place(field: Any) -> Place | None:
    place = Place(_component(field, 1), _component(field, 2), _component(field, 3))
    return place if (place.point_of_care or place.room or place.bed) else None


def _when(value: str, what: str) -> datetime | None:
    """An HL7 TS/DTM -> datetime (aware when it carries an offset); ``None`` if blank."""
    value = value.split("^")[0].strip()
    if not value:
        return None
    try:
        moment, _fmt, offset, _precision = get_datetime_info(value)
    except (ValueError, HL7apyException) as exc:
        raise failed(DATA_TYPE_ERROR, f"{what} is not an HL7 date/time: {value[:30]!r}") from exc
    if offset:
        sign = -1 if offset[0] == "-" else 1
        delta = timedelta(hours=int(offset[1:3]), minutes=int(offset[3:5]))
        moment = moment.replace(tzinfo=timezone(sign * delta))
    result: datetime = moment
    return result


def _day(value: str) -> date | None:
    value = value.strip()[:8]
    if not value:
        return None
    try:
        return get_date_info(value)[0].date()  # type: ignore[no-any-return]
    except (ValueError, HL7apyException) as exc:
        raise failed(DATA_TYPE_ERROR, "PID-7 (birth date) is not an HL7 date") from exc


def _encoding(text: str) -> dict[str, str]:
    chars = text[4:9]
    out = {
        "GROUP": "\r",
        "SEGMENT": "\r",
        "FIELD": text[3],
        "COMPONENT": chars[0],
        "REPETITION": chars[1],
        "ESCAPE": chars[2],
        "SUBCOMPONENT": chars[3],
    }
    if len(chars) > 4 and chars[4] != text[3]:
        out["TRUNCATION"] = chars[4]
    return out


def _segments(text: str, version: str) -> dict[str, Any]:
    """The segments the HMS reads (first of each), parsed with hl7apy (MSH was read by
    ``sniff_header``); every other segment only has its id checked (a real A01 carries NK1,
    AL1, DG1, IN1... which the HMS does not use)."""
    lines = text.split("\r")
    for number, line in enumerate(lines, start=1):
        if not _SEGMENT_ID.match(line):
            raise rejected(SEGMENT_SEQUENCE, f"segment {number} is not an HL7 segment")
    if version not in SUPPORTED_LIBRARIES:
        raise rejected(UNSUPPORTED_VERSION, f"HL7 version {version[:8]!r} is not supported")
    encoding = _encoding(text)
    found: dict[str, Any] = {}
    try:
        for line in lines[1:]:
            name = line[:3]
            if name in _READ and name not in found:
                fields = line.split(encoding["FIELD"])[: _READ[name] + 1]
                found[name] = parse_segment(
                    encoding["FIELD"].join(fields), version=version, encoding_chars=encoding
                )
    except HL7apyException as exc:
        name = type(exc).__name__
        code = UNSUPPORTED_VERSION if name == "UnsupportedVersion" else SEGMENT_SEQUENCE
        raise rejected(code, f"not a well-formed HL7 v2 message ({name})") from exc
    return found


def _patient(pid: Any, mrn_type: str) -> PatientInfo | None:
    if pid is None:
        return None
    ids = [(_component(r, 1), _component(r, 5)) for r in pid.pid_3] if _text(pid.pid_3) else []
    mrn = next((value for value, kind in ids if value and kind == mrn_type), "")
    if not mrn:
        mrn = next((value for value, _ in ids if value), "")
    return PatientInfo(
        mrn=mrn,
        family=_component(pid.pid_5, 1),
        given=_component(pid.pid_5, 2),
        birth_date=_day(_text(pid.pid_7)),
        gender=SEX.get(_text(pid.pid_8)[:1].upper(), "unknown"),
    )


def parse_adt(text: str, header: Header, mrn_type: str = "MR") -> AdtMessage:
    """Parse with hl7apy; ``AdtProblem`` when the message cannot be used."""
    if header.message_type != "ADT":
        kind = header.message_type or "(none)"
        raise rejected(UNSUPPORTED_TYPE, f"message type {kind[:10]} is not handled here")
    if header.processing_id not in PROCESSING_IDS:
        raise rejected(UNSUPPORTED_PROCESSING, "MSH-11 processing id must be P, T or D")
    if not header.control_id:
        raise rejected(MISSING_FIELD, "MSH-10 (message control id) is empty")
    segs = _segments(text, header.version or "2.5")
    evn, pv1, pv2, npu = segs.get("EVN"), segs.get("PV1"), segs.get("PV2"), segs.get("NPU")
    event = header.event or (_text(evn.evn_1) if evn is not None else "")
    occurred = None
    if evn is not None:
        occurred = _when(_text(evn.evn_6), "EVN-6") or _when(_text(evn.evn_2), "EVN-2")
    if event == "A20":
        location = _place(npu.npu_1) if npu is not None else None
        status = _text(npu.npu_2).upper() if npu is not None else ""
    else:
        location = _place(pv1.pv1_3) if pv1 is not None else None
        status = ""
    expected = None
    if pv2 is not None:
        field = pv2.pv2_9 if event in ("A16", "A25") else pv2.pv2_8
        expected = _when(_text(field), "PV2 expected date")
    return AdtMessage(
        header=header,
        text=text,
        sha256=hashlib.sha256(text.encode()).hexdigest(),
        event=event,
        occurred=occurred,
        patient=_patient(segs.get("PID"), mrn_type),
        visit_number=(_component(pv1.pv1_19, 1) or None) if pv1 is not None else None,
        location=location,
        prior_location=_place(pv1.pv1_6) if pv1 is not None else None,
        pending_location=_place(pv1.pv1_42) if pv1 is not None else None,
        bed_status=status or None,
        admit_time=_when(_text(pv1.pv1_44), "PV1-44") if pv1 is not None else None,
        discharge_time=_when(_text(pv1.pv1_45), "PV1-45") if pv1 is not None else None,
        expected_time=expected,
    )
