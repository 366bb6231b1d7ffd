"""What a FHIR R4 server can do for the assistant: ``python -m assistant hms check``.

Reads the server's CapabilityStatement (``GET /metadata``, without a token as FHIR
clients expect), lists the resource types, interactions and search parameters it
declares, and says which assistant features it supports and what each missing one lacks.
The requirements are data (``FEATURES``): exactly the standard R4 interactions and search
parameters the HMS client uses. With a token it also samples a few resources to see
whether the configured identifier systems (``HMS_*_SYSTEM``) and MRN pattern are in use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from .systems import IdentifierSystems

Need = tuple[str, str]  # (resource type, interaction code or "?<search parameter>")


@dataclass(frozen=True)
class Feature:
    name: str
    needs: tuple[Need, ...]


def _needs(spec: str) -> tuple[Need, ...]:
    """``"Location:search-type,?partof Task:create"`` -> needs."""
    out = []
    for part in spec.split():
        kind, _, items = part.partition(":")
        out += [(kind, item) for item in items.split(",")]
    return tuple(out)


FEATURES: tuple[Feature, ...] = (
    Feature(
        "free beds and bed summaries",
        _needs("Location:search-type,?partof,?operational-status,?identifier"),
    ),
    Feature("changing a bed's status", _needs("Location:read,update")),
    Feature(
        "finding a patient by MRN or name", _needs("Patient:read,search-type,?identifier,?name")
    ),
    Feature(
        "locating a patient (current stay)",
        _needs("Encounter:search-type,?patient,?status Location:read"),
    ),
    Feature(
        "staff sign-in and roles (REST, Slack, kiosk)",
        _needs(
            "Practitioner:search-type,?identifier,?email PractitionerRole:search-type,?practitioner"
        ),
    ),
    Feature(
        "clinics and free appointment slots",
        _needs(
            "HealthcareService:search-type Schedule:read,search-type,?actor "
            "Slot:read,search-type,?status,?start,?service-type,?schedule"
        ),
    ),
    Feature("booking appointments", _needs("Slot:read Appointment:create")),
    Feature(
        "listing and cancelling appointments",
        _needs("Appointment:read,search-type,update,?patient,?practitioner,?date,?status"),
    ),
    Feature(
        "help requests (tickets)",
        _needs("Task:create,read,search-type,update,?identifier,?requester,?status"),
    ),
    Feature(
        "porter and housekeeping jobs (list, take, finish)",
        _needs("Task:read,search-type,update,?code,?status Location:search-type"),
    ),
    Feature(
        "kiosk speech model from the staff directory",
        _needs("Practitioner:search-type Location:search-type HealthcareService:search-type"),
    ),
    Feature(
        "bed-freed notices (watching beds)",
        _needs("Location:search-type,?partof,?operational-status"),
    ),
)


@dataclass
class Capabilities:
    fhir_version: str
    software: str
    resources: dict[str, tuple[set[str], set[str]]]  # type -> (interactions, params)

    @classmethod
    def parse(cls, statement: dict[str, Any]) -> Capabilities:
        if statement.get("resourceType") != "CapabilityStatement":
            raise ValueError("GET /metadata did not return a CapabilityStatement")
        resources: dict[str, tuple[set[str], set[str]]] = {}
        for rest in statement.get("rest") or []:
            if rest.get("mode") not in (None, "server"):
                continue
            for res in rest.get("resource") or []:
                interactions = {str(i.get("code")) for i in res.get("interaction") or []}
                params = {str(p.get("name")) for p in res.get("searchParam") or []}
                resources[str(res.get("type"))] = (interactions, params)
        software = statement.get("software") or {}
        name = " ".join(str(software.get(k)) for k in ("name", "version") if software.get(k))
        return cls(str(statement.get("fhirVersion") or "?"), name or "?", resources)

    def lacks(self, need: Need) -> str | None:
        kind, what = need
        if kind not in self.resources:
            return f"{kind} is not served"
        interactions, params = self.resources[kind]
        if what.startswith("?"):
            return None if what[1:] in params else f"{kind} search by {what[1:]}"
        return None if what in interactions else f"{kind} {what}"


@dataclass
class CheckReport:
    url: str
    capabilities: Capabilities | None = None
    metadata_public: bool = True
    error: str | None = None
    features: dict[str, list[str]] = field(default_factory=dict)  # name -> what is missing
    data_notes: list[str] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [name for name, gaps in self.features.items() if gaps]

    def exit_code(self) -> int:
        if self.error:
            return 2
        return 1 if self.missing or self.data_notes else 0

    def render(self) -> str:
        if self.capabilities is None:
            return f"HMS at {self.url}: {self.error}"
        caps = self.capabilities
        lines = [f"HMS at {self.url}: FHIR {caps.fhir_version} ({caps.software})"]
        if not caps.fhir_version.startswith("4.0"):
            lines.append("  warning: the assistant speaks FHIR R4 (4.0.x)")
        if not self.metadata_public:
            lines.append("  note: GET /metadata needed a token (FHIR clients expect it public)")
        lines.append("Supported (from the CapabilityStatement):")
        for kind, (interactions, params) in sorted(caps.resources.items()):
            lines.append(
                f"  {kind}: {', '.join(sorted(interactions)) or '-'}"
                f"; search: {', '.join(sorted(params)) or '-'}"
            )
        lines.append("Assistant features:")
        for name, gaps in self.features.items():
            lines.append(
                f"  [ok]      {name}"
                if not gaps
                else f"  [MISSING] {name}: needs " + "; ".join(gaps)
            )
        if self.data_notes:
            lines.append("Identifier systems:")
            lines += [f"  {note}" for note in self.data_notes]
        verdict = (
            "all assistant features available"
            if not self.missing
            else (f"{len(self.missing)} assistant feature(s) will be missing")
        )
        lines.append(verdict)
        return "\n".join(lines)


def assess(capabilities: Capabilities) -> dict[str, list[str]]:
    return {
        f.name: [gap for need in f.needs if (gap := capabilities.lacks(need))] for f in FEATURES
    }


async def check_server(
    base_url: str,
    token: str,
    systems: IdentifierSystems,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    timeout: float = 10.0,
) -> CheckReport:
    report = CheckReport(url=base_url)
    headers = {"Accept": "application/fhir+json"}
    async with httpx.AsyncClient(
        base_url=base_url.rstrip("/") + "/", headers=headers, timeout=timeout, transport=transport
    ) as http:
        try:
            reply = await http.get("metadata")
            if reply.status_code == 401 and token:
                report.metadata_public = False
                reply = await http.get("metadata", headers={"Authorization": f"Bearer {token}"})
            reply.raise_for_status()
            report.capabilities = Capabilities.parse(reply.json())
        except (httpx.HTTPError, ValueError) as exc:
            report.error = f"cannot read the CapabilityStatement ({type(exc).__name__}: {exc})"
            return report
        report.features = assess(report.capabilities)
        if token:
            auth = {"Authorization": f"Bearer {token}"}
            report.data_notes = await _sample_systems(http, auth, systems)
    return report


async def _sample(http: httpx.AsyncClient, auth: dict[str, str], kind: str) -> list[Any]:
    try:
        reply = await http.get(kind, params={"_count": 50}, headers=auth)
        reply.raise_for_status()
        return [e.get("resource") or {} for e in reply.json().get("entry") or []]
    except (httpx.HTTPError, ValueError):
        return []


async def _parents(http: httpx.AsyncClient, auth: dict[str, str], sample: list[Any]) -> list[Any]:
    parent = next((str(r["partOf"].get("reference")) for r in sample if r.get("partOf")), None)
    if not parent or "/" not in parent:
        return []
    try:
        reply = await http.get("Location/" + parent.rsplit("/", 1)[-1], headers=auth)
        reply.raise_for_status()
        return [reply.json()]
    except (httpx.HTTPError, ValueError):
        return []


def _systems_of(resources: list[Any], field_name: str = "identifier") -> set[str]:
    found = set()
    for res in resources:
        values = res.get(field_name) or []
        for item in values if isinstance(values, list) else [values]:
            if isinstance(item, dict):
                found.add(str(item.get("system")))
                found |= {str(c.get("system")) for c in item.get("coding") or []}
    return found


async def _sample_systems(
    http: httpx.AsyncClient, auth: dict[str, str], systems: IdentifierSystems
) -> list[str]:
    """Notes where a sample of the server's data does not use the configured systems."""
    notes = []
    checks = (
        ("Patient", "identifier", systems.mrn, "HMS_MRN_SYSTEM"),
        ("Practitioner", "identifier", systems.staff, "HMS_STAFF_SYSTEM"),
        ("Location", "identifier", systems.ward, "HMS_WARD_SYSTEM"),
        ("PractitionerRole", "code", systems.role, "HMS_ROLE_SYSTEM"),
    )
    for kind, field_name, system, setting in checks:
        sample = await _sample(http, auth, kind)
        if kind == "Location":  # a page of beds: add the ward the first bed is part of
            sample += await _parents(http, auth, sample)
        if sample and system not in _systems_of(sample, field_name):
            seen = ", ".join(sorted(_systems_of(sample, field_name) - {"None"})[:4]) or "none"
            notes.append(f"no sampled {kind} uses {system} ({setting}); seen: {seen}")
        if kind == "Patient" and sample:
            mrns = [
                str(i.get("value"))
                for p in sample
                for i in p.get("identifier") or []
                if i.get("system") == system
            ]
            if mrns and not any(systems.mrn_ok(m) for m in mrns):
                notes.append("sampled MRNs do not match HMS_MRN_PATTERN")
    return notes
