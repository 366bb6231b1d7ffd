"""FHIR R4 Bundles (collection, transaction or batch, e.g. from Synthea) -> records.

Imported: Location (ward ``wa`` / bed ``bd``), Practitioner with its PractitionerRoles,
Patient, in-progress Encounter (a stay) and booked Appointment. Every other resource type
is skipped and counted; so are Locations that are neither ward nor bed, Encounters that
are not in progress and Appointments that are not booked. Each imported resource is
validated with ``fhir.resources`` first. References may be ``urn:uuid:`` full URLs,
``Type/id``, conditional (``Patient?identifier=system|value``) or logical (identifier).
Identifier systems come from the HMS settings; a Patient without the MRN system falls
back to its identifier of type ``MR`` (HL7 v2-0203), as Synthea writes it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from hms.config import Systems
from hms.fhir import SYS_BED_STATUS, SYS_PHYSICAL
from hms.importer import records as r
from hms.importer import values as v

Json = dict[str, Any]
HANDLED = ("Location", "Practitioner", "PractitionerRole", "Patient", "Encounter", "Appointment")
BUNDLE_TYPES = ("collection", "transaction", "batch")
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"


@dataclass
class BundleRows:
    items: list[r.Item] = field(default_factory=list)
    rejected: list[r.Rejection] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    read: int = 0

    def skip(self, what: str) -> None:
        self.skipped[what] = self.skipped.get(what, 0) + 1


class Refs:
    """Finds the resource a Reference points to, within the bundle."""

    def __init__(self, entries: list[Json]) -> None:
        self.by_url: dict[str, Json] = {}
        self.by_ident: dict[tuple[str, str, str], Json] = {}
        for entry in entries:
            res = entry.get("resource") or {}
            kind, ident = str(res.get("resourceType")), res.get("id")
            if entry.get("fullUrl"):
                self.by_url[str(entry["fullUrl"])] = res
            if kind and ident:
                self.by_url[f"{kind}/{ident}"] = res
            for item in res.get("identifier") or []:
                if isinstance(item, dict) and item.get("system") and item.get("value"):
                    self.by_ident[(kind, item["system"], str(item["value"]))] = res

    def resolve(self, ref: Any, kind: str) -> Json | None:
        """The referenced resource, or a stand-in holding only the identifier named."""
        if not isinstance(ref, dict):
            return None
        target = str(ref.get("reference") or "")
        if target in self.by_url:
            return self.by_url[target]
        if "/" in target and not target.startswith("urn:"):
            tail = "/".join(target.split("/_history")[0].split("/")[-2:])
            if tail in self.by_url:
                return self.by_url[tail]
        logical = ref.get("identifier") if isinstance(ref.get("identifier"), dict) else None
        if target.startswith(f"{kind}?"):
            token = (parse_qs(target.split("?", 1)[1]).get("identifier") or [""])[0]
            system, _, value = token.partition("|")
            logical = {"system": system, "value": value} if value else None
        if logical and logical.get("value"):
            found = self.by_ident.get((kind, str(logical.get("system")), str(logical["value"])))
            return found or {"resourceType": kind, "identifier": [logical]}
        return None


def _ident(res: Json, system: str) -> str | None:
    for item in res.get("identifier") or []:
        if isinstance(item, dict) and item.get("system") == system and item.get("value"):
            return str(item["value"])
    return None


def _codes(value: Any, system: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    out = []
    for item in items:
        if isinstance(item, dict):
            codings = item.get("coding") if "coding" in item else [item]
            out += [
                str(c["code"]) for c in codings or [] if c.get("system") == system and c.get("code")
            ]
    return out


def _name(res: Json) -> tuple[str | None, str, str]:
    names = [n for n in res.get("name") or [] if isinstance(n, dict)]
    best = next((n for n in names if n.get("use") == "official"), names[0] if names else {})
    prefix = " ".join(best.get("prefix") or []) or None
    return prefix, " ".join(best.get("given") or []), str(best.get("family") or "")


class BundleReader:
    def __init__(self, systems: Systems, tz: ZoneInfo, today: date) -> None:
        self.systems, self.tz, self.today = systems, tz, today

    def read(self, path: Path) -> BundleRows:
        try:
            bundle = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            raise r.RowError(f"not JSON: {exc}") from None
        if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
            raise r.RowError("not a FHIR Bundle")
        if bundle.get("type") not in BUNDLE_TYPES:
            raise r.RowError(f"Bundle type must be one of {', '.join(BUNDLE_TYPES)}")
        entries = [e for e in bundle.get("entry") or [] if isinstance(e, dict)]
        out, refs = BundleRows(read=len(entries)), Refs(entries)
        in_bundle = {id(e.get("resource")) for e in entries}
        roles: dict[int, list[r.RoleAt]] = {}
        staff_at: dict[int, tuple[str, Json]] = {}
        for n, entry in enumerate(entries, start=1):
            res: Json = entry["resource"] if isinstance(entry.get("resource"), dict) else {}
            kind = str(res.get("resourceType") or "(none)")
            where = f"entry {n} ({kind}/{str(res.get('id') or '-')[:64]})"
            if kind not in HANDLED:
                out.skip(kind)
                continue
            try:
                get_fhir_model_class(kind).model_validate(res)
            except (ValidationError, ValueError, TypeError) as exc:
                first = str(exc).splitlines()[1:3] if "\n" in str(exc) else [str(exc)]
                reason = f"not a valid FHIR R4 {kind}: {' '.join(first)[:200]}"
                out.rejected.append(r.Rejection(where, reason))
                continue
            try:
                if kind == "Practitioner":
                    staff_at[id(res)] = (where, res)
                elif kind == "PractitionerRole":
                    prac = refs.resolve(res.get("practitioner"), "Practitioner")
                    if prac is None or id(prac) not in in_bundle:
                        raise r.RowError("its Practitioner is not in this bundle")
                    roles.setdefault(id(prac), []).extend(self._roles(res, refs))
                else:
                    record = getattr(self, f"_{kind.lower()}")(res, refs, out)
                    if record is not None:
                        out.items.append(r.Item(where, record))
            except r.RowError as exc:
                out.rejected.append(r.Rejection(where, str(exc)))
        for key, (where, res) in staff_at.items():
            try:
                out.items.append(r.Item(where, self._staff(res, tuple(roles.get(key, ())))))
            except r.RowError as exc:
                out.rejected.append(r.Rejection(where, str(exc)))
        return out

    # -- one resource each ------------------------------------------------------------

    def _location(self, res: Json, refs: Refs, out: BundleRows) -> r.Record | None:
        kind = next(iter(_codes(res.get("physicalType"), SYS_PHYSICAL)), None)
        if kind == "wa":
            code = _ident(res, self.systems.ward)
            if not code:
                raise r.RowError(f"a ward needs an identifier with system {self.systems.ward}")
            name = str(res.get("name") or code)
            return r.Ward(
                v.code(code, "identifier"), name, tuple(str(a) for a in res.get("alias") or [])
            )
        if kind != "bd":
            out.skip("Location (not a ward or bed)")
            return None
        code = _ident(res, self.systems.bed)
        if not code:
            raise r.RowError(f"a bed needs an identifier with system {self.systems.bed}")
        ward = refs.resolve(res.get("partOf"), "Location")
        ward_code = _ident(ward, self.systems.ward) if ward else None
        if not ward_code:
            raise r.RowError("partOf must reference a ward (in this bundle or by identifier)")
        status = next(iter(_codes(res.get("operationalStatus"), SYS_BED_STATUS)), "U")
        feats = ";".join(_codes(res.get("type"), self.systems.bed_feature))
        return r.Bed(
            ward_code=v.code(ward_code, "partOf"),
            code=v.code(code, "identifier"),
            name=str(res.get("name") or code),
            room=res.get("description") or None,
            features=v.features(feats, "type"),
            status=v.a_status(status, "operationalStatus"),
        )

    def _roles(self, res: Json, refs: Refs) -> list[r.RoleAt]:
        codes = [c for c in _codes(res.get("code"), self.systems.role)]
        if not codes:
            raise r.RowError(f"no role code with system {self.systems.role}")
        known = v.roles(";".join(codes), "code")
        wards = []
        for loc in res.get("location") or []:
            ward = refs.resolve(loc, "Location")
            code = _ident(ward, self.systems.ward) if ward else None
            if not code:
                raise r.RowError("a role location must be a ward (in this bundle or by identifier)")
            wards.append(code.upper())
        clinic = next(iter(_codes(res.get("specialty"), self.systems.service_type)), None)
        out = []
        for role in known:
            if role == "nurse" and wards:
                out += [r.RoleAt(role, ward_code=w) for w in wards]
            elif role == "clinician" and clinic:
                out.append(r.RoleAt(role, service_code=clinic.lower()))
            else:
                out.append(r.RoleAt(role))
        return out

    def _staff(self, res: Json, roles: tuple[r.RoleAt, ...]) -> r.Staff:
        username = _ident(res, self.systems.staff)
        if not username:
            raise r.RowError(f"no identifier with system {self.systems.staff}")
        prefix, given, family = _name(res)
        mail = next(
            (t.get("value") for t in res.get("telecom") or [] if t.get("system") == "email"), None
        )
        return r.Staff(
            username=v.username(username, "identifier"),
            prefix=prefix,
            given=v.required(given, "name.given")[:64],
            family=v.required(family, "name.family")[:64],
            email=v.email(mail, "telecom email"),
            roles=roles,
        )

    def mrn(self, res: Json | None) -> str | None:
        if not res:
            return None
        found = _ident(res, self.systems.mrn)
        if found:
            return found
        for item in res.get("identifier") or []:
            if isinstance(item, dict) and "MR" in _codes(item.get("type"), V2_0203):
                return str(item.get("value") or "") or None
        return None

    def _patient(self, res: Json, refs: Refs, out: BundleRows) -> r.Record:
        mrn = self.mrn(res)
        if not mrn:
            raise r.RowError(f"no MRN (identifier system {self.systems.mrn} or type MR)")
        _prefix, given, family = _name(res)
        return r.Patient(
            mrn=mrn,
            family=v.required(family, "name.family")[:64],
            given=v.required(given, "name.given")[:64],
            birth_date=v.a_birth_date(res.get("birthDate"), "birthDate", self.today),
            gender=v.a_gender(res.get("gender"), "gender"),
        )

    def _encounter(self, res: Json, refs: Refs, out: BundleRows) -> r.Record | None:
        if res.get("status") != "in-progress":
            out.skip("Encounter (not in progress)")
            return None
        mrn = self.mrn(refs.resolve(res.get("subject"), "Patient"))
        if not mrn:
            raise r.RowError("subject must be a Patient in this bundle or by MRN identifier")
        places = [p for p in res.get("location") or [] if p.get("status") in (None, "active")]
        loc = refs.resolve(places[-1].get("location"), "Location") if places else None
        code = (_ident(loc, self.systems.bed) or _ident(loc, self.systems.ward)) if loc else None
        if not code:
            raise r.RowError(
                "location must be an HMS bed or ward (in this bundle or by identifier)"
            )
        visit = next((str(i["value"]) for i in res.get("identifier") or [] if i.get("value")), None)
        return r.Stay(
            mrn=mrn,
            location_code=code,
            start=v.a_time((res.get("period") or {}).get("start"), "period.start", self.tz),
            visit_number=visit[:64] if visit else None,
        )

    def _appointment(self, res: Json, refs: Refs, out: BundleRows) -> r.Record | None:
        if res.get("status") != "booked":
            out.skip("Appointment (not booked)")
            return None
        mrn = clinician = None
        for part in res.get("participant") or []:
            actor = part.get("actor") or {}
            mrn = mrn or self.mrn(refs.resolve(actor, "Patient"))
            prac = refs.resolve(actor, "Practitioner")
            clinician = clinician or (_ident(prac, self.systems.staff) if prac else None)
        if not mrn or not clinician:
            raise r.RowError("participants must name the Patient (MRN) and the Practitioner")
        clinic = next(iter(_codes(res.get("serviceType"), self.systems.service_type)), None)
        return r.Appointment(
            mrn=mrn,
            clinician=clinician,
            service_code=v.required(clinic, "serviceType").lower(),
            start=v.a_time(res.get("start"), "start", self.tz),
            end=v.a_time(res.get("end"), "end", self.tz),
        )
