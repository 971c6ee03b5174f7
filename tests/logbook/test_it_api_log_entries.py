"""POST /api/log-entries"""

import pytest

from poolplan.logbook.models import LogEntry
from tests.logbook.conftest import MONTH_MONDAYS, assert_error, assert_refused


@pytest.fixture
def body(lb):
    return {"child": lb.child.pk, "date": MONTH_MONDAYS[3].isoformat(), "start": "08:00",
            "end": "08:45", "kind": "learning_support", "note": "Fractions.",
            "idempotency_key": "abc-1"}


def test_it_works(api, body, lb):
    response = api("assistant").post("/log-entries", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["assistant"] == lb.assistant.pk and data["delivered_minutes"] == 45
    assert data["start"] == "08:00" and data["end"] == "08:45"


def test_it_returns_the_first_entry_for_a_repeated_key(api, body):
    first = api("assistant").post("/log-entries", body)
    again = api("assistant").post("/log-entries", body)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert LogEntry.objects.count() == 1


def test_it_takes_the_key_from_the_header(api, body):
    del body["idempotency_key"]
    client = api("assistant")
    client.headers["Idempotency-Key"] = "from-header"
    assert client.post("/log-entries", body).status_code == 201
    assert client.post("/log-entries", body).status_code == 200
    assert LogEntry.objects.get().idempotency_key == "from-header"


def test_it_requires_a_key(api, body):
    del body["idempotency_key"]
    assert_error(api("assistant").post("/log-entries", body), 422)


def test_it_refuses_other_content_with_the_same_key_with_409(api, body):
    api("assistant").post("/log-entries", body)
    response = api("assistant").post("/log-entries", {**body, "end": "09:00"})
    assert_error(response, 409)


def test_it_refuses_end_before_start(api, body):
    body = assert_error(api("assistant").post("/log-entries", {**body, "end": "07:00"}), 422)
    assert "end" in body["details"]


def test_it_lets_the_coordinator_name_the_assistant(api, body, lb):
    response = api("coordinator").post("/log-entries", {**body, "assistant": lb.colleague.pk})
    assert response.status_code == 201 and response.json()["assistant"] == lb.colleague.pk


def test_it_refuses_an_assistant_logging_for_someone_else(api, body, lb):
    assert_error(api("assistant").post("/log-entries", {**body, "assistant": lb.colleague.pk}),
                 403)


def test_it_refuses_a_group_child_of_another_pool(api, body, lb):
    assert_error(api("assistant").post("/log-entries", {**body, "group": [lb.other_child.pk]}),
                 422)


def test_it_refuses_every_wrong_role(api, body):
    assert_refused(api, "post", "/log-entries", {
        "other_coordinator": 404, "other_assistant": 404, "teacher": 403, "parent": 403,
        "other_parent": 404, "provider": 403, "other_provider": 404, "reviewer": 403,
        "other_reviewer": 404}, data=body)
    assert_error(api().post("/log-entries", body), 401)
    assert LogEntry.objects.count() == 0
