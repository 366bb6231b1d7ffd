"""``GET /metadata`` without a token; ``_count`` above the maximum gives a capped page."""

from urllib.parse import parse_qs, urlsplit

from hms.search import MAX_COUNT
from tests.hms.hms_testkit import entries, outcome, valid


def test_metadata_served_without_a_token(anon):
    response = anon.get("/fhir/R4/metadata")
    assert response.status_code == 200
    statement = valid(response.json())
    assert statement["resourceType"] == "CapabilityStatement"
    assert statement["fhirVersion"] == "4.0.1"
    outcome(anon.get("/fhir/R4/Location"), 401)  # everything else still needs one


def test_count_above_max_returns_capped_page_with_next_link(client):
    bundle = client.get("/Slot", params={"_count": str(MAX_COUNT * 5)}).json()
    assert bundle["total"] > MAX_COUNT
    assert len(entries(bundle)) == MAX_COUNT
    (link,) = [lk["url"] for lk in bundle["link"] if lk["relation"] == "next"]
    query = parse_qs(urlsplit(link).query)
    assert query["_count"] == [str(MAX_COUNT)] and query["_offset"] == [str(MAX_COUNT)]
    path = link.split("/fhir/R4", 1)[1]
    second = client.get(path).json()
    assert len(entries(second)) == min(MAX_COUNT, bundle["total"] - MAX_COUNT)
    assert not {r["id"] for r in entries(second)} & {r["id"] for r in entries(bundle)}


def test_count_still_rejects_non_numbers(client):
    outcome(client.get("/Location", params={"_count": "-1"}), 400)
    outcome(client.get("/Location", params={"_count": "many"}), 400)
