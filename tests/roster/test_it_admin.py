"""The admin runs the services' rules and writes their audit rows."""

import datetime as dt

import pytest

from poolplan.accounts.models import AuditEvent
from poolplan.roster import services
from poolplan.roster.models import Absence, Approval, Child
from tests import dates

pytestmark = pytest.mark.django_db

# Days of next week: an absence in it is never refused as past, whatever day the tests
# run (tests/dates.py).
TUE = dates.next_monday() + dt.timedelta(days=1)
WED = TUE + dt.timedelta(days=1)
THU = TUE + dt.timedelta(days=2)


def _approval_post(small, start, end, file_number):
    return {"child": small.child.pk, "funding_body": small.youth_office.pk,
            "file_number": file_number, "minutes_per_week": 900, "valid_from": start,
            "valid_to": end, "max_ratio": 1}


def test_it_refuses_an_overlapping_approval_in_the_admin(small, admin_client):
    services.approval_create(actor=small.actor, child=small.child,
                             funding_body=small.youth_office, file_number="A-1",
                             minutes_per_week=600, valid_from=dt.date(2026, 8, 1),
                             valid_to=dt.date(2027, 7, 31), max_ratio=1)
    response = admin_client.post("/admin/roster/approval/add/",
                                 _approval_post(small, "2027-01-01", "2027-12-31", "A-2"))
    assert response.status_code == 200  # the form again, with the error
    assert "A-1" in response.content.decode()
    assert Approval.objects.count() == 1


def test_it_adds_an_approval_through_the_service(small, admin_client):
    before = AuditEvent.objects.count()
    response = admin_client.post("/admin/roster/approval/add/",
                                 _approval_post(small, "2026-08-01", "2027-07-31", "A-1"))
    assert response.status_code == 302
    assert Approval.objects.get().file_number == "A-1"
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.latest("id").child == small.child


def test_it_refuses_an_overlapping_absence_in_the_admin(small, admin_client):
    services.absence_create(actor=small.actor, assistant=small.nurse, start=TUE,
                            end=THU, reason="illness")
    response = admin_client.post("/admin/roster/absence/add/", {
        "assistant": small.nurse.pk, "start": WED.isoformat(), "end": WED.isoformat(),
        "reason": "leave", "reason_text": ""})
    assert response.status_code == 200
    assert Absence.objects.count() == 1


def test_it_refuses_deleting_a_child_with_history_in_the_admin(small, admin_client):
    services.child_update(actor=small.actor, child=small.child, max_assistants=2)
    response = admin_client.post(f"/admin/roster/child/{small.child.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert Child.objects.filter(pk=small.child.pk).exists()


def test_the_audit_trail_is_read_only(small, admin_client):
    event = AuditEvent.objects.first()
    assert admin_client.get("/admin/accounts/auditevent/").status_code == 200
    assert admin_client.get("/admin/accounts/auditevent/add/").status_code == 403
    response = admin_client.post(f"/admin/accounts/auditevent/{event.pk}/delete/",
                                 {"post": "yes"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("model", ["child", "assistant", "approval", "absence", "period",
                                   "school", "schoolclass", "timetableentry", "room"])
def test_the_admin_pages_open(small, admin_client, model):
    assert admin_client.get(f"/admin/roster/{model}/").status_code == 200
    assert admin_client.get(f"/admin/roster/{model}/add/").status_code == 200


def test_the_child_change_page_opens(small, admin_client):
    response = admin_client.get(f"/admin/roster/child/{small.child.pk}/change/")
    assert response.status_code == 200
