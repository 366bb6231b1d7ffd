"""The reference HMS's own options: identifier systems, extensions, the ADT listener.

Read from the environment by ``hms_options(os.environ)`` (the command line calls it after
``assistant.config.get_settings()`` has filled the environment from ``var/demo.env``).
The identifier-system variables have the same names the assistant's HMS client reads,
so one setting points both sides at the same systems.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_OFF = frozenset({"0", "off", "false", "no"})


@dataclass(frozen=True)
class Systems:
    """FHIR identifier and code systems the HMS writes and searches by."""

    mrn: str = "urn:hms:mrn"
    staff: str = "urn:hms:staff"
    ward: str = "urn:hms:ward"
    bed: str = "urn:hms:bed"
    ticket: str = "urn:hms:ticket"
    role: str = "urn:hms:role"
    bed_feature: str = "urn:hms:bed-feature"
    service_type: str = "urn:hms:service-type"
    help_type: str = "urn:hms:help-type"


# field of ``Systems`` -> environment variable
SYSTEM_ENV: dict[str, str] = {
    "mrn": "HMS_MRN_SYSTEM",
    "staff": "HMS_STAFF_SYSTEM",
    "ward": "HMS_WARD_SYSTEM",
    "bed": "HMS_BED_SYSTEM",
    "ticket": "HMS_TICKET_SYSTEM",
    "role": "HMS_ROLE_SYSTEM",
    "bed_feature": "HMS_BED_FEATURE_SYSTEM",
    "service_type": "HMS_SERVICE_TYPE_SYSTEM",
    "help_type": "HMS_HELP_TYPE_SYSTEM",
}
DEFAULT_MRN_PATTERN = r"\d{8}"


@dataclass(frozen=True)
class AdtOptions:
    """The HL7 v2 ADT listener (``python -m hms adt-listen``)."""

    host: str = "127.0.0.1"
    port: int = 2575
    application: str = "HMS"  # MSH-3 of our ACKs
    facility: str = ""  # MSH-4 of our ACKs
    mrn_type: str = "MR"  # PID-3 identifier type code (CX.5) that marks the MRN


@dataclass(frozen=True)
class HmsOptions:
    systems: Systems = field(default_factory=Systems)
    # the reference HMS's non-standard parts: ``/directory``, custom search parameters
    # (Slot ``practitioner``), the bed ``pending`` extension; off = plain FHIR R4 only
    extensions: bool = True
    mrn_pattern: str = DEFAULT_MRN_PATTERN
    adt: AdtOptions = field(default_factory=AdtOptions)

    def mrn_ok(self, value: str) -> bool:
        return re.fullmatch(self.mrn_pattern, value) is not None


def _port(raw: str | None, default: int) -> int:
    try:
        value = int(raw) if raw else default
    except ValueError as exc:
        raise ValueError(f"ADT_PORT must be a port number, not {raw!r}") from exc
    if not 0 <= value <= 65535:
        raise ValueError(f"ADT_PORT must be a port number, not {raw!r}")
    return value


def hms_options(env: Mapping[str, str]) -> HmsOptions:
    """Options from ``env``; unset or empty variables keep the defaults."""

    def get(name: str, default: str) -> str:
        value = env.get(name)
        return default if value is None or value.strip() == "" else value.strip()

    defaults = Systems()
    systems = Systems(
        **{name: get(var, getattr(defaults, name)) for name, var in SYSTEM_ENV.items()}
    )
    pattern = get("HMS_MRN_PATTERN", DEFAULT_MRN_PATTERN)
    try:
        re.compile(pattern)
    except re.error as exc:
        raise ValueError(f"HMS_MRN_PATTERN is not a regular expression: {exc}") from exc
    adt = AdtOptions(
        host=get("ADT_HOST", get("BIND_HOST", "127.0.0.1")),
        port=_port(env.get("ADT_PORT"), 2575),
        application=get("ADT_APPLICATION", "HMS"),
        facility=get("ADT_FACILITY", ""),
        mrn_type=get("ADT_MRN_TYPE", "MR"),
    )
    return HmsOptions(
        systems=systems,
        extensions=get("HMS_EXTENSIONS", "on").lower() not in _OFF,
        mrn_pattern=pattern,
        adt=adt,
    )
