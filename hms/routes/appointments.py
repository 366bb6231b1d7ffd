"""``Appointment`` booking (race-safe), read, search and cancellation."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fhir.resources.R4B.appointment import Appointment as AppointmentModel
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hms import models
from hms.auth import acting_staff
from hms.errors import Conflict, NotFound, PreconditionFailed, Unprocessable
from hms.fhir.common import etag
from hms.fhir.scheduling import appointment_json
from hms.routes.common import (
    add_read,
    base_url,
    bump_version,
    check_version,
    fhir,
    get_session,
    if_match,
    page,
    read_resource,
    read_update,
    run_search,
    search_params,
    systems,
    validate,
    versioned,
)
from hms.routes.common import tz as request_tz
from hms.search import date_filter, parse_pk, reference_filter, sort_keys, token_filter
from hms.timeutil import utcnow

router = APIRouter()
PARAMS = {"patient", "practitioner", "date", "status", "slot", "service-type", "actor"}


def _pk(ident: str) -> int:
    pk = parse_pk(ident, "appt-")
    if pk is None:
        raise NotFound(f"Appointment/{ident[:100]} not found")
    return pk


def _single_ref(refs: list[dict[str, Any]], kind: str) -> str | None:
    ids = [
        r["reference"].split("/")[-1]
        for r in refs
        if str(r.get("reference", "")).startswith(f"{kind}/")
    ]
    if len(ids) > 1:
        raise Unprocessable(f"Appointment must have at most one {kind} participant")
    return ids[0] if ids else None


def _parse_booking(body: dict[str, Any]) -> tuple[str, str, str | None]:
    slots = body.get("slot") or []
    if len(slots) != 1 or not str(slots[0].get("reference", "")).startswith("Slot/"):
        raise Unprocessable("Appointment must reference exactly one Slot")
    actors = [p.get("actor") or {} for p in body.get("participant") or []]
    patient = _single_ref(actors, "Patient")
    if patient is None:
        raise Unprocessable("Appointment needs a Patient participant")
    return slots[0]["reference"].split("/", 1)[1], patient, _single_ref(actors, "Practitioner")


@router.post("/Appointment")
async def book(request: Request) -> JSONResponse:
    body = await read_resource(request, "Appointment")
    validate(AppointmentModel, body)
    if body.get("status") not in ("booked", "proposed", "pending"):
        raise Unprocessable("a new Appointment must have status booked")
    slot_id, patient_id, practitioner_id = _parse_booking(body)
    expected, staff = if_match(request), acting_staff(request)
    factory, zone = request.app.state.session_factory, request_tz(request)

    def transaction() -> dict[str, Any]:
        with factory.begin() as session:
            slot = session.get(models.Slot, slot_id)
            if slot is None:
                raise Unprocessable(f"Slot/{slot_id} does not exist")
            if session.get(models.Patient, patient_id) is None:
                raise Unprocessable(f"Patient/{patient_id} does not exist")
            if practitioner_id not in (None, slot.practitioner_id):
                raise Unprocessable("the Practitioner participant is not the slot's practitioner")
            check_version(expected, slot.version)
            if slot.status != "free":
                raise Conflict(f"Slot/{slot_id} is no longer free")
            now = utcnow()
            claimed = session.execute(
                update(models.Slot)
                .where(
                    models.Slot.id == slot_id,
                    models.Slot.status == "free",
                    models.Slot.version == slot.version,
                )
                .values(status="busy", version=slot.version + 1, updated_by=staff, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            if claimed.rowcount != 1:
                if expected is not None:
                    raise PreconditionFailed(f"Slot/{slot_id} changed; read it again")
                raise Conflict(f"Slot/{slot_id} is no longer free")
            row = models.Appointment(
                status="booked",
                slot_id=slot_id,
                patient_id=patient_id,
                practitioner_id=slot.practitioner_id,
                service_code=slot.service_code,
                start=slot.start,
                end=slot.end,
                description=body.get("description"),
                comment=body.get("comment"),
                created=now,
                version=1,
                updated_at=now,
                updated_by=staff,
            )
            session.add(row)
            session.flush()
            return appointment_json(row, zone, systems(request))

    try:
        out = await run_in_threadpool(transaction)
    except IntegrityError as exc:
        raise Conflict(f"Slot/{slot_id} is no longer free") from exc
    location = f"{base_url(request)}/Appointment/{out['id']}/_history/1"
    return fhir(out, 201, {"Location": location, "ETag": etag(1)})


@router.get("/Appointment")
def search_appointments(request: Request, session: Session = Depends(get_session)) -> JSONResponse:
    params = search_params(request, PARAMS)
    appt, zone = models.Appointment, request_tz(request)
    where = reference_filter(params, "patient", appt.patient_id, "Patient")
    where += reference_filter(params, "practitioner", appt.practitioner_id, "Practitioner")
    where += reference_filter(params, "slot", appt.slot_id, "Slot")
    where += token_filter(params, "status", appt.status, None)
    where += token_filter(params, "service-type", appt.service_code, systems(request).service_type)
    where += date_filter(params, "date", appt.start, zone)
    for ids in params.references("_id", "Appointment"):
        where.append(appt.pk.in_([pk for i in ids if (pk := parse_pk(i, "appt-")) is not None]))
    order = sort_keys(params, {"date": appt.start}) + [appt.start, appt.pk]
    rows, total = run_search(session, select(appt).where(*where), params, order)
    return page(request, params, [appointment_json(r, zone, systems(request)) for r in rows], total)


add_read(
    router,
    "Appointment",
    models.Appointment,
    lambda row, request: appointment_json(row, request_tz(request), systems(request)),
    key=_pk,
)


@router.put("/Appointment/{ident}")
async def update_appointment(ident: str, request: Request) -> JSONResponse:
    """Cancel (``status=cancelled``) and free the slot; other changes are not supported."""
    pk = _pk(ident)
    body = await read_update(request, ident, "Appointment", AppointmentModel)
    status = body.get("status")
    if status not in ("booked", "cancelled"):
        raise Unprocessable("status must be booked (unchanged) or cancelled")
    expected, staff = if_match(request), acting_staff(request)
    factory, zone = request.app.state.session_factory, request_tz(request)

    def transaction() -> dict[str, Any]:
        with factory.begin() as session:
            row = session.get(models.Appointment, pk)
            if row is None:
                raise NotFound(f"Appointment/{ident} not found")
            check_version(expected, row.version)
            if status == row.status:
                return appointment_json(row, zone, systems(request))
            if status != "cancelled":
                raise Unprocessable("a cancelled appointment cannot be re-booked; book anew")
            now = utcnow()
            values = {"status": "cancelled", "updated_by": staff, "updated_at": now}
            values["comment"] = body.get("comment", row.comment)
            bump_version(
                session, models.Appointment, models.Appointment.pk == pk, row, values, "appointment"
            )
            session.execute(
                update(models.Slot)
                .where(models.Slot.id == row.slot_id, models.Slot.status == "busy")
                .values(
                    status="free", version=models.Slot.version + 1, updated_by=staff, updated_at=now
                )
                .execution_options(synchronize_session=False)
            )
            session.refresh(row)
            return appointment_json(row, zone, systems(request))

    out = await run_in_threadpool(transaction)
    return versioned(out)
