"""GET/POST /api/absences, PATCH/DELETE /api/absences/{id}."""

import datetime as dt

import pytest

from poolplan.roster.models import Absence, AbsenceReason
from tests import dates
from tests.api.conftest import assert_error, assert_refused

OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404}
# Next week's Tuesday: never refused as past, whatever day the tests run (tests/dates.py).
TUE = dates.next_monday() + dt.timedelta(days=1)
# The shape a later issue relies on.
SICK_NOTE = {"start": TUE.isoformat(), "end": TUE.isoformat(), "reason": "illness"}


@pytest.fixture
def absence(world):
    return Absence.objects.create(assistant=world.assistant, start=dt.date(2026, 11, 2),
                                  end=dt.date(2026, 11, 3), reason=AbsenceReason.ILLNESS,
                                  reason_text="Flu, doctor's note until Tuesday")


def test_it_works(api, world):
    response = api("coordinator").post("/absences", {"assistant": world.assistant.pk,
                                                     **SICK_NOTE})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["assistant"] == world.assistant.pk and body["child"] is None
    assert body["start"] == TUE.isoformat() and body["reason"] == "illness"
    assert Absence.objects.filter(assistant=world.assistant, start=TUE).exists()


def test_it_records_child_absences(api, world):
    response = api("provider").post("/absences", {"child": world.child.pk, **SICK_NOTE})
    assert response.status_code == 201, response.content
    assert response.json()["child"] == world.child.pk


def test_it_lists_absences(api, world, absence):
    response = api("coordinator").get("/absences")
    assert response.status_code == 200
    assert [a["id"] for a in response.json()] == [absence.pk]
    assert response.json()[0]["reason_text"].startswith("Flu")
    assert api("coordinator").get("/absences", date_from="2026-11-04").json() == []
    assert len(api("coordinator").get("/absences", date_to="2026-11-02").json()) == 1


def test_it_shows_the_free_text_reason_to_coordinators_only(api, world, absence):
    for role in ("assistant", "provider"):
        [item] = api(role).get("/absences").json()
        assert "reason_text" not in item, role


def test_it_shows_other_roles_no_absences(api, world, absence):
    for role in ("teacher", "parent", "reviewer", "other_coordinator", "other_provider"):
        assert api(role).get("/absences").json() == [], role


def test_it_validates_ownership_of_the_school_filter(api, world, absence):
    assert_error(api("other_coordinator").get("/absences", school=world.school.pk), 404)


def test_it_requires_auth(api, world, absence):
    assert_error(api().get("/absences"), 401)
    assert_error(api().post("/absences", {"assistant": world.assistant.pk, **SICK_NOTE}), 401)
    assert_error(api().patch(f"/absences/{absence.pk}", {"reason": "leave"}), 401)
    assert_error(api().delete(f"/absences/{absence.pk}"), 401)


def test_it_refuses_creation_to_roles_that_do_not_manage_the_member(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "reviewer": 404,
               "other_reviewer": 404, **OUTSIDERS}
    assert_refused(api, "post", "/absences", refused,
                   data={"assistant": world.assistant.pk, **SICK_NOTE})
    assert not Absence.objects.exists()


def test_it_requires_exactly_one_person(api, world):
    client = api("coordinator")
    assert "assistant" in assert_error(client.post("/absences", SICK_NOTE), 422)["details"]
    both = {"assistant": world.assistant.pk, "child": world.child.pk, **SICK_NOTE}
    assert_error(client.post("/absences", both), 422)


def test_it_validates_dates(api, world, absence):
    client = api("coordinator")
    wednesday = (TUE + dt.timedelta(days=1)).isoformat()
    response = client.post("/absences", {"assistant": world.assistant.pk, "start": wednesday,
                                         "end": TUE.isoformat(), "reason": "illness"})
    assert "end" in assert_error(response, 422)["details"]
    response = client.post("/absences", {"assistant": world.assistant.pk, "start": 0,
                                         "end": TUE.isoformat()})
    assert "start" in assert_error(response, 422)["details"]
    # Overlaps the absence already entered.
    response = client.post("/absences", {"assistant": world.assistant.pk, "start": "2026-11-03",
                                         "end": "2026-11-04"})
    assert "start" in assert_error(response, 422)["details"]


def test_it_uses_strict_types(api, world):
    response = api("coordinator").post("/absences", {"assistant": True, **SICK_NOTE})
    assert "assistant" in assert_error(response, 422)["details"]


def test_it_updates_an_absence(api, world, absence):
    response = api("provider").patch(f"/absences/{absence.pk}", {"end": "2026-11-05"})
    assert response.status_code == 200, response.content
    absence.refresh_from_db()
    assert absence.end == dt.date(2026, 11, 5)


def test_it_refuses_updates_to_roles_that_do_not_manage_the_member(api, world, absence):
    refused = {"assistant": 403, "teacher": 404, "parent": 404, "reviewer": 404,
               "other_reviewer": 404, **OUTSIDERS}
    assert_refused(api, "patch", f"/absences/{absence.pk}", refused, data={"reason": "leave"})
    absence.refresh_from_db()
    assert absence.reason == AbsenceReason.ILLNESS


def test_it_deletes_an_absence(api, world, absence):
    response = api("coordinator").delete(f"/absences/{absence.pk}")
    assert response.status_code == 204
    assert not Absence.objects.filter(pk=absence.pk).exists()


def test_it_refuses_deletion_to_roles_that_do_not_manage_the_member(api, world, absence):
    refused = {"assistant": 403, "teacher": 404, "parent": 404, "reviewer": 404,
               "other_reviewer": 404, **OUTSIDERS}
    assert_refused(api, "delete", f"/absences/{absence.pk}", refused)
    assert Absence.objects.filter(pk=absence.pk).exists()
