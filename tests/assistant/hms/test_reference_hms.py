"""Integration: FhirHmsClient against the real reference HMS (uvicorn subprocess, seeded).

Skipped with a reason while ``hms/`` cannot be imported (see ``real_hms`` in conftest).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assistant.hms import Conflict, FhirHmsClient, Forbidden, NotFound

pytestmark = pytest.mark.servers  # a uvicorn subprocess (real_hms)

PT = "http://terminology.hl7.org/CodeSystem/location-physical-type"


def _is_bed(res: dict) -> bool:
    return any(
        c.get("system") == PT and c.get("code") == "bd"
        for c in (res.get("physicalType") or {}).get("coding", [])
    )


async def _raw_search(raw, kind: str, params: dict) -> list[dict]:
    reply = await raw.get(kind, params={**params, "_count": 1000})
    assert reply.status_code == 200, reply.text
    return [e["resource"] for e in reply.json().get("entry", [])]


async def test_reference_hms_ping(live):
    assert (await live.ping()).startswith("4.0")


async def test_reference_hms_wrong_token_is_forbidden(real_hms):
    base, _ = real_hms
    async with FhirHmsClient(base, "wrong-token") as hms:
        with pytest.raises(Forbidden):
            await hms.list_wards()


async def test_reference_hms_wards_and_aliases(live):
    codes = {w.code for w in await live.list_wards()}
    assert {"4B", "ICU", "ED", "7"} <= codes
    ward = await live.get_ward("medical 4b")
    assert (ward.id, ward.code, ward.name) == ("ward-4b", "4B", "Ward 4B")
    assert (await live.get_ward("A&E")).code == "ED"


async def test_reference_hms_free_beds_in_4b_match_raw_search(live, raw):
    beds = await live.free_beds("4B")
    found = await _raw_search(
        raw, "Location", {"partof": "Location/ward-4b", "operational-status": "U"}
    )
    assert {b.id for b in beds} == {r["id"] for r in found if _is_bed(r)}
    assert all(b.ward_code == "4B" and b.status == "U" for b in beds)


async def test_reference_hms_bed_summary_agrees_with_bed_lists(live):
    summary = {s.ward_code: s for s in await live.bed_summary()}
    assert summary["4B"].total == 30 and summary["ICU"].total == 20
    assert summary["4B"].free == len(await live.free_beds("4B"))
    assert sum(summary["4B"].by_status.values()) == 30


async def test_reference_hms_get_bed_and_features(live):
    bed = await live.get_bed("4B", 6)
    assert (bed.id, bed.ward_code) == ("bed-4b-06", "4B")
    monitored = await live.find_beds("ICU", feature="monitored")
    assert len(monitored) == 20
    with pytest.raises(NotFound):
        await live.get_bed("4B", 99)


async def test_reference_hms_set_bed_status_round_trip(live):
    bed = await live.get_bed("7", 3)
    actor = live.with_actor("b.okoro")
    changed = await actor.set_bed_status(bed.id, "C" if bed.status != "C" else "H")
    assert changed.status != bed.status and changed.version != bed.version
    assert (await live.get_bed("7", 3)).status == changed.status
    restored = await actor.set_bed_status(bed.id, bed.status or "U")
    assert restored.status == bed.status


async def test_reference_hms_patient_lookup(live, raw):
    first = (await _raw_search(raw, "Patient", {}))[0]
    mrn = next(i["value"] for i in first["identifier"] if i["system"] == "urn:hms:mrn")
    [patient] = await live.find_patients(mrn=mrn)
    assert patient.id == first["id"] and patient.mrn == mrn and len(patient.mrn_last4) == 4
    assert await live.get_patient(patient.id) == patient
    assert patient.id in {p.id for p in await live.find_patients(name=patient.family)}


async def test_reference_hms_current_stay_matches_encounter(live, raw):
    enc = (await _raw_search(raw, "Encounter", {"status": "in-progress"}))[0]
    patient_id = enc["subject"]["reference"].split("/")[-1]
    active = [p for p in enc["location"] if p.get("status") == "active"]
    stay = await live.current_stay(patient_id)
    assert stay is not None and stay.encounter_id == enc["id"]
    assert stay.bed is not None
    assert stay.bed.id == active[-1]["location"]["reference"].split("/")[-1]
    assert stay.bed.status == "O" and stay.ward_code


async def test_reference_hms_find_staff_roles_and_wards(live):
    [nurse] = await live.find_staff("n.jones")
    assert "nurse" in nurse.roles and nurse.ward_codes == {"4B"}
    assert nurse.email == "n.jones@demo-hospital.example" and nurse.active
    assert await live.find_staff(email="n.jones@demo-hospital.example") == [nurse]
    [doctor] = await live.find_staff("dr.patel")
    assert "clinician" in doctor.roles
    assert await live.find_staff("no.such.person") == []


async def test_reference_hms_services(live):
    services = await live.list_services()
    assert len(services) == 10
    assert (await live.get_service("cardiology")).name == "Cardiology Clinic"
    assert (await live.get_service("ENT clinic")).code == "ent"


async def test_reference_hms_book_slot_then_second_booking_conflicts(live, raw):
    patients = await _raw_search(raw, "Patient", {})
    patient, other = patients[1]["id"], patients[3]["id"]
    now = datetime.now(UTC)
    slots = await live.free_slots("cardiology", start_from=now, count=3)
    assert len(slots) == 3 and slots == sorted(slots, key=lambda s: s.start)
    assert all(
        s.status == "free" and s.service_code == "cardiology" and s.start >= now for s in slots
    )
    slot = slots[0]
    appt = await live.with_actor("s.ali").book(patient, slot.id, slot_version=slot.version)
    assert (appt.status, appt.patient_id, appt.slot_id) == ("booked", patient, slot.id)
    assert (await live.get_slot(slot.id)).status == "busy"
    with pytest.raises(Conflict):
        await live.book(other, slot.id)
    # the same booking again (a turn re-run after its Rasa worker died) is that booking
    again = await live.with_actor("s.ali").book(patient, slot.id, slot_version=slot.version)
    assert again.id == appt.id
    assert len([a for a in await live.list_appointments(patient_id=patient) if a.id == appt.id])
    listed = await live.list_appointments(patient_id=patient)
    assert appt.id in {a.id for a in listed}
    cancelled = await live.with_actor("s.ali").cancel_appointment(appt.id)
    assert cancelled.status == "cancelled"
    assert (await live.get_slot(slot.id)).status == "free"


async def test_reference_hms_booking_with_stale_slot_version_conflicts(live, raw):
    patient = (await _raw_search(raw, "Patient", {}))[2]["id"]
    later = datetime.now(UTC) + timedelta(days=3)
    [slot] = await live.free_slots("dermatology", start_from=later, count=1)
    with pytest.raises(Conflict) as err:
        await live.book(patient, slot.id, slot_version=str(int(slot.version or 1) + 5))
    assert err.value.version_mismatch
    assert (await live.get_slot(slot.id)).status == "free"


async def test_reference_hms_free_slots_for_practitioner(live):
    [doctor] = await live.find_staff("dr.patel")
    slots = await live.free_slots(practitioner_id=doctor.id, start_from=datetime.now(UTC), count=5)
    assert slots and all(s.practitioner_id == doctor.id for s in slots)


async def test_reference_hms_help_task_lifecycle(live):
    nurse = live.with_actor("n.jones")
    task = await nurse.create_task("porter", "bed-4b-06", "urgent", "transfer to x-ray", "n.jones")
    assert task.ticket_id and task.ticket_id.startswith("HR-")
    assert (task.help_type, task.priority, task.requester) == ("porter", "urgent", "n.jones")
    assert task.location_id == "bed-4b-06"
    assert await live.get_task(task.ticket_id) == task
    assert task.id in {t.id for t in await live.list_tasks(requester_username="n.jones")}
    taken = await live.with_actor("p.kim").update_task(
        task.ticket_id,
        status="in-progress",
        owner_username="p.kim",
        business_status="porter on the way",
    )
    assert (taken.status, taken.owner, taken.business_status) == (
        "in-progress",
        "p.kim",
        "porter on the way",
    )
    assert task.id in {t.id for t in await live.list_tasks(status="in-progress")}
    routine = await nurse.update_task(task.ticket_id, priority="routine")
    assert (routine.priority, routine.status, routine.owner) == ("routine", "in-progress", "p.kim")
    given_back = await live.with_actor("p.kim").update_task(
        task.ticket_id, status="requested", clear_owner=True
    )
    assert (given_back.status, given_back.owner, given_back.priority) == (
        "requested",
        None,
        "routine",
    )


async def test_reference_hms_open_tasks_of_one_help_type_and_their_place_names(live):
    nurse = live.with_actor("n.jones")
    porter = await nurse.create_task("porter", "bed-4b-04", "routine", "chair to x-ray", "n.jones")
    cleaner = await nurse.create_task("housekeeping", "bed-4b-05", "routine", "spill", "n.jones")
    found = await live.list_tasks(status="requested,accepted,in-progress", help_type="porter")
    ids = {t.id for t in found}
    assert porter.id in ids and cleaner.id not in ids
    assert all(t.help_type == "porter" for t in found)
    await nurse.update_task(porter.ticket_id or "", status="cancelled")
    still = await live.list_tasks(status="requested,accepted,in-progress", help_type="porter")
    assert porter.id not in {t.id for t in still}
    names = await live.place_names(["bed-4b-04", "nowhere"])
    assert names == {"bed-4b-04": "4B Bed 4"}


async def test_reference_hms_concurrent_bookings_of_one_slot_book_it_once(live, raw):
    import asyncio

    patients = [p["id"] for p in (await _raw_search(raw, "Patient", {}))[3:5]]
    later = datetime.now(UTC) + timedelta(days=2)
    [slot] = await live.free_slots("neurology", start_from=later, count=1)
    results = await asyncio.gather(
        *(live.book(p, slot.id) for p in patients), return_exceptions=True
    )
    booked = [r for r in results if not isinstance(r, BaseException)]
    assert len(booked) == 1 and booked[0].status == "booked"
    assert [type(r) for r in results if isinstance(r, BaseException)] == [Conflict]
    await live.cancel_appointment(booked[0].id)
