from tests.hms.hms_testkit import entries, ids, outcome, valid


def _any_patient(client):
    return entries(client.get("/Patient", params={"_count": "1"}).json())[0]


def test_patient_identifier_with_system_or_bare(client):
    patient = _any_patient(client)
    mrn = patient["identifier"][0]["value"]
    assert len(mrn) == 8 and mrn.isdigit()
    assert ids(client.get("/Patient", params={"identifier": f"urn:hms:mrn|{mrn}"}).json()) == [
        patient["id"]
    ]
    assert ids(client.get("/Patient", params={"identifier": mrn}).json()) == [patient["id"]]
    assert client.get("/Patient", params={"identifier": f"urn:x|{mrn}"}).json()["total"] == 0


def test_patient_name_and_family_search(client):
    patient = _any_patient(client)
    family, given = patient["name"][0]["family"], patient["name"][0]["given"][0]
    by_family = entries(
        client.get("/Patient", params={"family": family.lower(), "_count": "500"}).json()
    )
    assert patient["id"] in [p["id"] for p in by_family]
    assert all(family.lower() in p["name"][0]["family"].lower() for p in by_family)
    by_name = ids(
        client.get("/Patient", params={"name": f"{given} {family}", "_count": "500"}).json()
    )
    assert patient["id"] in by_name


def test_patient_read_and_unknown_id(client):
    patient = _any_patient(client)
    assert valid(client.get(f"/Patient/{patient['id']}").json())["id"] == patient["id"]
    outcome(client.get("/Patient/pat-999999"), 404)


def test_encounter_search_by_bed_patient_and_status(client):
    occupied = entries(
        client.get(
            "/Location", params={"partof": "ward-4b", "operational-status": "O", "_count": "1"}
        ).json()
    )[0]
    stays = entries(
        client.get(
            "/Encounter", params={"location": f"Location/{occupied['id']}", "status": "in-progress"}
        ).json()
    )
    assert len(stays) == 1
    stay = stays[0]
    assert stay["class"]["code"] == "IMP"
    assert stay["location"][0] == {
        "location": {"reference": f"Location/{occupied['id']}"},
        "status": "active",
    }
    patient_ref = stay["subject"]["reference"]
    assert ids(client.get("/Encounter", params={"patient": patient_ref}).json()) == [stay["id"]]
    assert client.get("/Encounter", params={"status": "finished"}).json()["total"] == 0


def test_practitioner_identifier_name_email(client):
    jones = entries(
        client.get("/Practitioner", params={"identifier": "urn:hms:staff|n.jones"}).json()
    )
    assert [p["id"] for p in jones] == ["prac-n-jones"]
    assert jones[0]["telecom"][0]["value"] == "n.jones@demo-hospital.example"
    assert ids(client.get("/Practitioner", params={"identifier": "dr.patel"}).json()) == [
        "prac-dr-patel"
    ]
    assert "prac-dr-patel" in ids(client.get("/Practitioner", params={"name": "raj patel"}).json())
    assert ids(
        client.get("/Practitioner", params={"email": "S.Ali@demo-hospital.example"}).json()
    ) == ["prac-s-ali"]


def test_named_staff_have_their_roles(client):
    expected = {
        "n.jones": "nurse",
        "dr.patel": "clinician",
        "s.ali": "scheduler",
        "p.kim": "porter",
        "h.lee": "helpdesk",
        "b.okoro": "bed_manager",
        "c.sam": "housekeeping",
    }
    for username, role in expected.items():
        roles = entries(
            client.get(
                "/PractitionerRole", params={"practitioner.identifier": f"urn:hms:staff|{username}"}
            ).json()
        )
        assert [r["code"][0]["coding"][0]["code"] for r in roles] == [role], username


def test_practitioner_role_search_and_include(client):
    bundle = client.get(
        "/PractitionerRole",
        params={
            "role": "urn:hms:role|nurse",
            "location": "Location/ward-4b",
            "_include": "PractitionerRole:practitioner",
        },
    ).json()
    roles = entries(bundle)
    assert len(roles) == 2
    included = [e["resource"] for e in bundle["entry"] if e["search"]["mode"] == "include"]
    assert {p["id"] for p in included} == {r["practitioner"]["reference"][13:] for r in roles}
    assert "prac-n-jones" in {p["id"] for p in included}
    patel = entries(
        client.get(
            "/PractitionerRole", params={"practitioner": "Practitioner/prac-dr-patel"}
        ).json()
    )
    assert patel[0]["healthcareService"] == [{"reference": "HealthcareService/svc-cardiology"}]
