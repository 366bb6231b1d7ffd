from tests.hms.hms_testkit import entries, ids, outcome, valid


def _free_slot(client, schedule, index=0):
    slots = entries(
        client.get(
            "/Slot",
            params={"schedule": schedule, "status": "free", "_sort": "-start", "_count": "30"},
        ).json()
    )
    return slots[index]


def _patient(client):
    return entries(client.get("/Patient", params={"_count": "1"}).json())[0]["id"]


def _booking(slot_id, patient, practitioner=None):
    participants = [{"actor": {"reference": f"Patient/{patient}"}, "status": "accepted"}]
    if practitioner:
        participants.append(
            {"actor": {"reference": f"Practitioner/{practitioner}"}, "status": "accepted"}
        )
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot_id}"}],
        "participant": participants,
    }


def test_appointment_book_marks_slot_busy(client, hms_engine):
    slot = _free_slot(client, "sch-cardiology-dr-patel")
    version = slot["meta"]["versionId"]
    response = client.post(
        "/Appointment",
        json=_booking(slot["id"], _patient(client), "prac-dr-patel"),
        headers={"If-Match": f'W/"{version}"'},
    )
    assert response.status_code == 201, response.text
    appt = valid(response.json())
    assert response.headers["location"].endswith(f"/Appointment/{appt['id']}/_history/1")
    assert appt["status"] == "booked" and appt["start"] == slot["start"]
    assert {p["actor"]["reference"] for p in appt["participant"]} >= {"Practitioner/prac-dr-patel"}
    after = client.get(f"/Slot/{slot['id']}").json()
    assert after["status"] == "busy" and after["meta"]["versionId"] == str(int(version) + 1)
    with hms_engine.connect() as conn:
        who = conn.exec_driver_sql("SELECT updated_by FROM slot WHERE id=?", (slot["id"],)).one()
    assert who[0] == "s.ali"
    assert valid(client.get(f"/Appointment/{appt['id']}").json())["id"] == appt["id"]


def test_appointment_second_booking_of_slot_is_409(client):
    slot = _free_slot(client, "sch-dermatology-dr-goldberg")
    patient = _patient(client)
    assert client.post("/Appointment", json=_booking(slot["id"], patient)).status_code == 201
    outcome(client.post("/Appointment", json=_booking(slot["id"], patient)), 409)


def test_appointment_stale_if_match_is_412(client):
    slot = _free_slot(client, "sch-ent-dr-watanabe")
    stale = int(slot["meta"]["versionId"]) + 7
    response = client.post(
        "/Appointment",
        json=_booking(slot["id"], _patient(client)),
        headers={"If-Match": f'W/"{stale}"'},
    )
    outcome(response, 412)
    assert client.get(f"/Slot/{slot['id']}").json()["status"] == "free"


def test_appointment_invalid_bookings_are_422(client):
    slot = _free_slot(client, "sch-oncology-dr-mensah")
    patient = _patient(client)
    no_slot = _booking(slot["id"], patient)
    no_slot["slot"] = []
    two_slots = _booking(slot["id"], patient)
    two_slots["slot"].append({"reference": "Slot/slot-000001"})
    no_patient = _booking(slot["id"], patient)
    no_patient["participant"] = [
        {"actor": {"reference": "Practitioner/prac-dr-mensah"}, "status": "accepted"}
    ]
    bad_field = _booking(slot["id"], patient) | {"colour": "red"}
    bad_status = _booking(slot["id"], patient) | {"status": "cancelled"}
    missing = _booking("slot-999999", patient)
    unknown_patient = _booking(slot["id"], "pat-999999")
    wrong_doctor = _booking(slot["id"], patient, "prac-dr-patel")
    for body in (
        no_slot,
        two_slots,
        no_patient,
        bad_field,
        bad_status,
        missing,
        unknown_patient,
        wrong_doctor,
    ):
        outcome(client.post("/Appointment", json=body), 422)
    assert client.get(f"/Slot/{slot['id']}").json()["status"] == "free"


def test_appointment_cancel_frees_slot(client):
    slot = _free_slot(client, "sch-neurology-dr-nowak")
    appt = client.post("/Appointment", json=_booking(slot["id"], _patient(client))).json()
    appt["status"] = "cancelled"
    response = client.put(f"/Appointment/{appt['id']}", json=appt, headers={"If-Match": 'W/"1"'})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "cancelled"
    assert client.get(f"/Slot/{slot['id']}").json()["status"] == "free"
    outcome(client.put(f"/Appointment/{appt['id']}", json=appt, headers={"If-Match": 'W/"1"'}), 412)
    rebook = client.post("/Appointment", json=_booking(slot["id"], _patient(client)))
    assert rebook.status_code == 201


def test_appointment_search_params(client):
    slot = _free_slot(client, "sch-diabetes-dr-rahman", 1)
    patient = _patient(client)
    appt = client.post("/Appointment", json=_booking(slot["id"], patient)).json()
    day = slot["start"][:10]
    assert appt["id"] in ids(
        client.get("/Appointment", params={"patient": f"Patient/{patient}", "_count": "500"}).json()
    )
    assert ids(client.get("/Appointment", params={"slot": slot["id"]}).json()) == [appt["id"]]
    on_day = entries(
        client.get(
            "/Appointment",
            params={
                "practitioner": "prac-dr-rahman",
                "date": day,
                "status": "booked",
                "_count": "100",
            },
        ).json()
    )
    assert appt["id"] in [a["id"] for a in on_day]
    assert all(a["start"].startswith(day) for a in on_day)
    before = client.get(
        "/Appointment",
        params={"practitioner": "prac-dr-rahman", "date": f"lt{day}", "_count": "500"},
    ).json()
    assert appt["id"] not in ids(before)
    assert appt["id"] in ids(
        client.get(
            "/Appointment",
            params={"practitioner": "prac-dr-rahman", "date": f"ge{day}", "_count": "1000"},
        ).json()
    )
    outcome(client.get("/Appointment/appt-99999999"), 404)
