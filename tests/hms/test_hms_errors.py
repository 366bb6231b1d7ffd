import json

import pytest

from tests.hms.hms_testkit import TOKEN, outcome, valid


def test_healthz_needs_no_token(anon):
    assert anon.get("/healthz").json() == {"status": "ok"}


def test_fhir_requests_need_the_bearer_token(anon):
    assert "token" in outcome(anon.get("/fhir/R4/Location"), 401)
    outcome(anon.get("/fhir/R4/Location", headers={"Authorization": "Bearer wrong"}), 401)
    outcome(anon.get("/fhir/R4/Location", headers={"Authorization": f"Basic {TOKEN}"}), 401)
    outcome(anon.get("/fhir/R4/Nonsense"), 401)
    ok = anon.get(
        "/fhir/R4/Location", params={"_count": "1"}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert ok.status_code == 200


def test_unknown_resource_type_and_id_are_404(client):
    outcome(client.get("/Nonsense"), 404)
    outcome(client.get("/Location/bed-zz-99"), 404)
    outcome(client.delete("/Location/bed-4b-06"), 405)


def test_malformed_json_and_values_are_400(client):
    outcome(
        client.post(
            "/Task", content=b"{not json", headers={"Content-Type": "application/fhir+json"}
        ),
        400,
    )
    outcome(
        client.post("/Task", content=b"[1, 2]", headers={"Content-Type": "application/json"}), 400
    )
    outcome(
        client.post(
            "/Task",
            content=b"[" * 10_000 + b"]" * 10_000,
            headers={"Content-Type": "application/fhir+json"},
        ),
        400,
    )
    outcome(client.get("/Location", params={"_count": "lots"}), 400)
    outcome(client.get("/Location", params={"partof": "Patient/x"}), 400)
    outcome(client.get("/Location", params={"name": ""}), 400)
    outcome(
        client.post(
            "/Appointment", json={"resourceType": "Appointment"}, headers={"If-Match": "nope"}
        ),
        422,
    )


def test_unknown_params_ignored_unless_strict(client):
    assert client.get("/Location", params={"colour": "red", "_count": "1"}).status_code == 200
    outcome(
        client.get("/Location", params={"colour": "red"}, headers={"Prefer": "handling=strict"}),
        400,
    )


def test_wrong_resource_type_is_422(client):
    outcome(client.post("/Task", json={"resourceType": "Patient"}), 422)


def test_body_over_one_megabyte_is_413(client):
    body = json.dumps({"resourceType": "Task", "description": "x" * (1024 * 1024 + 10)})
    outcome(client.post("/Task", content=body.encode()), 413)


def test_metadata_is_a_valid_capability_statement(client):
    statement = valid(client.get("/metadata").json())
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert {"Location", "Patient", "Slot", "Appointment", "Task"} <= set(resources)
    assert "partof" in {p["name"] for p in resources["Location"]["searchParam"]}
    assert {i["code"] for i in resources["Appointment"]["interaction"]} >= {"create", "update"}


def test_directory_lists_lookup_names(client, anon):
    outcome(anon.get("/directory"), 401)
    directory = anon.get("/directory", headers={"Authorization": f"Bearer {TOKEN}"}).json()
    wards = {w["code"]: w for w in directory["wards"]}
    assert "A&E" in wards["ED"]["aliases"] and "four b" in wards["4B"]["aliases"]
    assert {"code": "cardiology", "id": "svc-cardiology", "name": "Cardiology Clinic"} in (
        directory["departments"]
    )
    assert "Dr Raj Patel" in {c["name"] for c in directory["clinicians"]}
    assert {f["code"] for f in directory["bed_features"]} >= {"bariatric", "side-room"}


@pytest.mark.parametrize(
    "content_type", ["", "text/plain", "application/xml", "application/json; charset=utf-16"]
)
def test_write_without_json_content_type_is_415(client, content_type):
    body = json.dumps({"resourceType": "Task", "status": "requested", "intent": "order"})
    outcome(
        client.post("/Task", content=body.encode(), headers={"Content-Type": content_type}), 415
    )


@pytest.mark.parametrize(
    "content_type", ["application/fhir+json; charset=UTF-8", "Application/JSON"]
)
def test_write_with_json_content_type_is_read(client, content_type):
    outcome(
        client.post(
            "/Task", content=b'{"resourceType": "Patient"}', headers={"Content-Type": content_type}
        ),
        422,
    )


@pytest.mark.parametrize(
    "url",
    [
        "/Patient?_count=%C2%B2",
        "/Slot?_offset=-1",
        "/Location?_id=Patient%2F..%2FLocation%2Fward-4b",
        "/Patient?name=%00",
        "/Patient?name=%2C",
    ],
)
def test_hostile_search_values_are_400(client, url):
    outcome(client.get(url), 400)


@pytest.mark.parametrize("url", ["/Appointment/appt-%C2%B2", "/Task/task-%C2%B2"])
def test_unicode_digit_ids_are_404(client, url):
    outcome(client.get(url), 404)


@pytest.mark.parametrize(
    "url",
    [
        "/Location?name=%7C",
        "/Location?type=%25",
        "/Location?type=_",
        "/Task?owner=%25",
        "/Patient?name=%25",
    ],
)
def test_search_wildcards_and_separators_match_nothing(client, url):
    response = client.get(url)
    assert response.status_code in (200, 400), response.text
    assert response.status_code == 400 or response.json()["total"] == 0


@pytest.mark.parametrize(
    "value", ["9999-12-31", "ge9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+05:00"]
)
def test_dates_beyond_the_calendar_are_400_not_500(client, value):
    """A date at the edge of the calendar overflows when moved to UTC: the caller's error."""
    assert "malformed date" in outcome(client.get("/Slot", params={"start": value}), 400)
