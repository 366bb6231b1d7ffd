from hms.fhir import SYS_BED_STATUS
from tests.hms.hms_testkit import entries, ids, outcome, valid


def test_location_free_beds_on_ward(client):
    bundle = client.get(
        "/Location", params={"partof": "Location/ward-4b", "operational-status": "U"}
    ).json()
    beds = entries(bundle)
    assert {"bed-4b-03", "bed-4b-11", "bed-4b-17"} <= set(ids(bundle))
    assert bundle["total"] == len(beds)
    for bed in beds:
        assert bed["partOf"]["reference"] == "Location/ward-4b"
        assert bed["operationalStatus"] == {
            "system": SYS_BED_STATUS,
            "code": "U",
            "display": "Unoccupied",
        }
    assert bundle["entry"][0]["fullUrl"].startswith("http://hms.test/fhir/R4/Location/bed-4b-")


def test_location_status_token_with_system(client):
    with_system = client.get(
        "/Location", params={"partof": "ward-4b", "operational-status": f"{SYS_BED_STATUS}|U"}
    ).json()
    assert with_system["total"] >= 3
    wrong_system = client.get("/Location", params={"operational-status": "urn:other|U"}).json()
    assert wrong_system["total"] == 0


def test_location_name_matches_aliases_case_insensitively(client):
    assert ids(client.get("/Location", params={"name": "a&e"}).json()) == ["ward-ed"]
    assert ids(client.get("/Location", params={"name": "Four B"}).json()) == ["ward-4b"]
    assert "ward-icu" in ids(client.get("/Location", params={"name": "intensive care"}).json())


def test_location_identifier_with_and_without_system(client):
    assert ids(client.get("/Location", params={"identifier": "urn:hms:ward|4B"}).json()) == [
        "ward-4b"
    ]
    assert ids(client.get("/Location", params={"identifier": "4B-06"}).json()) == ["bed-4b-06"]
    assert client.get("/Location", params={"identifier": "urn:hms:ward|4B-06"}).json()["total"] == 0


def test_location_physical_type_and_feature(client):
    wards = client.get("/Location", params={"physical-type": "wa"}).json()
    assert wards["total"] == 8
    icu_monitored = client.get(
        "/Location", params={"partof": "Location/ward-icu", "type": "monitored"}
    ).json()
    assert icu_monitored["total"] == 20
    bariatric = entries(
        client.get(
            "/Location", params={"type": "urn:hms:bed-feature|bariatric", "_count": "100"}
        ).json()
    )
    assert bariatric and all(
        any(c["code"] == "bariatric" for t in b["type"] for c in t["coding"]) for b in bariatric
    )


def test_location_count_limits_entries_but_not_total(client):
    bundle = client.get("/Location", params={"physical-type": "bd", "_count": "5"}).json()
    assert len(bundle["entry"]) == 5 and bundle["total"] == 192
    assert bundle["link"][0]["relation"] == "next"


def test_location_read_has_etag_and_version(client):
    response = client.get("/Location/bed-4b-06")
    bed = valid(response.json())
    assert response.headers["etag"] == f'W/"{bed["meta"]["versionId"]}"'
    assert bed["identifier"] == [{"system": "urn:hms:bed", "value": "4B-06"}]
    assert bed["name"] == "4B Bed 6" and bed["mode"] == "instance"


def test_location_put_changes_bed_status_and_records_staff(client, hms_engine):
    bed = client.get("/Location/bed-7-02").json()
    version = bed["meta"]["versionId"]
    bed["operationalStatus"] = {"system": SYS_BED_STATUS, "code": "H"}
    response = client.put(
        "/Location/bed-7-02",
        json=bed,
        headers={"If-Match": f'W/"{version}"', "X-Acting-Staff": "c.sam"},
    )
    assert response.status_code == 200, response.text
    assert response.json()["operationalStatus"]["code"] == "H"
    assert response.json()["meta"]["versionId"] == str(int(version) + 1)
    with hms_engine.connect() as conn:
        row = conn.exec_driver_sql("SELECT updated_by FROM location WHERE id='bed-7-02'").one()
    assert row[0] == "c.sam"
    stale = client.put("/Location/bed-7-02", json=bed, headers={"If-Match": f'W/"{version}"'})
    outcome(stale, 412)


def test_location_put_rejects_invalid_codes_and_wards(client):
    bed = client.get("/Location/bed-7-03").json()
    bed["operationalStatus"] = {"system": SYS_BED_STATUS, "code": "X"}
    outcome(client.put("/Location/bed-7-03", json=bed), 422)
    ward = client.get("/Location/ward-7").json()
    ward["operationalStatus"] = {"system": SYS_BED_STATUS, "code": "C"}
    outcome(client.put("/Location/ward-7", json=ward), 422)
    outcome(
        client.put(
            "/Location/bed-nope",
            json={"resourceType": "Location", "operationalStatus": {"code": "U"}},
        ),
        404,
    )
