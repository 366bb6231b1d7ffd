"""Each ADT trigger event over real MLLP on loopback, checked in the HMS database."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from fhir.resources.R4B.encounter import Encounter as EncounterModel
from fhir.resources.R4B.location import Location as LocationModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from hms import models
from hms.adt.message import UNKNOWN_KEY
from hms.fhir.location import location_json
from hms.fhir.people import encounter_json
from tests.hms.adt_kit import send

TZ = ZoneInfo("Europe/London")


def bed(engine: Any, code: str) -> models.Location:
    with Session(engine) as s:
        row = s.scalar(select(models.Location).where(models.Location.code == code))
        assert row is not None
        return row


def stay(engine: Any, mrn: str) -> models.Encounter:
    with Session(engine) as s:
        patient = s.scalar(select(models.Patient).where(models.Patient.mrn == mrn))
        assert patient is not None
        found = s.scalars(
            select(models.Encounter)
            .where(models.Encounter.patient_id == patient.id)
            .order_by(models.Encounter.period_start.desc())
        ).first()
        assert found is not None
        return found


def bed_events(engine: Any, code: str) -> list[tuple[str | None, str, str]]:
    with Session(engine) as s:
        rows = s.scalars(
            select(models.BedEvent)
            .join(models.Location, models.Location.id == models.BedEvent.bed_id)
            .where(models.Location.code == code)
            .order_by(models.BedEvent.pk)
        )
        return [(r.from_status, r.to_status, r.source) for r in rows]


def set_status(engine: Any, code: str, status: str) -> None:
    with Session(engine) as s, s.begin():
        row = s.scalar(select(models.Location).where(models.Location.code == code))
        assert row is not None
        row.operational_status = status


def test_adt_admit_occupies_bed_and_opens_stay(adt, fresh_engine):
    assert bed(fresh_engine, "4B-06").operational_status == "U"
    ack = send(adt.port, adt_sample("a01_admit"))
    assert (ack.code, ack.control_id) == ("AA", "PAS0000101"), ack.text
    assert ack.message_type == "ACK^A01^ACK" and ack.version == "2.5"
    assert bed(fresh_engine, "4B-06").operational_status == "O"
    admitted = stay(fresh_engine, "20000001")
    assert (admitted.status, admitted.location_id) == ("in-progress", "bed-4b-06")
    assert admitted.visit_number == "V7700101"
    EncounterModel.model_validate(encounter_json(admitted, TZ))
    LocationModel.model_validate(location_json(bed(fresh_engine, "4B-06")))
    assert bed_events(fresh_engine, "4B-06") == [("U", "O", "adt")]


def test_adt_transfer_sends_old_bed_to_housekeeping(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    ack = send(adt.port, adt_sample("a02_transfer"))
    assert ack.code == "AA", ack.text
    assert "4B-06 to ICU-16" in ack.reason
    assert bed(fresh_engine, "4B-06").operational_status == "H"
    assert bed(fresh_engine, "ICU-16").operational_status == "O"
    assert stay(fresh_engine, "20000001").location_id == "bed-icu-16"


def test_adt_discharge_sets_bed_to_housekeeping_and_ends_stay(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    send(adt.port, adt_sample("a02_transfer"))
    ack = send(adt.port, adt_sample("a03_discharge"))
    assert ack.code == "AA", ack.text
    assert bed(fresh_engine, "ICU-16").operational_status == "H"
    ended = stay(fresh_engine, "20000001")
    assert ended.status == "finished" and ended.period_end is not None
    EncounterModel.model_validate(encounter_json(ended, TZ))


def test_adt_bed_status_update_marks_cleaned_bed_free(adt, fresh_engine):
    set_status(fresh_engine, "ICU-16", "H")
    ack = send(adt.port, adt_sample("a20_bed_cleaned"))
    assert ack.code == "AA", ack.text
    assert bed(fresh_engine, "ICU-16").operational_status == "U"
    assert bed_events(fresh_engine, "ICU-16")[-1] == ("H", "U", "adt")


def test_adt_bed_status_in_older_version_is_acknowledged_in_that_version(adt, fresh_engine):
    ack = send(adt.port, adt_sample("a20_v231_closed"))
    assert (ack.code, ack.version) == ("AA", "2.3.1"), ack.text
    assert bed(fresh_engine, "7-15").operational_status == "C"


def test_adt_cancel_admit_restores_bed_and_cancels_stay(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    ack = send(adt.port, adt_sample("a11_cancel_admit"))
    assert ack.code == "AA", ack.text
    assert bed(fresh_engine, "4B-06").operational_status == "U"
    assert stay(fresh_engine, "20000001").status == "cancelled"
    assert bed_events(fresh_engine, "4B-06") == [("U", "O", "adt"), ("O", "U", "adt")]
    again = send(adt.port, adt_sample("a11_cancel_admit", PAS0000111="PAS0000911"))
    assert (again.code, again.error) == ("AE", UNKNOWN_KEY)  # nothing left to cancel


def test_adt_cancel_transfer_moves_patient_back(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    send(adt.port, adt_sample("a02_transfer"))
    ack = send(adt.port, adt_sample("a12_cancel_transfer"))
    assert ack.code == "AA", ack.text
    assert bed(fresh_engine, "ICU-16").operational_status == "U"
    assert bed(fresh_engine, "4B-06").operational_status == "O"
    assert stay(fresh_engine, "20000001").location_id == "bed-4b-06"


def test_adt_cancel_discharge_reopens_stay_in_its_bed(adt, fresh_engine):
    for name in ("a01_admit", "a02_transfer", "a03_discharge"):
        send(adt.port, adt_sample(name))
    ack = send(adt.port, adt_sample("a13_cancel_discharge"))
    assert ack.code == "AA", ack.text
    reopened = stay(fresh_engine, "20000001")
    assert (reopened.status, reopened.period_end) == ("in-progress", None)
    assert bed(fresh_engine, "ICU-16").operational_status == "O"


def test_adt_cancel_leaves_a_bed_changed_since_alone(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    set_status(fresh_engine, "4B-06", "I")  # isolated by staff after the admit
    assert send(adt.port, adt_sample("a11_cancel_admit")).code == "AA"
    assert bed(fresh_engine, "4B-06").operational_status == "I"


def test_adt_pending_admit_reserves_bed_until_cancelled(adt, fresh_engine):
    ack = send(adt.port, adt_sample("a14_pending_admit"))
    assert ack.code == "AA", ack.text
    reserved = bed(fresh_engine, "4B-17")
    assert reserved.pending == "reserved" and reserved.pending_at is not None
    assert reserved.operational_status == "U"  # still free: the admission has not happened
    pending = [e for e in location_json(reserved)["extension"] if "bed-pending" in e["url"]]
    assert pending and LocationModel.model_validate(location_json(reserved))
    cancel = adt_sample(
        "a14_pending_admit", PAS0000114="PAS0000127", **{"ADT^A14^ADT_A05": "ADT^A27^ADT_A21"}
    ).replace("EVN|A14", "EVN|A27")
    assert send(adt.port, cancel).code == "AA"
    assert bed(fresh_engine, "4B-17").pending is None


def test_adt_pending_transfer_reserves_new_bed_and_flags_old(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    ack = send(adt.port, adt_sample("a15_pending_transfer"))
    assert ack.code == "AA", ack.text
    assert bed(fresh_engine, "4B-15").pending == "reserved"
    assert bed(fresh_engine, "4B-06").pending == "expected_free"
    send(adt.port, adt_sample("a02_transfer"))  # the transfer itself clears the flag
    assert bed(fresh_engine, "4B-06").pending is None


def test_adt_pending_discharge_flags_bed_expected_to_free(adt, fresh_engine):
    send(adt.port, adt_sample("a01_admit"))
    ack = send(adt.port, adt_sample("a16_pending_discharge"))
    assert ack.code == "AA", ack.text
    flagged = bed(fresh_engine, "4B-06")
    assert flagged.pending == "expected_free" and flagged.pending_at is not None
    cancel = adt_sample(
        "a16_pending_discharge", PAS0000116="PAS0000125", **{"ADT^A16^ADT_A16": "ADT^A25^ADT_A21"}
    ).replace("EVN|A16", "EVN|A25")
    assert send(adt.port, cancel).code == "AA"
    assert bed(fresh_engine, "4B-06").pending is None


def test_adt_unused_event_is_acknowledged_and_changes_nothing(adt, fresh_engine):
    update = adt_sample(
        "a01_admit", PAS0000101="PAS0000108", **{"ADT^A01^ADT_A01": "ADT^A08^ADT_A01"}
    ).replace("EVN|A01", "EVN|A08")
    ack = send(adt.port, update)
    assert ack.code == "AA" and "not used" in ack.reason
    assert bed(fresh_engine, "4B-06").operational_status == "U"


def adt_sample(name: str, **replace: str) -> str:
    from tests.hms.adt_kit import sample

    return sample(name, **replace)


def test_adt_message_with_other_delimiters_is_read_by_its_msh(adt, fresh_engine):
    set_status(fresh_engine, "ICU-16", "H")
    odd = adt_sample("a20_bed_cleaned").replace("|", "#").replace("^", "*")
    assert odd.startswith("MSH#*~\\&#BEDBOARD")
    ack = send(adt.port, odd)
    assert (ack.code, ack.control_id) == ("AA", "BB00000201"), ack.text
    assert bed(fresh_engine, "ICU-16").operational_status == "U"
