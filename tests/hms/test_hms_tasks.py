from tests.hms.hms_testkit import entries, ids, outcome, valid


def _task(code="porter", priority="urgent", **extra):
    body = {
        "resourceType": "Task",
        "status": "requested",
        "intent": "order",
        "priority": priority,
        "code": {"coding": [{"system": "urn:hms:help-type", "code": code}]},
        "description": "Transfer to X-ray",
        "location": {"reference": "Location/bed-4b-06"},
        "requester": {"reference": "Practitioner/prac-n-jones"},
    }
    body.update(extra)
    return body


def test_task_create_assigns_sequential_ticket_ids(client):
    first = client.post("/Task", json=_task(), headers={"X-Acting-Staff": "n.jones"})
    second = client.post("/Task", json=_task(code="it", priority="routine"))
    assert first.status_code == second.status_code == 201
    a, b = valid(first.json()), valid(second.json())
    number = int(a["identifier"][0]["value"].removeprefix("HR-"))
    assert a["identifier"][0] == {"system": "urn:hms:ticket", "value": f"HR-{number:06d}"}
    assert b["identifier"][0]["value"] == f"HR-{number + 1:06d}"
    assert first.headers["location"].endswith(f"/Task/{a['id']}/_history/1")


def test_task_search_params(client):
    made = client.post(
        "/Task",
        json=_task(
            code="maintenance", priority="stat", owner={"reference": "Practitioner/prac-h-lee"}
        ),
    ).json()
    ticket = made["identifier"][0]["value"]
    for params in (
        {"code": "urn:hms:help-type|maintenance"},
        {"priority": "stat"},
        {"status": "requested"},
        {"location": "Location/bed-4b-06"},
        {"owner": "Practitioner/prac-h-lee"},
        {"owner": "prac-h-lee"},
        {"requester": "prac-n-jones"},
        {"identifier": f"urn:hms:ticket|{ticket}"},
        {"identifier": ticket},
    ):
        assert made["id"] in ids(client.get("/Task", params=params | {"_count": "500"}).json()), (
            params
        )
    assert (
        client.get("/Task", params={"code": "maintenance", "priority": "routine"}).json()["total"]
        == 0
    )


def test_task_update_with_if_match(client):
    task = client.post("/Task", json=_task(code="housekeeping")).json()
    task["status"] = "in-progress"
    task["owner"] = {"reference": "Practitioner/prac-c-sam"}
    task["businessStatus"] = {"text": "on my way"}
    response = client.put(f"/Task/{task['id']}", json=task, headers={"If-Match": 'W/"1"'})
    assert response.status_code == 200, response.text
    updated = valid(response.json())
    assert updated["status"] == "in-progress" and updated["businessStatus"]["text"] == "on my way"
    assert updated["meta"]["versionId"] == "2" and response.headers["etag"] == 'W/"2"'
    assert updated["identifier"] == task["identifier"]
    assert entries(
        client.get("/Task", params={"owner": "prac-c-sam", "status": "in-progress"}).json()
    )
    outcome(client.put(f"/Task/{task['id']}", json=task, headers={"If-Match": 'W/"1"'}), 412)


def test_task_invalid_codes_are_422(client):
    outcome(client.post("/Task", json=_task(code="pizza")), 422)
    outcome(client.post("/Task", json=_task(priority="whenever")), 422)
    outcome(client.post("/Task", json=_task(status="bogus")), 422)
    outcome(client.post("/Task", json=_task() | {"location": {"reference": "Patient/x"}}), 422)
    outcome(client.get("/Task/task-99999999"), 404)
