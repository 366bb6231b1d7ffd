from datetime import datetime, timedelta

from tests.hms.hms_testkit import entries, ids, outcome, valid


def test_healthcare_service_search(client):
    assert client.get("/HealthcareService").json()["total"] == 10
    cardio = entries(
        client.get(
            "/HealthcareService", params={"service-type": "urn:hms:service-type|cardiology"}
        ).json()
    )
    assert [s["id"] for s in cardio] == ["svc-cardiology"]
    assert cardio[0]["name"] == "Cardiology Clinic"
    assert ids(client.get("/HealthcareService", params={"name": "ortho"}).json()) == [
        "svc-orthopaedics"
    ]


def test_schedule_search_by_actor_and_service(client):
    patel = entries(client.get("/Schedule", params={"actor": "Practitioner/prac-dr-patel"}).json())
    assert [s["id"] for s in patel] == ["sch-cardiology-dr-patel"]
    cardio = ids(
        client.get("/Schedule", params={"actor": "HealthcareService/svc-cardiology"}).json()
    )
    assert len(cardio) == 2 and "sch-cardiology-dr-patel" in cardio
    assert ids(client.get("/Schedule", params={"service-type": "neurology"}).json()) == ids(
        client.get("/Schedule", params={"actor": "svc-neurology"}).json()
    )


def _slots(client, **params):
    return entries(client.get("/Slot", params=params).json())


def test_slot_search_by_schedule_status_and_sort(client):
    slots = _slots(
        client,
        schedule="Schedule/sch-cardiology-dr-patel",
        status="free",
        _sort="start",
        _count="20",
    )
    assert len(slots) == 20
    assert all(s["status"] == "free" for s in slots)
    starts = [datetime.fromisoformat(s["start"]) for s in slots]
    assert starts == sorted(starts) and all(s.tzinfo is not None for s in starts)
    desc = _slots(client, schedule="sch-cardiology-dr-patel", _sort="-start", _count="3")
    assert datetime.fromisoformat(desc[0]["start"]) > starts[-1]


def test_slot_start_prefixes(client):
    first = _slots(client, practitioner="prac-dr-patel", _sort="start", _count="1")[0]
    start = datetime.fromisoformat(first["start"])
    day = start.date().isoformat()
    same_day = _slots(client, practitioner="prac-dr-patel", start=day, _count="100")
    assert same_day and all(s["start"].startswith(day) for s in same_day)
    later = _slots(
        client,
        practitioner="prac-dr-patel",
        start=f"gt{start.isoformat()}",
        _sort="start",
        _count="1",
    )
    assert datetime.fromisoformat(later[0]["start"]) > start
    assert _slots(client, practitioner="prac-dr-patel", start=f"lt{start.isoformat()}") == []
    window = _slots(
        client,
        practitioner="prac-dr-patel",
        _count="500",
        start=[f"ge{start.isoformat()}", f"le{(start + timedelta(hours=2)).isoformat()}"],
    )
    assert window and all(
        start <= datetime.fromisoformat(s["start"]) <= start + timedelta(hours=2) for s in window
    )


def test_slot_search_by_practitioner_chain_and_service(client):
    by_param = ids(
        client.get(
            "/Slot", params={"practitioner": "Practitioner/prac-dr-patel", "_count": "50"}
        ).json()
    )
    by_chain = ids(
        client.get(
            "/Slot", params={"schedule.actor": "Practitioner/prac-dr-patel", "_count": "50"}
        ).json()
    )
    assert by_param and by_param == by_chain
    derm = _slots(client, **{"service-type": "urn:hms:service-type|dermatology", "_count": "10"})
    assert derm and all(s["serviceType"][0]["coding"][0]["code"] == "dermatology" for s in derm)
    via_service = client.get(
        "/Slot", params={"schedule.actor": "HealthcareService/svc-dermatology"}
    ).json()
    assert (
        via_service["total"]
        == client.get("/Slot", params={"service-type": "dermatology"}).json()["total"]
    )


def test_slot_read_etag(client):
    slot = _slots(client, _count="1")[0]
    response = client.get(f"/Slot/{slot['id']}")
    assert valid(response.json())["schedule"]["reference"].startswith("Schedule/")
    assert response.headers["etag"] == f'W/"{slot["meta"]["versionId"]}"'
    outcome(client.get("/Slot/slot-999999"), 404)


def test_slot_bad_date_and_sort_are_400(client):
    outcome(client.get("/Slot", params={"start": "ge2026-13-45"}), 400)
    outcome(client.get("/Slot", params={"_sort": "colour"}), 400)
