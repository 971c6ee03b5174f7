"""GET/POST /api/children/{id}/approvals, PATCH/DELETE /api/approvals/{id}."""

import datetime as dt

from poolplan.accounts.models import AuditAction, AuditEvent
from poolplan.roster.models import Approval
from tests import dates
from tests.api.conftest import assert_error, assert_refused

OUTSIDERS = {"other_coordinator": 404, "other_assistant": 404, "other_parent": 404,
             "other_provider": 404, "other_reviewer": 404}


# The world's approvals cover the current school year (tests/factories.py); a new one
# follows it, the next school year.
THIS_YEAR = dates.school_year()
NEXT_YEAR = dates.school_year(THIS_YEAR[1] + dt.timedelta(days=1))


def new_approval(world, **extra):
    return {"funding_body": world.youth_office.pk, "file_number": "AZ-NEW",
            "minutes_per_week": 600, "valid_from": NEXT_YEAR[0].isoformat(),
            "valid_to": NEXT_YEAR[1].isoformat(), "max_ratio": 2, **extra}


def test_it_works(api, world):
    response = api("reviewer").get(f"/children/{world.child.pk}/approvals")
    assert response.status_code == 200
    [approval] = response.json()
    assert approval["file_number"] == "AZ-Fox 1"
    assert approval["funding_body_name"] == "Youth office"
    assert approval["minutes_per_week"] == 900


def test_it_refuses_roles_without_approval_access(api, world):
    assert_refused(api, "get", f"/children/{world.child.pk}/approvals",
                   {"assistant": 403, "teacher": 403, **OUTSIDERS})


def test_it_requires_auth(api, world):
    approval = world.child.approvals.get()
    assert_error(api().get(f"/children/{world.child.pk}/approvals"), 401)
    assert_error(api().post(f"/children/{world.child.pk}/approvals", new_approval(world)), 401)
    assert_error(api().patch(f"/approvals/{approval.pk}", {"minutes_per_week": 1}), 401)
    assert_error(api().delete(f"/approvals/{approval.pk}"), 401)


def test_it_creates_an_approval(api, world):
    response = api("coordinator").post(f"/children/{world.child.pk}/approvals",
                                       new_approval(world))
    assert response.status_code == 201, response.content
    assert Approval.objects.filter(child=world.child, file_number="AZ-NEW").exists()


def test_it_refuses_creation_to_all_but_the_coordinator(api, world):
    refused = {"assistant": 403, "teacher": 403, "parent": 403, "provider": 403,
               "reviewer": 403, **OUTSIDERS}
    assert_refused(api, "post", f"/children/{world.child.pk}/approvals", refused,
                   data=new_approval(world))
    assert not Approval.objects.filter(file_number="AZ-NEW").exists()


def test_it_refuses_overlapping_approvals(api, world):
    response = api("coordinator").post(f"/children/{world.child.pk}/approvals",
                                       new_approval(world, valid_from=f"{NEXT_YEAR[0].year}-01-01"))
    assert "valid_from" in assert_error(response, 422)["details"]


def test_it_uses_strict_types(api, world):
    response = api("coordinator").post(f"/children/{world.child.pk}/approvals",
                                       new_approval(world, minutes_per_week="600"))
    assert "minutes_per_week" in assert_error(response, 422)["details"]
    response = api("coordinator").post(f"/children/{world.child.pk}/approvals",
                                       new_approval(world, max_ratio=False))
    assert "max_ratio" in assert_error(response, 422)["details"]


def test_it_updates_an_approval(api, world):
    approval = world.child.approvals.get()
    response = api("coordinator").patch(f"/approvals/{approval.pk}", {"minutes_per_week": 720})
    assert response.status_code == 200, response.content
    assert response.json()["minutes_per_week"] == 720
    approval.refresh_from_db()
    assert approval.minutes_per_week == 720
    assert AuditEvent.objects.filter(child=world.child, action=AuditAction.UPDATE).exists()


def test_it_refuses_updates_to_all_but_the_coordinator(api, world):
    approval = world.child.approvals.get()
    # Those who may see approvals get 403; those who may not see them at all get 404.
    refused = {"parent": 403, "provider": 403, "reviewer": 403, "assistant": 404,
               "teacher": 404, **OUTSIDERS}
    assert_refused(api, "patch", f"/approvals/{approval.pk}", refused,
                   data={"minutes_per_week": 1})
    approval.refresh_from_db()
    assert approval.minutes_per_week == 900


def test_it_deletes_an_approval(api, world):
    approval = world.child.approvals.get()
    response = api("coordinator").delete(f"/approvals/{approval.pk}")
    assert response.status_code == 204
    assert not Approval.objects.filter(pk=approval.pk).exists()


def test_it_refuses_deletion_to_all_but_the_coordinator(api, world):
    approval = world.child.approvals.get()
    refused = {"parent": 403, "provider": 403, "reviewer": 403, "assistant": 404,
               "teacher": 404, **OUTSIDERS}
    assert_refused(api, "delete", f"/approvals/{approval.pk}", refused)
    assert Approval.objects.filter(pk=approval.pk).exists()
