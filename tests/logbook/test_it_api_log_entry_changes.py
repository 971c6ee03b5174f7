"""GET/PATCH /api/log-entries/{id} and POST /api/log-entries/{id}/corrections"""

import pytest

from poolplan.logbook import services
from poolplan.logbook.models import LogEntry
from tests.logbook.conftest import MONTH, assert_error, assert_refused


@pytest.fixture
def entry(lb, log):
    return log(note="Fractions.")


def test_it_shows_an_entry_with_its_version(api, entry):
    data = api("assistant").get(f"/log-entries/{entry.pk}").json()
    assert data["id"] == entry.pk and data["version"] == services.log_entry_version(entry)


def test_it_changes_an_entry_before_signing(api, entry):
    version = api("assistant").get(f"/log-entries/{entry.pk}").json()["version"]
    response = api("assistant").patch(f"/log-entries/{entry.pk}",
                                      {"end": "08:30", "version": version})
    assert response.status_code == 200, response.content
    assert response.json()["delivered_minutes"] == 30 and response.json()["note"] == "Fractions."
    stale = api("coordinator").patch(f"/log-entries/{entry.pk}",
                                     {"end": "08:40", "version": version})
    body = assert_error(stale, 409)
    assert body["details"]["version"] == response.json()["version"]


def test_it_refuses_key_fields_after_signing_but_not_the_note(api, entry, lb):
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    assert_error(api("assistant").patch(f"/log-entries/{entry.pk}", {"end": "08:30"}), 422)
    response = api("assistant").patch(f"/log-entries/{entry.pk}", {"note": "Typo fixed."})
    assert response.status_code == 200 and response.json()["note"] == "Typo fixed."


def test_it_refuses_null_fields(api, entry):
    assert_error(api("assistant").patch(f"/log-entries/{entry.pk}", {"end": None}), 422)


def test_it_corrects_a_signed_entry_once_per_key(api, entry, lb):
    services.month_sign(actor=lb.user("coordinator"), child=lb.child, month=MONTH)
    client = api("coordinator")
    client.headers["Idempotency-Key"] = "fix-1"
    body = {"reason": "Child left at 08:20", "end": "08:20"}
    first = client.post(f"/log-entries/{entry.pk}/corrections", body)
    again = client.post(f"/log-entries/{entry.pk}/corrections", body)
    assert (first.status_code, again.status_code) == (201, 200), first.content
    data = first.json()
    assert data["supersedes"] == entry.pk and data["delivered_minutes"] == 20
    assert data["correction_reason"] == "Child left at 08:20" and again.json()["id"] == data["id"]
    assert LogEntry.objects.count() == 2
    assert_error(client.post(f"/log-entries/{entry.pk}/corrections",
                             {**body, "end": "08:10"}), 409)
    client.headers.pop("Idempotency-Key")
    # The corrected entry is no longer current: correct the correction instead.
    assert_error(client.post(f"/log-entries/{entry.pk}/corrections", body), 422)


def test_it_needs_a_reason(api, entry):
    assert_error(api("coordinator").post(f"/log-entries/{entry.pk}/corrections",
                                         {"end": "08:30"}), 422)


def test_it_refuses_every_wrong_role(api, entry):
    assert_refused(api, "patch", f"/log-entries/{entry.pk}", {
        "other_coordinator": 404, "other_assistant": 404, "teacher": 404, "parent": 404,
        "provider": 404, "reviewer": 404}, data={"note": "x"})
    assert_refused(api, "post", f"/log-entries/{entry.pk}/corrections", {
        "assistant": 403, "other_coordinator": 404, "teacher": 404, "parent": 404,
        "provider": 404, "reviewer": 404}, data={"reason": "x", "end": "08:30"})
    assert_error(api().patch(f"/log-entries/{entry.pk}", {"note": "x"}), 401)
    entry.refresh_from_db()
    assert entry.note == "Fractions." and LogEntry.objects.count() == 1


def test_it_refuses_an_assistant_changing_a_colleagues_entry(api, lb, log):
    other = log(assistant=lb.colleague, actor=lb.user("coordinator"))
    assert_error(api("assistant").patch(f"/log-entries/{other.pk}", {"note": "x"}), 403)
