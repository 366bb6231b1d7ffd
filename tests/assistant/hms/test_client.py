"""FhirHmsClient against an in-memory FHIR fake: Bundles parsed into the domain dataclasses."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from fhir.resources.R4B.appointment import Appointment as FhirAppointment
from fhir.resources.R4B.location import Location as FhirLocation
from fhir.resources.R4B.task import Task as FhirTask

from assistant.hms import Conflict, FhirHmsClient, HmsClient, Invalid, NotFound

T0 = datetime.fromisoformat("2030-01-07T09:00:00+00:00")


def test_client_implements_the_protocol():
    assert isinstance(FhirHmsClient("http://x", "t"), HmsClient)


async def test_client_list_wards_follows_paging_and_parses(hms, fake):
    wards = await hms.list_wards()
    assert [w.code for w in wards] == ["4B", "5A"]
    assert wards[0].aliases == ("Medical 4B", "four b") and wards[0].id == "ward-4b"
    assert sum(1 for r in fake.requests if "_offset" in str(r.url)) >= 2  # followed next links


@pytest.mark.parametrize("text", ["4b", "Ward 4B", "medical 4b", "FOUR  B", "ward-4b"])
async def test_client_get_ward_matches_code_name_alias(hms, text):
    assert (await hms.get_ward(text)).code == "4B"


async def test_client_get_ward_unknown_raises_not_found(hms):
    with pytest.raises(NotFound):
        await hms.get_ward("9Z")


async def test_client_free_beds_in_ward_uses_standard_params(hms, fake):
    beds = await hms.free_beds("4B")
    assert [b.id for b in beds] == ["bed-4b-02", "bed-4b-06"]
    six = beds[1]
    assert (six.label, six.ward_code, six.room, six.status) == (
        "4B Bed 6",
        "4B",
        "Side room 2",
        "U",
    )
    assert six.features == {"isolation", "side-room"} and six.version == "1"
    bed_search = [r for r in fake.requests if "partof" in r.url.params][0]
    assert bed_search.url.params["partof"] == "Location/ward-4b"
    assert bed_search.url.params["operational-status"] == "U"
    assert "physical-type" not in str(fake.requests)


async def test_client_find_beds_filters_feature_and_resolves_rooms(hms):
    assert [b.id for b in await hms.free_beds(feature="isolation")] == ["bed-4b-06"]
    in_5a = await hms.find_beds("5A")
    assert {(b.id, b.ward_code, b.status) for b in in_5a} == {
        ("bed-5a-01", "5A", "H"),
        ("bed-5a-02", "5A", "U"),
    }


async def test_client_bed_summary_counts_per_ward(hms):
    summary = {s.ward_code: s for s in await hms.bed_summary()}
    assert (summary["4B"].free, summary["4B"].total) == (2, 3)
    assert dict(summary["4B"].by_status) == {"O": 1, "U": 2}
    assert (summary["5A"].ward_name, summary["5A"].free, summary["5A"].total) == ("Ward 5A", 1, 2)


async def test_client_get_bed_by_ward_and_number(hms, fake):
    bed = await hms.get_bed("four b", 6)
    assert bed.id == "bed-4b-06"
    assert fake.requests[-1].url.params["identifier"] == "urn:hms:bed|4B-06"
    with pytest.raises(NotFound):
        await hms.get_bed("4B", 7)


async def test_client_set_bed_status_puts_with_if_match_and_actor(hms, fake):
    bed = await hms.with_actor("n.jones").set_bed_status("bed-4b-06", "h")
    assert (bed.status, bed.version) == ("H", "2")
    put = fake.requests[-1] if fake.requests[-1].method == "PUT" else None
    put = put or next(r for r in fake.requests if r.method == "PUT")
    assert put.headers["If-Match"] == 'W/"1"' and put.headers["X-Acting-Staff"] == "n.jones"
    FhirLocation.model_validate(fake.bodies[-1])  # the PUT body is valid FHIR


async def test_client_set_bed_status_rejects_unknown_code_without_writing(hms, fake):
    with pytest.raises(Invalid):
        await hms.set_bed_status("bed-4b-06", "X")
    assert not any(r.method == "PUT" for r in fake.requests)


async def test_client_patient_lookup_and_helpers(hms):
    [pat] = await hms.find_patients(mrn="10004821")
    assert (pat.id, pat.given, pat.family, pat.birth_date) == (
        "pat-1",
        "Ada May",
        "Okafor",
        date(1950, 3, 2),
    )
    assert (pat.initials, pat.mrn_last4, pat.display_name) == ("AO", "4821", "Ada May Okafor")
    assert (await hms.get_patient("pat-1")) == pat
    assert await hms.find_patients(name="nobody") == []
    with pytest.raises(Invalid):
        await hms.find_patients()


async def test_client_current_stay_uses_active_location(hms):
    stay = await hms.current_stay("pat-1")
    assert stay is not None and stay.encounter_id == "enc-1"
    assert stay.bed is not None and stay.bed.id == "bed-4b-01" and stay.ward_code == "4B"
    assert await hms.current_stay("pat-404") is None


async def test_client_find_staff_roles_and_wards_from_active_roles(hms):
    [nj] = await hms.find_staff("n.jones")
    assert nj.roles == {"nurse"} and nj.ward_codes == {"4B"}
    assert (nj.name, nj.email, nj.active) == ("Nia Jones", "n.jones@demo-hospital.example", True)
    [by_mail] = await hms.find_staff(email="n.jones@demo-hospital.example")
    assert by_mail == nj
    assert await hms.find_staff("nobody") == []


async def test_client_services_by_code_or_name(hms):
    assert [s.code for s in await hms.list_services()] == ["cardiology"]
    assert (await hms.get_service("Cardiology")).id == "svc-cardiology"
    assert (await hms.get_service("cardiology clinic")).id == "svc-cardiology"
    with pytest.raises(NotFound):
        await hms.get_service("dermatology")


async def test_client_free_slots_sorted_and_limited(hms):
    slots = await hms.free_slots("cardiology", start_from=T0, count=3)
    assert [s.start for s in slots] == [T0, T0 + timedelta(minutes=30), T0 + timedelta(minutes=60)]
    assert all(s.status == "free" and s.practitioner_id == "prac-dr" for s in slots)
    by_prac = await hms.free_slots(practitioner_id="prac-dr", start_from=T0, count=10)
    assert len(by_prac) == 4
    assert await hms.free_slots(practitioner_id="prac-nj", start_from=T0) == []
    with pytest.raises(Invalid):
        await hms.free_slots(start_from=datetime(2030, 1, 1))  # naive


async def test_client_free_slots_stops_paging_when_server_sorts(hms, fake):
    fake.honour_sort = True
    slots = await hms.free_slots("cardiology", start_from=T0, count=2)
    assert [s.start for s in slots] == [T0, T0 + timedelta(minutes=30)]
    assert not any("_offset" in str(r.url) for r in fake.requests if "Slot" in r.url.path)


async def test_client_book_posts_valid_appointment_with_if_match(hms, fake):
    slot = (await hms.free_slots("cardiology", start_from=T0, count=1))[0]
    appt = await hms.with_actor("d.rao").book("pat-1", slot.id, slot_version=slot.version)
    assert (appt.status, appt.patient_id, appt.practitioner_id, appt.slot_id) == (
        "booked",
        "pat-1",
        "prac-dr",
        slot.id,
    )
    assert appt.start == slot.start and appt.service_code == "cardiology"
    post = next(r for r in fake.requests if r.method == "POST")
    assert post.headers["If-Match"] == 'W/"1"' and post.headers["X-Acting-Staff"] == "d.rao"
    FhirAppointment.model_validate(fake.bodies[-1])


async def test_client_book_busy_slot_raises_conflict_without_posting(hms, fake):
    with pytest.raises(Conflict) as err:
        await hms.book("pat-1", "slot-0")
    assert err.value.status == 409
    assert not any(r.method == "POST" for r in fake.requests)


async def test_client_list_and_cancel_appointments(hms):
    appt = await hms.book("pat-1", "slot-4")
    listed = await hms.list_appointments(patient_id="pat-1", date=T0.date())
    assert [a.id for a in listed] == [appt.id]
    cancelled = await hms.cancel_appointment(appt.id)
    assert cancelled.status == "cancelled"
    assert await hms.list_appointments(patient_id="pat-1") == []


async def test_client_tasks_create_get_list_update(hms, fake):
    task = await hms.create_task("porter", "bed-4b-06", "urgent", "transfer to x-ray", "n.jones")
    FhirTask.model_validate(fake.bodies[-1])
    assert task.ticket_id and task.ticket_id.startswith("HR-")
    assert (task.help_type, task.priority, task.location_id, task.requester, task.status) == (
        "porter",
        "urgent",
        "bed-4b-06",
        "n.jones",
        "requested",
    )
    assert (await hms.get_task(task.ticket_id)) == task
    assert [t.id for t in await hms.list_tasks(requester_username="n.jones")] == [task.id]
    done = await hms.update_task(
        task.ticket_id,
        status="in-progress",
        owner_username="d.rao",
        business_status="porter on the way",
    )
    assert (done.status, done.owner, done.business_status) == (
        "in-progress",
        "d.rao",
        "porter on the way",
    )
    assert await hms.list_tasks(status="completed") == []
    sooner = await hms.update_task(task.ticket_id, priority="stat")
    FhirTask.model_validate(fake.bodies[-1])
    assert (sooner.priority, sooner.status, sooner.owner) == ("stat", "in-progress", "d.rao")
    moved = await hms.update_task(task.ticket_id, location_id="bed-4b-07")
    FhirTask.model_validate(fake.bodies[-1])
    assert (moved.location_id, moved.priority) == ("bed-4b-07", "stat")
    with pytest.raises(NotFound):
        await hms.get_task("HR-999999")


async def test_client_create_task_rejects_unknown_help_type(hms):
    with pytest.raises(Invalid):
        await hms.create_task("pizza", None, "routine", "lunch", "n.jones")
